"""The /simulate page and the HTML report in a real browser (Debian chromium), with the network off."""

from __future__ import annotations

import pytest

from aidf.simulate import compare, report, scenario
from aidf.simulate.sample import SAMPLE_BOOK
from tests.service.conftest import browser, page  # noqa: F401  (fixtures)
from tests.service.test_browser import server  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def test_the_simulate_page_compares_the_sample_book_with_a_reform(page, server, tmp_path):  # noqa: F811
    page.goto(server + "/simulate")
    page.fill("input[name=lpp_cap]", "53,800,000")
    page.click("button:has-text('Compare')")
    page.wait_for_selector(".sim-chart svg", timeout=180_000)
    text = page.inner_text("main")
    assert "Compute by route" in text and "reform" in text and "26,900,000" in text
    page.screenshot(path=str(tmp_path / "simulate.png"), full_page=True)
    assert (tmp_path / "simulate.png").stat().st_size > 10_000


def test_the_report_renders_offline(browser, tmp_path):  # noqa: F811
    c = compare.compare(SAMPLE_BOOK, [scenario.from_rules("ai-diffusion-2025"), scenario.from_rules("pre-diffusion-2024")])
    path = tmp_path / "report.html"
    report.write(c, path)
    ctx = browser.new_context(offline=True)
    requests: list[str] = []
    pg = ctx.new_page()
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto(path.as_uri())
    assert pg.locator("svg").count() >= 3
    assert [u for u in requests if not u.startswith("file:")] == []
    pg.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    ctx.close()
