"""The decide form carries what the law turns on beyond country and chip: a Part 746 region and a .z listing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aidf.service.app import create_app
from tests.service.test_web_timelines import _csrf

BASE = {"id": "W1", "date": "2025-07-01", "action": "export", "chip_0": "nvidia-h100-sxm5", "qty_0": "10",
        "uc_sector": "private", "direct": "on"}


def test_a_crimean_destination_is_decided_under_746_6(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"), local_dashboard=True)
    c = TestClient(app, base_url="http://127.0.0.1")
    form = c.get("/decide").text
    assert 'name="destination_region"' in form and "Data center" in form
    data = BASE | {"destination": "UA", "destination_region": "ua-43", "uc_name": "Simferopol Data",
                   "uc_country": "UA", "csrf": _csrf(form)}
    r = c.post("/decide", data=data)
    assert r.status_code == 200 and "746.6" in r.text and "policy of denial" in r.text
    bad = c.post("/decide", data=data | {"id": "W2", "destination_region": "FR-75"})
    assert bad.status_code == 422 and "destination_region" in bad.text
    app.state.service.close()


def test_a_listed_eccn_makes_the_line_a_z_item(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"), local_dashboard=True)
    c = TestClient(app, base_url="http://127.0.0.1")
    form = c.get("/decide").text
    assert 'name="listed_0"' in form and "5A992.z" in form
    r = c.post("/decide", data=BASE | {"destination": "FR", "listed_0": "5A992", "uc_name": "Lyon Calcul SAS",
                                       "uc_country": "FR", "csrf": _csrf(form)})
    assert r.status_code == 200 and "5A992.z" in r.text
    app.state.service.close()
