"""Lists come a page at a time (limit + cursor), the overview reads summaries not the log, and every
answer carries the security headers; /docs and /redoc name no external host."""

from __future__ import annotations

import re

import pytest

from aidf.service.sample import seed_sample
from tests.service.conftest import tx


def _all_pages(api, path: str, limit: int, role: str = "viewer") -> tuple[list, int]:
    rows, pages, url = [], 0, f"{path}{'&' if '?' in path else '?'}limit={limit}"
    while True:
        r = api.get(url, role)
        assert r.status_code == 200, r.text
        assert len(r.json()) <= limit
        rows += r.json()
        pages += 1
        cursor = r.headers.get("x-next-cursor")
        if cursor is None:
            return rows, pages
        assert 'rel="next"' in r.headers["link"]
        url = f"{path}{'&' if '?' in path else '?'}limit={limit}&cursor={cursor}"


def test_holds_licenses_decisions_and_history_page_through_everything(api):
    service = api.app.state.service
    seed_sample(service)
    every_hold = service.holds("all")
    rows, pages = _all_pages(api, "/v1/holds?status=all", 2)
    assert [h["transaction_id"] for h in rows] == [h["transaction_id"] for h in every_hold]
    assert pages >= 2
    open_rows, _ = _all_pages(api, "/v1/holds", 3)
    assert {h["transaction_id"] for h in open_rows} == {h["transaction_id"] for h in service.holds("open")}
    lic, _ = _all_pages(api, "/v1/licenses", 1)
    assert [x["number"] for x in lic] == [x["number"] for x in service.licenses()]
    booked, pages = _all_pages(api, "/v1/decisions", 4)
    assert len(booked) == len({b["transaction_id"] for b in booked}) >= 5 and pages >= 2
    assert all(b["outcome"] and b["booked_by"] for b in booked)
    account = max(service.accounts(), key=lambda a: len(service.history(a["id"])))
    hist, _ = _all_pages(api, f"/v1/accounts/{account['id']}/history", 1)
    assert [t["id"] for t in hist] == [t["id"] for t in service.history(account["id"])]


def test_audit_pages_back_in_time(api):
    for i in range(5):
        assert api.post("/v1/decisions?book=true", json=tx(f"A{i}", qty=1)).status_code == 200
    full = api.get("/v1/audit?limit=5000", "officer").json()
    r = api.get("/v1/audit?limit=2", "officer")
    newest = r.json()
    assert newest == full[-2:]
    older = api.get(f"/v1/audit?limit=2&cursor={r.headers['x-next-cursor']}", "officer").json()
    assert older == full[-4:-2]


def test_holds_default_page_is_bounded(sqlite_api):
    from aidf.service import limits

    r = sqlite_api.get("/v1/holds?limit=" + str(limits.PAGE_MAX + 1))
    assert r.status_code == 422 and r.json()["error"]["field"] == "limit"


def test_overview_never_reads_the_whole_audit_log(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from aidf.service.app import create_app

    app = create_app(str(tmp_path / "l.sqlite"), local_dashboard=True)
    seed_sample(app.state.service)
    ledger = app.state.service.ledger

    def whole_log(*a, **kw):
        raise AssertionError("the overview read the whole audit log")

    monkeypatch.setattr(ledger, "audit_log", whole_log)
    monkeypatch.setattr(ledger, "holds", whole_log)  # nor every hold
    c = TestClient(app, base_url="http://127.0.0.1")
    r = c.get("/?on=2025-07-01")
    assert r.status_code == 200 and "SO-0" in r.text
    assert c.get("/decisions/SO-003").status_code == 200
    app.state.service.close()


@pytest.mark.parametrize("path", ["/v1/health", "/", "/login", "/docs", "/redoc", "/v1/nowhere", "/static/app.css"])
def test_security_headers_everywhere(sqlite_api, path):
    r = sqlite_api.client.get(path, follow_redirects=False)
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    script = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_refusals_carry_security_headers_too(sqlite_api):
    r = sqlite_api.client.get("/v1/catalog", headers=[("X-API-Key", "a"), ("X-API-Key", "b")])
    assert r.status_code == 400 and r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_name_no_external_host_and_no_inline_script(sqlite_api, path):
    html = sqlite_api.client.get(path).text
    assert "http://" not in html and "https://" not in html and "//" not in html.replace("://", "")
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # every script is a file
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert sqlite_api.client.get(src).status_code == 200, src


def test_templates_have_no_inline_script():
    from pathlib import Path

    import aidf.service

    for t in (Path(aidf.service.__file__).parent / "templates").glob("*.html"):
        text = t.read_text()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text) == [], t.name
        assert not re.search(r"\son[a-z]+=", text), t.name  # no inline event handlers either
