"""Dashboard post/void of reservations (issue 10), over TestClient: listed a page at a time, posted and
voided by an officer with a notice in words and an audit entry, refused (4xx) to a viewer, a void
without a reason refused naming it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from aidf.service import views
from aidf.service.sample import seed_sample


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _signed_in(app, name: str, role: str) -> TestClient:
    c = TestClient(app, base_url="http://127.0.0.1")
    key, _ = app.state.service.keys.create(name, role)
    assert c.post("/login", data={"key": key}).status_code == 200
    return c


def test_officer_posts_and_voids_viewer_is_refused(sqlite_app):
    app, service = sqlite_app, sqlite_app.state.service
    seed_sample(service)
    officer = _signed_in(app, "olga", "officer")
    listed = officer.get("/reservations")
    assert listed.status_code == 200 and 'data-reservation="SO-003"' in listed.text
    assert "22 booked transactions" in listed.text
    token = _csrf(listed.text)

    r = officer.post("/reservations/SO-003/post", data={"csrf": token})
    assert r.status_code == 200 and "Posted SO-003: 1 reservation now count as used." in r.text
    assert 'data-reservation="SO-003"' not in r.text
    assert [t["kind"] for t in service.ledger.transfers("SO-003")] == ["pending", "post"]

    no_reason = officer.post("/reservations/SO-004/void", data={"csrf": token, "reason": "  "})
    assert no_reason.status_code == 422 and "give a reason for voiding SO-004" in no_reason.text
    r = officer.post("/reservations/SO-004/void", data={"csrf": token, "reason": "order cancelled by the buyer"})
    assert r.status_code == 200 and "Voided SO-004" in r.text and "order cancelled by the buyer" in r.text
    assert [t["kind"] for t in service.ledger.transfers("SO-004")] == ["pending", "void"]
    again = officer.post("/reservations/SO-004/post", data={"csrf": token})
    assert again.status_code == 409 and "Not posted" in again.text

    viewer = _signed_in(app, "vera", "viewer")
    page = viewer.get("/reservations")
    assert page.status_code == 200 and "officer role needed" in page.text and "/void" not in page.text
    refused = viewer.post("/reservations/SO-005/post", data={"csrf": _csrf(viewer.get("/decide").text)})
    assert refused.status_code == 403 and "officer" in refused.text
    assert [t["kind"] for t in service.ledger.transfers("SO-005")] == ["pending"]
    forged = officer.post("/reservations/SO-005/void", data={"csrf": "forged", "reason": "x"},
                          follow_redirects=False)
    assert forged.status_code == 303 and forged.headers["location"] == "/login"
    assert [t["kind"] for t in service.ledger.transfers("SO-005")] == ["pending"]

    log = [(e["action"], e["subject"], e["actor"]) for e in service.audit(20)]
    assert any(a == "post" and s == "SO-003" and "olga" in who for a, s, who in log), log
    assert any(a == "void" and s == "SO-004" and "olga" in who for a, s, who in log), log
    assert service.ledger.verify().ok


def test_reservations_are_paged(sqlite_app):
    service = sqlite_app.state.service
    seed_sample(service)
    seen = []
    for n in (1, 2, 3, 4, 5):
        q = views.reservation_rows(service, n, per_page=5)
        assert q["total"] == 22 and q["pages"] == 5 and q["page"] == n
        seen += [r["transaction_id"] for r in q["rows"]]
    assert len(seen) == len(set(seen)) == 22 and "SO-003" in seen
