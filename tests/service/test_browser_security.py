"""In a real browser: an officer's dashboard session is refused once the key is revoked, and /docs and
/redoc work with every request off this machine blocked (an air-gapped install)."""

from __future__ import annotations

import re

import httpx
import pytest

from aidf.service.keys import KeyStore, keys_url
from tests.service.conftest import start_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def keyed(tmp_path_factory, browser):
    """A server with keyed sign-in only (no local dashboard), a sample book, an officer and an admin."""
    tmp = tmp_path_factory.mktemp("keyed")
    ledger = str(tmp / "ledger.sqlite")
    store = KeyStore(keys_url(ledger))
    officer, row = store.create("olga", "officer")
    admin = store.create("root", "admin")[0]
    store.close()
    proc, url = start_server(tmp, "--ledger", ledger, "--sample")
    yield {"url": url, "officer": officer, "officer_id": row["key_id"], "admin": admin}
    proc.terminate()
    proc.wait(timeout=20)


def test_officer_session_is_refused_after_revocation(keyed, page):
    url = keyed["url"]
    page.goto(url + "/login")
    page.fill("input[name=key]", keyed["officer"])
    page.click("button[type=submit]")
    assert "olga · officer" in page.inner_text("header")
    page.goto(url + "/holds")
    row = page.locator("tr[data-hold=SO-015]")
    assert row.count() == 1
    r = httpx.delete(f"{url}/v1/keys/{keyed['officer_id']}", headers={"X-API-Key": keyed["admin"]})
    assert r.status_code == 204
    row.locator("input[name=reason]").fill("override attempted after revocation")
    row.locator("button").click()  # the page was loaded before the revocation, the form is still there
    page.wait_for_url("**/login")  # the refused post sends the browser to sign in again
    assert page.url.endswith("/login")
    assert "Sign in" in page.inner_text("h1")
    holds = httpx.get(f"{url}/v1/holds", headers={"X-API-Key": keyed["admin"]}).json()
    assert "SO-015" in [h["transaction_id"] for h in holds]  # nothing released
    page.goto(url + "/holds")
    assert page.url.endswith("/login")  # and the session stays ended


def _offline(page, base: str) -> list[str]:
    """Block (and record) every request that does not go to the server under test."""
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return blocked


def test_swagger_ui_works_offline(keyed, page):
    blocked = _offline(page, keyed["url"])
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(keyed["url"] + "/docs")
    page.wait_for_selector(".opblock", timeout=30000)
    assert page.locator(".opblock").count() >= 20
    assert "aidf" in page.inner_text(".info")
    assert blocked == []
    assert not [e for e in errors if re.search(r"Content Security Policy|Refused", e)], errors


def test_redoc_works_offline(keyed, page):
    blocked = _offline(page, keyed["url"])
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(keyed["url"] + "/redoc")
    page.wait_for_selector("h1", timeout=30000)
    assert "aidf" in page.inner_text("h1")
    assert page.locator("[data-section-id]").count() >= 10
    assert blocked == []
    # ReDoc's bundle names its "by Redocly" logo on a CDN: the CSP stops that image before any
    # request leaves, which is the point; no script or style is refused.
    refused = [e for e in errors if re.search(r"Content Security Policy|Refused", e) and "Loading the image" not in e]
    assert not refused, errors
