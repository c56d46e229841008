"""Fixtures: the app over a fresh ledger (SQLite file, PostgreSQL schema), keys for each role."""

from __future__ import annotations

import contextlib
import os
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from aidf.service.app import create_app

CHROMIUM = "/usr/bin/chromium"
PG_BASE = os.environ.get("AIDF_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROLES = ("viewer", "analyst", "officer", "admin")


def pg_url(request) -> str:
    """A throwaway PostgreSQL schema (skipped when the server is down, unless CI is set)."""
    try:
        eng = create_engine(PG_BASE, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
    except Exception:
        if os.environ.get("CI"):
            raise
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    name = "svc_" + uuid.uuid4().hex[:12]
    with eng.begin() as c:
        c.execute(text(f"CREATE SCHEMA {name}"))

    def drop() -> None:
        with eng.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        eng.dispose()

    request.addfinalizer(drop)
    return f"{PG_BASE}?options=-csearch_path%3D{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ledger_spec(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    return pg_url(request)


class Api:
    """A TestClient plus one key per role."""

    def __init__(self, app):
        self.app = app
        self.client = TestClient(app, base_url="http://127.0.0.1")
        self.keys = {r: app.state.service.keys.create(f"{r}-user", r)[0] for r in ROLES}

    def h(self, role: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[role]}

    def get(self, path: str, role: str = "viewer", **kw):
        return self.client.get(path, headers=self.h(role), **kw)

    def post(self, path: str, role: str = "officer", **kw):
        return self.client.post(path, headers=self.h(role), **kw)


@pytest.fixture
def api(ledger_spec):
    app = create_app(ledger_spec)
    yield Api(app)
    app.state.service.close()


@pytest.fixture
def sqlite_app(tmp_path):
    """The app over a fresh SQLite ledger file, closed after the test."""
    app = create_app(str(tmp_path / "l.sqlite"))
    yield app
    app.state.service.close()


@pytest.fixture
def sqlite_api(tmp_path):
    app = create_app(str(tmp_path / "ledger.sqlite"))
    yield Api(app)
    app.state.service.close()


def tx(id: str = "T1", dest: str = "MX", chip: str = "nvidia-h200-sxm", qty: int = 500, **kw) -> dict:
    body = {"id": id, "date": "2025-07-01", "action": "export", "destination": dest,
            "items": [{"catalog": chip, "quantity": qty}],
            "parties": {"ultimate_consignee": {"name": f"Consignee {dest}", "country": dest, "private_sector": True}}}
    return body | kw


@pytest.fixture(scope="module")
def browser():
    """Debian chromium through Playwright (skipped when absent, unless CI is set)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError("chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(accept_downloads=True)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def start_server(tmp, *args: str, env: dict | None = None):
    """`aidf serve` in a subprocess on a free loopback port; returns (process, base URL)."""
    import subprocess
    import sys
    import time

    import httpx

    from aidf.service.server import free_port

    port = free_port()
    cmd = [sys.executable, "-c", "from aidf.cli import main; main()", "serve", "--port", str(port), *args]
    proc = subprocess.Popen(cmd, cwd=tmp, env=os.environ | (env or {}), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start: " + proc.stdout.read().decode(errors="replace"))


@contextlib.contextmanager
def keyed_server(tmp, *spare_viewers: str):
    """`aidf serve --sample` over a SQLite ledger, with a viewer's and an officer's key (and spare viewer
    keys under the names given); yields the URL, the ledger path and the two keys."""
    from aidf.service.keys import KeyStore, keys_url

    ledger = str(tmp / "ledger.sqlite")
    store = KeyStore(keys_url(ledger))
    keys = {role: store.create(f"{role}-user", role)[0] for role in ("viewer", "officer")}
    for name in spare_viewers:
        store.create(name, "viewer")
    store.close()
    proc, url = start_server(tmp, "--ledger", ledger, "--sample")
    try:
        yield {"url": url, "ledger": ledger} | keys
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def sign_in(page, url: str, key: str) -> None:
    """Sign the browser page in on the dashboard with an API key."""
    page.goto(url + "/login")
    page.fill("input[name=key]", key)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def open_as(page, server: dict, role: str, path: str) -> None:
    """Sign in with `server`'s key for `role` (keyed_server) and open `path` at the size screenshots use."""
    sign_in(page, server["url"], server[role])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(server["url"] + path)
