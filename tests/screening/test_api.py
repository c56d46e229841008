"""`POST /v1/screen` (analyst), `/v1/lists`, clearances (officer) over the REST API."""

from __future__ import annotations

import pytest

from aidf.service.app import create_app
from tests.screening.helpers import load_fixture
from tests.service.conftest import Api


@pytest.fixture
def sqlite_api(tmp_path):
    app = create_app(str(tmp_path / "ledger.sqlite"))
    yield Api(app)
    app.state.service.close()


def test_screen_needs_analyst_and_explains(sqlite_api):
    api = sqlite_api
    r = api.post("/v1/screen", role="analyst", json={"name": "Acme"})
    assert r.status_code == 409 and "no restricted-party list" in r.json()["error"]["reason"]
    load_fixture(api.app.state.service.ledger)
    assert api.post("/v1/screen", role="viewer", json={"name": "Acme"}).status_code == 403
    r = api.post("/v1/screen", role="analyst", json={"name": "Korvath Trading GmbH", "country": "DE"})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "match" and body["matches"][0]["list"] == "DPL"
    assert body["matches"][0]["features"]["name_similarity"]["weight"] == 0.6
    r = api.post("/v1/screen", role="analyst", json={"name": "Acme", "country": "XX"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "country"
    r = api.post("/v1/screen", role="analyst", json={"name": ""})
    assert r.status_code == 422
    assert api.get("/v1/lists").json()[0]["entries"] == 13


def test_clearance_needs_officer_and_is_kept(sqlite_api):
    api = sqlite_api
    load_fixture(api.app.state.service.ledger)
    body = {"party": "Lysandra Calcul", "country": "FR", "entry_id": "EL:fx13", "reason": "different SIREN"}
    assert api.post("/v1/screen/clearances", role="analyst", json=body).status_code == 403
    r = api.post("/v1/screen/clearances", role="officer", json=body)
    assert r.status_code == 201 and r.json()["actor"] == "officer-user"
    r = api.post("/v1/screen/clearances", role="officer", json=body | {"entry_id": "EL:x"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "entry_id"
    assert api.get("/v1/screen/clearances").json()[0]["reason"] == "different SIREN"
    tx = {"id": "C1", "date": "2025-07-01", "action": "export", "destination": "FR",
          "items": [{"catalog": "nvidia-b200", "quantity": 16}],
          "parties": {"ultimate_consignee": {"name": "Lysandra Calcul", "country": "FR", "private_sector": True}}}
    d = api.post("/v1/decisions", role="analyst", json=tx).json()
    assert d["screening"][0]["status"] == "cleared_by_officer" and d["outcome"] == "LICENSE_EXCEPTION"
