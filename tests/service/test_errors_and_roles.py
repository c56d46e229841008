"""Bad input is a 4xx naming the field, never a 500; keys and roles gate every /v1 call."""

from __future__ import annotations

import pytest

from tests.service.conftest import tx


@pytest.mark.parametrize("body, field", [
    (tx() | {"items": [{"catalog": "nvidia-h200-sxm", "quantity": -5}]}, "items.0.quantity"),
    (tx() | {"items": [{"catalog": "nvidia-h200-sxm", "quantity": "many"}]}, "items.0.quantity"),
    (tx() | {"destination": "XX"}, "destination"),
    (tx() | {"date": "yesterday"}, "date"),
    ({k: v for k, v in tx().items() if k != "parties"}, "parties"),
    (tx() | {"items": [{"catalog": "no-such-chip", "quantity": 1}]}, "items.0.catalog"),
    (tx() | {"rules": "no-such-rules"}, "rules"),
    (tx() | {"surprise": 1}, "surprise"),
    ([1, 2], "body"),
])
def test_bad_transactions_name_the_field(sqlite_api, body, field):
    r = sqlite_api.post("/v1/decisions?book=true", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    assert sqlite_api.get("/v1/accounts").json() == []


def test_malformed_json(sqlite_api):
    r = sqlite_api.client.post("/v1/decisions", content=b'{"id": ', headers=sqlite_api.h("analyst") | {
        "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "body"
    assert "malformed JSON" in r.json()["error"]["reason"]


def test_unknown_route_and_method(sqlite_api):
    assert sqlite_api.get("/v1/nothing").status_code == 404
    assert sqlite_api.client.put("/v1/catalog", headers=sqlite_api.h("admin")).status_code == 405


def test_missing_and_wrong_keys_are_401(sqlite_api):
    r = sqlite_api.client.get("/v1/catalog")
    assert r.status_code == 401 and r.json()["error"]["field"] == "X-API-Key"
    for bad in ("nonsense", "aidf_abc_def", sqlite_api.keys["viewer"][:-2] + "xx"):
        assert sqlite_api.client.get("/v1/catalog", headers={"X-API-Key": bad}).status_code == 401


def test_roles(sqlite_api):
    a = sqlite_api
    assert a.post("/v1/decisions", "viewer", json=tx()).status_code == 403
    assert a.post("/v1/decisions", "analyst", json=tx()).status_code == 200
    refused = a.post("/v1/decisions?book=true", "viewer", json=tx())
    assert refused.status_code == 403 and "officer" in refused.json()["error"]["reason"]
    assert a.post("/v1/decisions?book=true", "analyst", json=tx()).status_code == 403
    assert a.get("/v1/accounts").json() == []  # refused bookings booked nothing
    assert a.post("/v1/decisions?book=true", "officer", json=tx()).status_code == 200
    lic = {"number": "D1", "tpp": 5, "valid_from": "2025-01-01", "valid_to": "2025-12-31"}
    assert a.post("/v1/licenses", "analyst", json=lic).status_code == 403
    assert a.post("/v1/holds/T1/release", "analyst", json={"reason": "x"}).status_code == 403
    assert a.get("/v1/keys", "officer").status_code == 403
    assert a.get("/v1/keys", "admin").status_code == 200
