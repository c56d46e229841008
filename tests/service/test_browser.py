"""The dashboard in a real browser (Debian chromium through Playwright), against `aidf serve`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import httpx
import pytest

from aidf.service.server import free_port
from tests.service.conftest import CHROMIUM
from tests.service.test_memo import pdf_text

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError("chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium not installed")
    tmp = tmp_path_factory.mktemp("srv")
    port = free_port()
    cmd = [sys.executable, "-c", "from aidf.cli import main; main()", "serve", "--port", str(port),
           "--ledger", str(tmp / "ledger.sqlite"), "--sample", "--open-dashboard-without-key"]
    proc = subprocess.Popen(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("server did not start: " + proc.stdout.read().decode(errors="replace"))
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
    assert page.inner_text("#outcome").startswith("LICENSE_EXCEPTION · AIA")
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
    assert page.locator("svg.chart").count() >= 1
