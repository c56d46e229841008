"""Dashboard over TestClient: sign-in, the local keyless mode and its limits, CSRF, pages render."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from aidf.service.app import create_app
from aidf.service.sample import seed_sample
from aidf.service.server import build, is_loopback


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _tx_field(html: str) -> str:
    import html as h

    return h.unescape(re.search(r'name="transaction" value="([^"]+)"', html).group(1))


def test_pages_need_a_session_unless_local(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"))
    c = TestClient(app, base_url="http://127.0.0.1")
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    key, _ = app.state.service.keys.create("olga", "officer")
    assert c.post("/login", data={"key": "wrong"}).status_code == 401
    assert c.post("/login", data={"key": key}).status_code == 200
    page = c.get("/")
    assert "olga · officer" in page.text
    app.state.service.close()


def test_local_dashboard_only_for_loopback_hosts(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"), local_dashboard=True)
    local = TestClient(app, base_url="http://127.0.0.1")
    assert "local-dashboard · officer" in local.get("/").text
    rebound = TestClient(app, base_url="http://evil.example")
    assert rebound.get("/", follow_redirects=False).status_code == 303
    assert local.get("/v1/catalog").status_code == 401  # the API always needs a key
    app.state.service.close()
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")


def test_open_dashboard_refused_on_public_bind(tmp_path):
    import pytest

    from aidf.errors import InputError

    with pytest.raises(InputError):
        build(str(tmp_path / "l.sqlite"), host="0.0.0.0", open_dashboard=True, sample=False)


def test_forms_need_the_csrf_token(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"), local_dashboard=True)
    c = TestClient(app, base_url="http://127.0.0.1")
    form = c.get("/decide").text
    data = {"id": "W1", "date": "2025-07-01", "action": "export", "destination": "FR", "chip_0": "nvidia-b200",
            "qty_0": "16", "uc_name": "Lyon Calcul SAS", "uc_country": "FR", "uc_sector": "private", "direct": "on"}
    assert c.post("/decide", data=data, follow_redirects=False).status_code == 303
    ok = c.post("/decide", data=data | {"csrf": _csrf(form)})
    assert ok.status_code == 200 and "LICENSE_EXCEPTION" in ok.text and "15 CFR 740.27" in ok.text
    memo = c.post("/memo", data={"csrf": _csrf(form), "format": "html", "transaction": _tx_field(ok.text)})
    assert memo.status_code == 200 and "not booked" in memo.text and "740.27" in memo.text
    bad = c.post("/decide", data=data | {"csrf": _csrf(form), "qty_0": "-3"})
    assert bad.status_code == 422 and "items.0.quantity" in bad.text
    app.state.service.close()


def test_dashboard_pages_on_the_sample_book(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"), local_dashboard=True)
    done = seed_sample(app.state.service)
    assert done["transactions"] >= 30 and seed_sample(app.state.service)["transactions"] == 0
    c = TestClient(app, base_url="http://127.0.0.1")
    home = c.get("/", params={"on": "2025-07-01"}).text
    assert 'data-iso="MX"' in home and 'class="t3" data-iso="CN"' in home and 'class="t1" data-iso="FR"' in home
    assert "Mexico (MX)" in home and "H100" in home and "monterrey" in home
    assert "<svg" in c.get("/allocations/MX").text
    assert "SO-0" in c.get("/holds").text
    assert "annual_tpp_cap" in c.get("/parameters", params={"path": "part740/lpp"}).text
    assert "pre-diffusion-2024" in c.get("/rulesets").text
    answer = c.get("/decisions/SO-003").text
    assert "LPP" in answer and "15 CFR 740.29(a)" in answer and "/memo/SO-003.pdf" in answer
    assert c.get("/memo/SO-003.pdf").content.startswith(b"%PDF")
    assert c.get("/decisions/NOPE").status_code == 404
    app.state.service.close()
