"""In a real browser (issue 10): an officer posts one reservation and voids another from the dashboard;
a viewer sees no buttons and a forged post from the viewer's session is refused (403)."""

from __future__ import annotations

import os
import re

import httpx
import pytest

from tests.service.conftest import keyed_server, open_as, sign_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("AIDF_SCREENSHOTS")


@pytest.fixture(scope="module")
def keyed(tmp_path_factory, browser):
    with keyed_server(tmp_path_factory.mktemp("reservations")) as server:
        yield server


def test_officer_posts_one_and_voids_another(keyed, page, tmp_path):
    url = keyed["url"]
    open_as(page, keyed, "officer", "/reservations")
    assert page.locator("tr[data-reservation=SO-003]").count() == 1
    folder = SHOTS or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, "reservations.png"), full_page=True)

    with page.expect_navigation():
        page.locator("tr[data-reservation=SO-003] form[action$='/post'] button").click()
    assert "Posted SO-003" in page.inner_text("p.notice")
    assert page.locator("tr[data-reservation=SO-003]").count() == 0

    row = page.locator("tr[data-reservation=SO-004]")
    row.locator("input[name=reason]").fill("Buyer cancelled the order")
    with page.expect_navigation():
        row.locator("form[action$='/void'] button").click()
    notice = page.inner_text("p.notice")
    assert "Voided SO-004" in notice and "Buyer cancelled the order" in notice
    assert page.locator("tr[data-reservation=SO-004]").count() == 0
    page.screenshot(path=os.path.join(folder, "reservations-after.png"), full_page=True)

    log = httpx.get(f"{url}/v1/audit", params={"limit": 20},
                    headers={"X-API-Key": keyed["officer"]}).json()
    done = {(e["action"], e["subject"]) for e in log if "officer-user" in e["actor"]}
    assert {("post", "SO-003"), ("void", "SO-004")} <= done


def test_viewer_is_refused(keyed, page):
    url = keyed["url"]
    sign_in(page, url, keyed["viewer"])
    page.goto(url + "/reservations")
    row = page.locator("tr[data-reservation=SO-005]")
    assert row.count() == 1 and "officer role needed" in row.inner_text()
    assert row.locator("button").count() == 0
    page.goto(url + "/decide")  # a page with the session's CSRF token in a form
    token = re.search(r'name="csrf" value="([^"]+)"', page.content()).group(1)
    r = page.request.post(url + "/reservations/SO-005/post", form={"csrf": token}, max_redirects=0)
    assert r.status == 403 and "officer" in r.text()
    r = page.request.post(url + "/reservations/SO-005/void", form={"csrf": token, "reason": "x"}, max_redirects=0)
    assert r.status == 403
    page.goto(url + "/reservations")
    assert page.locator("tr[data-reservation=SO-005]").count() == 1
