"""The options section of the decision page, and its link into the decide form."""

from __future__ import annotations

import html
import os
import re
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from aidf.service.app import create_app
from aidf.service.options_web import form_values

CHROMIUM = "/usr/bin/chromium"
INDIA = {"id": "W1", "date": "2025-06-16", "action": "export", "destination": "IN",
         "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 2000}],
         "parties": {"ultimate_consignee": {"name": "Pune Compute Pvt Ltd", "country": "IN"}}}


def test_form_values_carry_what_the_form_has_fields_for():
    v = form_values(INDIA)
    assert v["chip_0"] == "nvidia-h100-sxm5" and v["qty_0"] == "2000" and v["uc_country"] == "IN" and v["direct"] == "on"
    figures = INDIA | {"items": [{"tpp": 3000, "datacenter": True, "quantity": 1}]}
    assert form_values(figures) is None  # the form has no fields for chip figures


def _csrf(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', text).group(1)


def test_decision_page_lists_options_with_links_to_the_form(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"), local_dashboard=True)
    c = TestClient(app, base_url="http://127.0.0.1")
    form = {"csrf": _csrf(c.get("/decide").text), "id": "W1", "date": "2025-06-16", "action": "export",
            "destination": "IN", "chip_0": "nvidia-h100-sxm5", "qty_0": "2000", "uc_name": "Pune Compute Pvt Ltd",
            "uc_country": "IN", "direct": "on"}
    page = c.post("/decide", data=form).text
    assert 'id="options"' in page and "quantity of line 1: 1,699" in page
    link = html.unescape(re.search(r'id="option-1" href="([^"]+)"', page).group(1))
    filled = c.get(link).text
    assert 'name="qty_0" value="1699"' in filled and 'value="W1-option-1"' in filled
    assert app.state.service.ledger.find("W1") is None
    app.state.service.close()


@pytest.mark.browser
def test_option_opens_the_changed_transaction_in_the_form(tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium not installed")
    import subprocess

    from playwright.sync_api import sync_playwright

    from aidf.service.server import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from aidf.cli import main; main()", "serve", "--port", str(port),
                             "--ledger", str(tmp_path / "ledger.sqlite"), "--open-dashboard-without-key"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
            page = b.new_page()
            page.goto(url + "/decide")
            page.fill("input[name=id]", "BR-OPT-1")
            page.fill("input[name=date]", "2025-06-16")
            page.fill("input[name=destination]", "IN")
            page.select_option("select[name=chip_0]", "nvidia-h100-sxm5")
            page.fill("input[name=qty_0]", "2000")
            page.fill("input[name=uc_name]", "Pune Compute Pvt Ltd")
            page.fill("input[name=uc_country]", "IN")
            page.click("#decide-submit")
            assert page.inner_text("#outcome").startswith("License required")
            assert "1,699" in page.inner_text("#options li:first-child")
            page.click("#option-1")
            assert page.input_value("input[name=qty_0]") == "1699"
            page.click("#decide-submit")
            assert page.inner_text("#outcome").startswith("License exception — LPP")
            b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_memo_of_an_unbooked_decision_shows_its_options_outside_the_hash(tmp_path):
    import json

    from aidf.engine import decide
    from aidf.memo.render import content_hash

    app = create_app(str(tmp_path / "l.sqlite"), local_dashboard=True)
    c = TestClient(app, base_url="http://127.0.0.1")
    r = c.post("/memo", data={"csrf": _csrf(c.get("/decide").text), "transaction": json.dumps(INDIA), "format": "html"})
    assert r.status_code == 200
    assert "Options: what would let this go with less" in r.text and "quantity of line 1: 1,699" in r.text
    assert content_hash(decide(INDIA)) in r.text
    app.state.service.close()
