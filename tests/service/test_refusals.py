"""Every refusal is a 4xx naming the field, on SQLite and PostgreSQL alike: control characters, absurd
numbers, loose booleans, dates out of range, duplicate key headers, too many items, bad cursors."""

from __future__ import annotations

import pytest

from tests.service.conftest import tx

NUL = "a\u0000b"


def _field(r) -> str | None:
    return r.json()["error"]["field"]


@pytest.mark.parametrize("book", [False, True])
@pytest.mark.parametrize("change, field", [
    ({"id": NUL}, "id"),
    ({"id": "   "}, "id"),
    ({"id": "x" * 401}, "id"),
    ({"parties": {"ultimate_consignee": {"name": NUL, "country": "MX"}}}, "parties.ultimate_consignee.name"),
    ({"parties": {"ultimate_consignee": {"name": "Acme", "id": "p\u0007", "country": "MX"}}},
     "parties.ultimate_consignee.id"),
    ({"end_use": "ok\u0000"}, "end_use"),
    ({"items": [{"tpp": 1e308, "die_area_mm2": 800, "datacenter": True, "quantity": 1}]}, "items.0.tpp"),
    ({"items": [{"catalog": "nvidia-h100-sxm5", "quantity": 10**12}]}, "items.0.quantity"),
    ({"items": [{"catalog": "nvidia-h100-sxm5", "quantity": True}]}, "items.0.quantity"),
    ({"items": [{"catalog": "nvidia-h100-sxm5", "quantity": 1.5}]}, "items.0.quantity"),
    ({"items": [{"catalog": NUL, "quantity": 1}]}, "items.0.catalog"),
    ({"direct_to_consignee": "yes"}, "direct_to_consignee"),
    ({"date": "9999-12-31"}, "date"),
    ({"date": "0001-01-01"}, "date"),
    ({"items": [{"catalog": "nvidia-h100-sxm5", "quantity": 1}] * 501}, "items"),
])
def test_bad_transactions_are_422_naming_the_field(api, change, field, book):
    path = "/v1/decisions?book=true" if book else "/v1/decisions"
    r = api.post(path, json=tx() | change)
    assert r.status_code == 422, r.text
    assert _field(r) == field, r.json()


def test_infinity_names_the_field(sqlite_api):
    body = ('{"id": "INF-1", "date": "2025-07-01", "action": "export", "destination": "MX", '
            '"items": [{"tpp": Infinity, "die_area_mm2": 800, "datacenter": true, "quantity": 1}], '
            '"parties": {"ultimate_consignee": {"name": "Acme", "country": "MX"}}}')
    for _ in range(2):  # the second time the key is cached and the short road is taken
        r = sqlite_api.client.post("/v1/decisions", content=body, headers=sqlite_api.h("analyst")
                                   | {"content-type": "application/json"})
        assert r.status_code == 422 and _field(r) == "items.0.tpp", r.text


@pytest.mark.parametrize("path", ["/v1/decisions/a%00b", "/v1/accounts/a%00b", "/v1/memos/a%00b",
                                  "/v1/accounts/a%00b/history", "/v1/catalog/a%00b"])
def test_nul_in_a_path_is_422(api, path):
    r = api.get(path)
    assert r.status_code == 422, r.text


def test_nul_in_other_bodies_is_422(api):
    r = api.post("/v1/licenses", json={"number": "L-1", "tpp": 10.0, "valid_from": "2025-01-01",
                                       "valid_to": "2026-01-01", "conditions": [NUL]})
    assert r.status_code == 422 and _field(r) == "conditions.0"
    r = api.post("/v1/keys", role="admin", json={"name": NUL, "role": "viewer"})
    assert r.status_code == 422 and _field(r) == "name"
    r = api.post("/v1/licenses", json={"number": "L-2", "tpp": 1e308, "valid_from": "2025-01-01",
                                       "valid_to": "2026-01-01"})
    assert r.status_code == 422 and _field(r) == "tpp"


@pytest.mark.parametrize("method, path", [("GET", "/v1/catalog"), ("POST", "/v1/decisions"), ("GET", "/v1/holds"),
                                          ("GET", "/v1/health"), ("GET", "/"), ("POST", "/v1/classify")])
def test_duplicate_key_headers_are_400_everywhere(sqlite_api, method, path):
    a = sqlite_api
    a.post("/v1/decisions", role="analyst", json=tx())  # the analyst key is now cached (the short road)
    headers = [("X-API-Key", "junk"), ("X-API-Key", a.keys["analyst"]), ("Content-Type", "application/json")]
    r = a.client.request(method, path, headers=headers, content=b"{}")
    assert r.status_code == 400 and _field(r) == "X-API-Key", r.text
    headers = [("X-API-Key", a.keys["analyst"]), ("X-API-Key", "junk"), ("Content-Type", "application/json")]
    assert a.client.request(method, path, headers=headers, content=b"{}").status_code == 400


@pytest.mark.parametrize("query", ["on=0.0", "on=9999-12-31", "on=junk", "year=99999"])
def test_dashboard_dates_out_of_range_are_4xx(tmp_path, query):
    from fastapi.testclient import TestClient

    from aidf.service.app import create_app

    app = create_app(str(tmp_path / "l.sqlite"), local_dashboard=True)
    r = TestClient(app, base_url="http://127.0.0.1").get(f"/?{query}")
    assert 400 <= r.status_code < 500
    app.state.service.close()


def test_rulesets_date_bounded(sqlite_api):
    assert sqlite_api.get("/v1/rulesets?on=0.0").status_code == 422
    assert sqlite_api.get("/v1/rulesets?on=2025-07-01").status_code == 200


def test_bad_cursor_names_the_field(sqlite_api):
    for cursor in ("nope", "W10", "eyJhIjoxfQ"):
        r = sqlite_api.get(f"/v1/holds?cursor={cursor}")
        assert r.status_code == 422 and _field(r) == "cursor", r.text


def test_a_crash_answers_500_in_the_error_shape_without_reraising(tmp_path):
    from fastapi.testclient import TestClient

    from aidf.service.app import create_app

    app = create_app(str(tmp_path / "l.sqlite"))

    @app.get("/v1/boom", include_in_schema=False)
    def boom():
        raise RuntimeError("boom")

    c = TestClient(app)  # raise_server_exceptions: a re-raised error would fail here (and drop the connection)
    r = c.get("/v1/boom")
    assert r.status_code == 500 and r.json()["error"]["reason"].startswith("internal error (RuntimeError)")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert c.get("/v1/health").status_code == 200
    app.state.service.close()
