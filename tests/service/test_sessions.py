"""Dashboard sessions follow their keys: revocation and role changes reach signed-in browsers, sessions
time out (idle and absolute), sign-out ends them on the server, and every worker shares them."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from aidf.service.app import create_app
from aidf.service.sample import seed_sample
from aidf.service.sessions import SessionStore


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _signed_in(app, role: str = "officer", name: str = "olga"):
    key, row = app.state.service.keys.create(name, role)
    c = TestClient(app, base_url="http://127.0.0.1")
    assert c.post("/login", data={"key": key}).status_code == 200
    return c, key, row["key_id"]


def _release(c, tid: str, csrf: str):
    return c.post(f"/holds/{tid}/release", data={"csrf": csrf, "reason": "withdrawn by the exporter"},
                  follow_redirects=False)


def _open_hold(app) -> str:
    seed_sample(app.state.service)
    return app.state.service.holds("open")[0]["transaction_id"]


def test_revoked_key_ends_its_dashboard_session(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"))
    tid = _open_hold(app)
    c, _, key_id = _signed_in(app)
    csrf = _csrf(c.get("/holds").text)
    admin = app.state.service.keys.create("root", "admin")[0]
    assert c.delete(f"/v1/keys/{key_id}", headers={"X-API-Key": admin}).status_code == 204
    r = c.post(f"/holds/{tid}/release", data={"csrf": csrf, "reason": "override after revocation"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert app.state.service.holds("open")[0]["transaction_id"] == tid  # nothing was released
    assert c.get("/", follow_redirects=False).status_code == 303
    app.state.service.close()


def test_revocation_in_another_process_reaches_the_session_within_the_cache_ttl(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"))
    tid = _open_hold(app)
    app.state.service.keys.cache_ttl = 0  # every request asks the database (the bound is the TTL)
    c, _, key_id = _signed_in(app)
    csrf = _csrf(c.get("/holds").text)
    other = create_app(str(tmp_path / "l.sqlite"))  # e.g. `aidf keys revoke` or another worker
    assert other.state.service.keys.revoke(key_id, actor="cli")
    r = c.post(f"/holds/{tid}/release", data={"csrf": csrf, "reason": "x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    other.state.service.close()
    app.state.service.close()


def test_role_change_applies_to_the_session(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"))
    tid = _open_hold(app)
    c, _, key_id = _signed_in(app)
    csrf = _csrf(c.get("/holds").text)  # the form as the officer saw it
    admin = app.state.service.keys.create("root", "admin")[0]
    r = c.patch(f"/v1/keys/{key_id}", json={"role": "viewer"}, headers={"X-API-Key": admin})
    assert r.status_code == 200 and r.json()["role"] == "viewer"
    assert "olga · viewer" in c.get("/").text
    r = _release(c, tid, csrf)
    assert r.status_code == 403 and "officer" in r.text  # a refusal is not a 200
    assert app.state.service.holds("open")[0]["transaction_id"] == tid
    app.state.service.close()


def test_viewer_release_is_403(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"))
    tid = _open_hold(app)
    c, _, _ = _signed_in(app, "viewer", "vera")
    csrf = _csrf(c.get("/decide").text)  # the viewer's own token, as a hand-made form would carry
    assert _release(c, tid, csrf).status_code == 403
    app.state.service.close()


def test_sign_out_ends_the_session_on_the_server(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"))
    c, _, _ = _signed_in(app)
    cookie = c.cookies["aidf_session"]
    assert c.post("/logout", follow_redirects=False).status_code == 303
    replay = TestClient(app, base_url="http://127.0.0.1", cookies={"aidf_session": cookie})
    assert replay.get("/", follow_redirects=False).status_code == 303  # a copied cookie is worthless
    app.state.service.close()


def test_sessions_are_shared_by_processes_over_one_database(tmp_path):
    one = create_app(str(tmp_path / "l.sqlite"))
    two = create_app(str(tmp_path / "l.sqlite"))  # a second worker
    c, _, _ = _signed_in(one)
    other = TestClient(two, base_url="http://127.0.0.1", cookies={"aidf_session": c.cookies["aidf_session"]})
    assert "olga · officer" in other.get("/").text
    one.state.service.close()
    two.state.service.close()


def test_idle_and_absolute_timeouts(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"))
    keys = app.state.service.keys
    now = [1_000_000.0]
    store = SessionStore(keys.engine, keys._lock, idle_s=600, max_s=3600, clock=lambda: now[0])
    sid, _ = store.start("k1")
    now[0] += 599
    assert store.get(sid) is not None
    now[0] += 601  # idle longer than 600 s
    assert store.get(sid) is None
    sid, _ = store.start("k1")
    for _ in range(8):  # kept busy, yet older than the absolute limit at the end
        now[0] += 500
        store.get(sid)
    assert store.get(sid) is None
    app.state.service.close()


def test_session_table_keeps_no_usable_session_id(tmp_path):
    app = create_app(str(tmp_path / "l.sqlite"))
    c, _, _ = _signed_in(app)
    sid = c.cookies["aidf_session"]
    with app.state.service.keys.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT sid_hash, key_id FROM service_sessions").all()
    assert rows and all(sid not in r.sid_hash for r in rows)
    app.state.service.close()
