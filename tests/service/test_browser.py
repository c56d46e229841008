"""The dashboard in a real browser (Debian chromium through Playwright), against `aidf serve`."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.service.conftest import start_server
from tests.service.test_memo import pdf_text

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`aidf serve` on the sample book, with the dashboard open to this machine's browser."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError("chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium not installed")
    tmp = tmp_path_factory.mktemp("srv")
    proc, url = start_server(tmp, "--ledger", str(tmp / "ledger.sqlite"), "--sample", "--open-dashboard-without-key")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_decision_form_shows_outcome_and_citations(server, page):
    page.goto(server + "/decide")
    page.fill("input[name=id]", "BR-FORM-1")
    page.fill("input[name=date]", "2025-07-01")
    page.fill("input[name=destination]", "FR")
    page.select_option("select[name=chip_0]", "nvidia-b200")
    page.fill("input[name=qty_0]", "16")
    page.fill("input[name=uc_name]", "Lyon Calcul SAS")
    page.fill("input[name=uc_country]", "FR")
    page.select_option("select[name=uc_sector]", "private")
    page.click("#decide-submit")
    # The page shows the outcome in words, with the section that grants the exception (issue 13).
    assert page.inner_text("#outcome").startswith("License exception — AIA, 15 CFR 740.27")
    assert "15 CFR 740.27" in page.inner_text("#trace")


def test_bad_input_in_the_form_names_the_field(server, page):
    page.goto(server + "/decide")
    page.fill("input[name=destination]", "ZZ")
    page.select_option("select[name=chip_0]", "nvidia-b200")
    page.fill("input[name=uc_name]", "Nobody")
    page.fill("input[name=uc_country]", "FR")
    page.click("#decide-submit")
    assert "destination" in page.inner_text("p.error")


def test_release_a_hold(server, page):
    page.goto(server + "/holds")
    row = page.locator("tr[data-hold=SO-015]")
    row.locator("input[name=reason]").fill("Returned without action; exporter withdrew the order")
    row.locator("button").click()
    assert "Released SO-015" in page.inner_text("p.notice")
    assert page.locator("tr[data-hold=SO-015]").count() == 0
    page.goto(server + "/holds?status=released")
    assert "exporter withdrew" in page.inner_text("tr[data-hold=SO-015]")


def test_download_the_memo(server, page, tmp_path):
    page.goto(server + "/decisions/SO-003")
    with page.expect_download() as dl:
        page.click("#memo-pdf")
    path = tmp_path / "memo.pdf"
    dl.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = pdf_text(path)
        assert "SO-003" in text and "740.29" in text and "sha256" in text


def test_overview_map_and_panels(server, page):
    page.goto(server + "/?on=2025-07-01")
    assert page.locator("svg.worldmap path").count() > 150
    assert page.locator("svg.worldmap path.t3[data-iso=CN]").count() == 1
    assert "Mexico (MX)" in page.inner_text("#allocations")
    page.click("#allocations a >> text=Mexico (MX)")
    # a click only starts the navigation: wait for the allocation page before counting its charts
    page.wait_for_url("**/allocations/MX")
    page.locator("svg.chart").first.wait_for(state="attached")
    assert page.locator("svg.chart").count() >= 1


# ---- screenshots of the pages people read (issue 13) ------------------------------------------------

SHOTS = os.environ.get("AIDF_SCREENSHOTS")  # a folder to keep the screenshots in (default: the test's tmp)


def _shot(page, tmp_path, name: str) -> str:
    folder = SHOTS or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    assert os.path.getsize(path) > 10_000
    return path


@pytest.mark.parametrize("name, url, expect", [
    ("overview", "/?on=2025-07-01", "#counts"),
    ("decision", "/decisions/SO-004", "#outcome"),
    ("allocation", "/allocations/IN", "svg.chart"),
    ("allocation-tier3", "/allocations/CN", "#tier-says"),
    ("parameters", "/parameters?path=part742/country_allocation", "td.val"),
    ("holds", "/holds", "#holds-table"),
])
def test_screenshot_pages(server, page, tmp_path, name, url, expect):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(server + url)
    assert page.locator(expect).count() >= 1
    body = page.inner_text("main")
    for code in ("LICENSE_REQUIRED:", "presumption_of_", "country_allocation:country="):
        assert code not in body, (name, code)
    _shot(page, tmp_path, name)


def test_screenshot_memo_page(server, page, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) not installed")
    page.goto(server + "/decisions/SO-004")
    with page.expect_download() as dl:
        page.click("#memo-pdf")
    pdf = tmp_path / "memo.pdf"
    dl.value.save_as(pdf)
    folder = SHOTS or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(pdf), os.path.join(folder, "memo")],
                   check=True)
    pngs = sorted(p for p in os.listdir(folder) if p.startswith("memo") and p.endswith(".png"))
    assert pngs
