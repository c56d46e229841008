"""Resolve the --ledger option: `memory`, a file path (SQLite), or a database URL."""

from __future__ import annotations

import datetime as dt
import os

from aidf.ledger.common import Clock
from aidf.ledger.durable import SqlLedger
from aidf.ledger.memory import MemoryLedger

DEFAULT_LEDGER = os.path.join(".aidf", "ledger.sqlite")


def resolve_spec(spec: str | None = None) -> str:
    """The SQLAlchemy URL (or `memory`) that `spec`, $AIDF_LEDGER or the default names."""
    spec = (spec or os.environ.get("AIDF_LEDGER") or DEFAULT_LEDGER).strip()
    if spec == "memory" or "://" in spec:
        return spec
    path = os.path.abspath(os.path.expanduser(spec))
    if os.path.isdir(path):
        raise ValueError(f"{spec} is a directory; give a file such as {os.path.join(spec, 'ledger.sqlite')}")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return "sqlite:///" + path


def open_ledger(spec: str | None = None, *, clock: Clock | None = None,
                pending_timeout: dt.timedelta | None = None) -> SqlLedger:
    """Open (creating and migrating as needed) the ledger named by `spec`.

    `spec`: "memory", a file path (SQLite, WAL), `sqlite:///FILE` or `postgresql://user@host/db`
    (the psycopg 3 driver is used). Default: $AIDF_LEDGER, else .aidf/ledger.sqlite under the cwd.
    """
    url = resolve_spec(spec)
    if url == "memory":
        return MemoryLedger(clock=clock, pending_timeout=pending_timeout)
    return SqlLedger(url, clock=clock, pending_timeout=pending_timeout)
