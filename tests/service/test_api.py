"""REST API: the decision contract over HTTP, booking and idempotency, ledger reads, licenses, holds."""

from __future__ import annotations

from sqlalchemy import text

from tests.service.conftest import tx


def test_health_needs_no_key(api):
    r = api.client.get("/v1/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_decision_matches_the_contract(api):
    r = api.post("/v1/decisions", "analyst", json=tx())
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["transaction_id"] == "T1" and d["outcome"] == "LICENSE_EXCEPTION" and d["authorization"] == "LPP"
    assert d["destination_tier"] == 2 and any("740.29" in t["cite"] for t in d["trace"])
    assert api.get("/v1/accounts").json() == []  # deciding books nothing


def test_booking_is_idempotent_and_conflicts_name_the_id(api):
    first = api.post("/v1/decisions?book=true", json=tx())
    again = api.post("/v1/decisions?book=true", json=tx())
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    changed = api.post("/v1/decisions?book=true", json=tx(qty=600))
    assert changed.status_code == 409
    assert changed.json()["error"]["field"] == "id" and "T1" in changed.json()["error"]["reason"]
    accounts = api.get("/v1/accounts", params={"kind": "lpp_annual"}).json()
    assert len(accounts) == 1 and accounts[0]["reserved_tpp"] == 7915600.0
    assert accounts[0]["limit_tpp"] == 26900000.0
    hist = api.get(f"/v1/accounts/{accounts[0]['id']}/history").json()
    assert [h["kind"] for h in hist] == ["pending"] and hist[0]["actor"] == "officer-user"
    assert api.get("/v1/decisions/T1").json()["outcome"] == "LICENSE_EXCEPTION"


def test_every_write_is_audited_with_the_key_owner(api):
    api.post("/v1/decisions?book=true", json=tx())
    api.post("/v1/licenses", json={"number": "D1", "tpp": 1e7, "valid_from": "2025-01-01", "valid_to": "2026-12-31"})
    log = api.get("/v1/audit", "officer").json()
    assert [(e["action"], e["actor"]) for e in log] == [("book", "officer-user"), ("license", "officer-user")]
    assert api.get("/v1/audit/verify", "officer").json()["ok"] is True


def test_license_required_is_held_and_released_by_license(api):
    lpp_full = tx("A", qty=1650)  # 26.1M of the 26.9M TPP LPP allows a year
    assert api.post("/v1/decisions?book=true", json=lpp_full).json()["authorization"] == "LPP"
    over = api.post("/v1/decisions?book=true", json=tx("B", qty=600)).json()
    assert over["outcome"] == "LICENSE_REQUIRED" and over["review_policy"] == "presumption_of_approval"
    holds = api.get("/v1/holds").json()
    assert [h["transaction_id"] for h in holds] == ["B"] and holds[0]["placed_by"] == "officer-user"
    lic = api.post("/v1/licenses", json={"number": "D77", "tpp": 1e7, "valid_from": "2025-01-01",
                                         "valid_to": "2026-12-31"})
    assert lic.status_code == 201 and lic.json()["remaining_tpp"] == 1e7
    both = api.post("/v1/holds/B/release", json={"license": "D77", "reason": "x"})
    assert both.status_code == 422
    rel = api.post("/v1/holds/B/release", json={"license": "D77"})
    assert rel.status_code == 200 and rel.json()["status"] == "released"
    assert api.get("/v1/holds").json() == []
    assert api.get("/v1/licenses").json()[0]["used_tpp"] == 9498720.0
    alloc = api.get("/v1/accounts", params={"kind": "country_allocation"}).json()[0]
    assert alloc["posted_tpp"] == 9498720.0 and alloc["reserved_tpp"] == 0


def test_release_by_override_needs_a_reason(api):
    api.post("/v1/decisions?book=true", json=tx("CN1", dest="CN", chip="nvidia-gb200-gpu", qty=10))
    r = api.post("/v1/holds/CN1/release", json={"reason": "shipment cancelled"})
    assert r.status_code == 200 and r.json()["release"]["how"] == "override"
    assert api.post("/v1/holds/NOPE/release", json={"reason": "x"}).status_code == 404


def test_reference_endpoints(api):
    catalog = api.get("/v1/catalog").json()
    assert any(c["id"] == "nvidia-h100-sxm5" for c in catalog)
    assert api.get("/v1/catalog/nvidia-h100-sxm5").json()["tpp"] > 15000
    assert api.get("/v1/catalog/nope").status_code == 404
    rules = {r["id"]: r for r in api.get("/v1/rulesets", params={"on": "2025-03-01"}).json()}
    assert rules["ai-diffusion-2025"]["default"] and rules["ai-diffusion-2025"]["in_force"]
    paths = api.get("/v1/parameters").json()
    assert "part740/lpp" in paths
    lpp = api.get("/v1/parameters/part740/lpp").json()
    cap = next(p for p in lpp["parameters"] if p["name"] == "annual_tpp_cap")
    assert cap["history"][0]["value"] == 26900000 and "740.29" in cap["history"][0]["cite"]
    assert cap["history"][0]["since"] == "2025-01-13"
    assert api.get("/v1/parameters/no/such").status_code == 404


def test_classify(api):
    r = api.post("/v1/classify", "viewer", json={"item": {"catalog": "nvidia-h100-sxm5"}, "as_of": "2025-07-01"})
    assert r.status_code == 200 and r.json()["eccn"].startswith("3A090")


def test_memo_of_booked_and_unbooked(api):
    api.post("/v1/decisions?book=true", json=tx())
    html = api.get("/v1/memos/T1")
    assert html.status_code == 200 and "740.29" in html.text and "officer-user" in html.text
    pdf = api.get("/v1/memos/T1", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert api.get("/v1/memos/NOPE").status_code == 404
    unbooked = api.post("/v1/memos", "analyst", json=tx("U1", dest="FR", chip="nvidia-b200", qty=16))
    assert unbooked.status_code == 200 and "740.27" in unbooked.text and "not booked" in unbooked.text


def test_admin_manages_keys(api):
    made = api.post("/v1/keys", "admin", json={"name": "carol", "role": "viewer"})
    assert made.status_code == 201
    key = made.json()["key"]
    assert api.client.get("/v1/catalog", headers={"X-API-Key": key}).status_code == 200
    assert all("key" not in k for k in api.get("/v1/keys", "admin").json())
    assert api.client.delete(f"/v1/keys/{made.json()['key_id']}", headers=api.h("admin")).status_code == 204
    assert api.client.get("/v1/catalog", headers={"X-API-Key": key}).status_code == 401


def test_verify_covers_the_ledger_chain_and_the_keys_chain_with_their_heads(api):
    """GET /v1/audit/verify recomputes both keyed chains; a key's role edited in the table makes it fail,
    naming the keys chain; a malformed expected head is a 422 naming the parameter."""
    api.post("/v1/decisions?book=true", json=tx("V1"))
    r = api.get("/v1/audit/verify", "officer").json()
    assert r["ok"] and r["keys"]["ok"] and r["keys"]["entries"] >= 4
    ledger_head, keys_head = r["head"], r["keys"]["head"]
    again = api.get(f"/v1/audit/verify?expect_head={ledger_head}&expect_keys_head={keys_head}", "officer").json()
    assert again["ok"] and again["head"] == ledger_head
    bad = api.get("/v1/audit/verify?expect_keys_head=7", "officer")
    assert bad.status_code == 422 and "expect_keys_head" in bad.text
    assert api.get("/v1/audit/verify", "analyst").status_code == 403
    with api.app.state.service.keys.engine.begin() as c:
        c.execute(text("UPDATE service_api_keys SET role = 'admin' WHERE name = 'viewer-user'"))
    r = api.get("/v1/audit/verify", "officer").json()
    assert r["ok"] is False and r["keys"]["ok"] is False and "role" in r["keys"]["report"]
