"""Fixtures: a fresh ledger per test on each store (memory, SQLite file, PostgreSQL schema)."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from aidf.ledger import open_ledger

PG_BASE = os.environ.get("AIDF_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


class FakeClock:
    """A settable clock, so expiry is tested without waiting."""

    def __init__(self, start: dt.datetime | None = None):
        self.now = start or dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


def _pg_reachable() -> bool:
    try:
        eng = create_engine(PG_BASE, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:
        return False


_PG_OK: bool | None = None


def pg_available() -> bool:
    global _PG_OK
    if _PG_OK is None:
        _PG_OK = _pg_reachable()
    if not _PG_OK and not os.environ.get("CI"):
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432 (required when CI is set)")
    return True


class PgSchema:
    """A throwaway schema; its URL sets search_path so every process (and the CLI) lands in it."""

    def __init__(self) -> None:
        self.name = "t_" + uuid.uuid4().hex[:12]
        self.url = f"{PG_BASE}?options=-csearch_path%3D{self.name}"
        self._admin = create_engine(PG_BASE)
        with self._admin.begin() as c:
            c.execute(text(f"CREATE SCHEMA {self.name}"))

    def drop(self) -> None:
        with self._admin.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {self.name} CASCADE"))
        self._admin.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _url_for(kind: str, tmp_path, request) -> str:
    if kind == "memory":
        return "memory"
    if kind == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    pg_available()
    schema = PgSchema()
    request.addfinalizer(schema.drop)
    return schema.url


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> str:
    """A fresh ledger location on each store."""
    return _url_for(request.param, tmp_path, request)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def durable_url(request, tmp_path) -> str:
    """A fresh ledger location on each store that other processes can share."""
    return _url_for(request.param, tmp_path, request)


@pytest.fixture
def ledger(store_url, clock):
    led = open_ledger(store_url, clock=clock)
    yield led
    led.close()
