"""The screening page in a real browser (Debian chromium through Playwright): search, feature bars,
the officer's clear button; a screenshot is kept for a person to look at."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.screening.helpers import FIXTURE
from tests.service.conftest import start_server

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser
SHOT = Path(os.environ.get("AIDF_SCREENSHOTS", "")) if os.environ.get("AIDF_SCREENSHOTS") else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError("chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium not installed")
    tmp = tmp_path_factory.mktemp("scr")
    led = str(tmp / "ledger.sqlite")
    base = [sys.executable, "-c", "from aidf.cli import main; main()"]
    subprocess.run(base + ["lists", "load", str(FIXTURE), "--ledger", led, "--actor", "loader"], check=True,
                   cwd=tmp, capture_output=True)
    proc, url = start_server(tmp, "--ledger", led, "--open-dashboard-without-key")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        pg = b.new_page(viewport={"width": 1280, "height": 1100})
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        yield pg
        b.close()
        assert errors == []


def test_search_explain_and_clear(server, page, tmp_path):
    page.goto(server + "/screen")
    assert "13 entries" in page.inner_text("main")
    page.fill("input[name=q]", "Lysandra Calcul")
    page.fill("input[name=country]", "FR")
    page.click("form[role=search] button")
    result = page.inner_text("#screen-result")
    assert "possibly matches a list entry" in result and "EL:fx13" in result and "90 FR 10013" in result
    card = page.locator("article.match[data-entry='EL:fx13']")
    assert card.locator("table.features tbody tr").count() == 6
    assert card.locator("svg rect").count() == 12  # a track and a bar per feature
    page.screenshot(path=str((SHOT or tmp_path) / "screening-page.png"), full_page=True)
    card.locator("input[name=reason]").fill("Different company: registered in Lyon under another SIREN")
    card.locator("button").click()
    assert "Cleared Lysandra Calcul against EL entry" in page.inner_text("p.notice")
    assert "cleared by an officer" in page.inner_text("#screen-result")
    assert "another SIREN" in page.inner_text("main")
    assert page.locator("article.match form.clear").count() == 0


def test_no_name_no_result_and_bad_country_named(server, page):
    page.goto(server + "/screen?q=Acme&country=XX")
    assert "country" in page.inner_text("p.notice[role=alert]")
