"""POST /v1/options (analyst) and POST /v1/decisions?options=true: the same options as the library,
refusals as 4xx naming the field, and nothing booked by asking."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aidf.options import options_for
from aidf.service.app import create_app

INDIA = {"id": "S1", "date": "2025-06-16", "action": "export", "destination": "IN",
         "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 2000}],
         "parties": {"ultimate_consignee": {"name": "Pune Compute Pvt Ltd", "country": "IN"}}}


@pytest.fixture
def client(tmp_path):
    app = create_app(str(tmp_path / "ledger.sqlite"))
    keys = {r: app.state.service.keys.create(f"{r}-user", r)[0] for r in ("viewer", "analyst", "officer")}
    with TestClient(app, base_url="http://127.0.0.1") as c:
        c.keys = keys
        yield c
    app.state.service.close()


def test_post_options_lists_the_engines_options(client):
    r = client.post("/v1/options", json=INDIA, headers={"X-API-Key": client.keys["analyst"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["outcome"] == "LICENSE_REQUIRED"
    assert [o["change"] for o in body["options"]] == [o.model_dump(mode="json")["change"] for o in options_for(INDIA)]
    assert body["options"][0]["change"] == {"items.0.quantity": 1699}
    assert client.app.state.service.ledger.find("S1") is None


def test_post_options_needs_the_analyst_role(client):
    r = client.post("/v1/options", json=INDIA, headers={"X-API-Key": client.keys["viewer"]})
    assert r.status_code == 403


def test_post_options_refuses_bad_input_naming_the_field(client):
    r = client.post("/v1/options", json=INDIA | {"destination": "XX"}, headers={"X-API-Key": client.keys["analyst"]})
    assert r.status_code == 422
    assert "destination" in r.text


def test_decision_with_options_on_request(client):
    h = {"X-API-Key": client.keys["officer"]}
    plain = client.post("/v1/decisions", json=INDIA, headers=h).json()
    assert plain["options"] is None
    asked = client.post("/v1/decisions?options=true", json=INDIA, headers=h).json()
    assert asked["outcome"] == plain["outcome"]
    assert asked["options"][0]["authorization"] == "LPP"
    booked = client.post("/v1/decisions?options=true&book=true", json=INDIA, headers=h).json()
    # Options are those of the transaction before its own booking.
    assert booked["options"] == asked["options"]
    assert client.app.state.service.ledger.find("S1") is not None


def test_post_options_bounds_the_lines_it_studies(client):
    many = INDIA | {"items": [{"catalog": "nvidia-h100-sxm5", "quantity": 1}] * 21}
    r = client.post("/v1/options", json=many, headers={"X-API-Key": client.keys["analyst"]})
    assert r.status_code == 422 and "items" in r.text
