"""In a real browser (issue 10): an officer checks both keyed audit chains on the dashboard's Audit page,
then against the heads it printed; a malformed head is named; a key's role edited in the database
shows the keys chain altered; a viewer is refused (403)."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import create_engine, text

from tests.service.conftest import keyed_server, open_as, sign_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("AIDF_SCREENSHOTS")


@pytest.fixture(scope="module")
def keyed(tmp_path_factory, browser):
    with keyed_server(tmp_path_factory.mktemp("audit"), "spare-user") as server:
        yield server


def test_officer_checks_both_chains_then_against_the_kept_heads(keyed, page, tmp_path):
    open_as(page, keyed, "officer", "/audit")
    assert page.inner_text("#ledger-chain h2") == "Ledger audit chain: intact"
    assert page.inner_text("#keys-chain h2") == "API keys audit chain: intact"
    heads = [page.inner_text(f"#{c} code.head") for c in ("ledger-chain", "keys-chain")]
    assert all(re.fullmatch(r"[0-9]+:[0-9a-f]{64}", h) for h in heads)
    folder = SHOTS or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, "audit.png"), full_page=True)

    page.fill("input[name=expect_head]", heads[0])
    page.fill("input[name=expect_keys_head]", heads[1])
    with page.expect_navigation():
        page.click("#kept-heads button")
    assert "the head you kept is in the chain" in page.inner_text("#ledger-chain")
    assert "the head you kept is in the chain" in page.inner_text("#keys-chain")

    page.fill("input[name=expect_keys_head]", "12")
    with page.expect_navigation():
        page.click("#kept-heads button")
    assert "the keys head must be SEQ:HASH" in page.inner_text("p.notice")


def test_a_role_edited_in_the_database_shows_the_keys_chain_altered(keyed, page, tmp_path):
    url = keyed["url"]
    eng = create_engine(f"sqlite:///{keyed['ledger']}")
    with eng.begin() as c:
        c.execute(text("UPDATE service_api_keys SET role = 'admin' WHERE name = 'spare-user'"))
    eng.dispose()
    sign_in(page, url, keyed["officer"])
    page.goto(url + "/audit")
    assert page.inner_text("#keys-chain h2") == "API keys audit chain: altered"
    assert "role" in page.inner_text("#keys-chain p.verdict")
    assert page.inner_text("#ledger-chain h2") == "Ledger audit chain: intact"
    page.screenshot(path=os.path.join(SHOTS or str(tmp_path), "audit-altered.png"), full_page=True)


def test_a_viewer_is_refused(keyed, page):
    sign_in(page, keyed["url"], keyed["viewer"])
    resp = page.goto(keyed["url"] + "/audit")
    assert resp.status == 403
    assert "needs the officer role" in page.inner_text("p.notice") and page.locator("#kept-heads").count() == 0
