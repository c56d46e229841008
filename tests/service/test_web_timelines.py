"""The dashboard resolves dates as decisions do (default timeline), and the decide form never assumes a quantity."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from aidf.service.app import create_app
from aidf.service.sample import seed_sample


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_tier_map_as_of_2024_and_grace_window_dates(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"), local_dashboard=True)
    seed_sample(app.state.service)
    c = TestClient(app, base_url="http://127.0.0.1")
    for day in ("2024-06-01", "2025-01-12", "2025-03-03", "2025-07-01"):
        r = c.get("/", params={"on": day})
        assert r.status_code == 200, (day, r.text[:300])
        assert 'data-iso="FR"' in r.text and 'data-iso="CN"' in r.text
    assert c.get("/rulesets", params={"on": "2024-06-01"}).status_code == 200
    app.state.service.close()


def test_decide_form_refuses_a_blank_quantity_naming_it(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"), local_dashboard=True)
    c = TestClient(app, base_url="http://127.0.0.1")
    form = c.get("/decide").text
    data = {"id": "W1", "date": "2025-07-01", "action": "export", "destination": "FR", "chip_0": "nvidia-b200",
            "qty_0": "", "uc_name": "Lyon Calcul SAS", "uc_country": "FR", "uc_sector": "private", "direct": "on",
            "csrf": _csrf(form)}
    bad = c.post("/decide", data=data)
    assert bad.status_code == 422 and "items.0.quantity" in bad.text
    ok = c.post("/decide", data=data | {"qty_0": "16", "rules": "as-enforced"})
    assert ok.status_code == 200 and "non-enforced-2025" in ok.text
    app.state.service.close()
