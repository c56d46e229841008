"""List versions, entries and clearances in the ledger database, each write audited in the ledger's chain.

A load is one version (file hash, entry count, load time); its entries are kept with their content
hash. A clearance names (party, entry, version) and keeps the entry's content hash: it holds in any
later version where the entry says the same, and is re-opened when the entry changes.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from aidf.errors import InputError
from aidf.ledger import audit
from aidf.ledger.common import check_actor, from_us
from aidf.ledger.db import read_first
from aidf.screening import tables as t
from aidf.screening.lists import Entry
from aidf.screening.normalize import normalize
from aidf.screening.settings import Settings, settings

MAX_REASON = 2000


@dataclass(frozen=True)
class Version:
    seq: int
    file_hash: str
    file_name: str
    format: str
    entry_count: int
    lists: dict[str, int]
    loaded_us: int
    actor: str

    @property
    def label(self) -> str:
        """How a decision names the version it was screened against."""
        return f"{self.seq}:{self.file_hash[:12]}"

    def row(self) -> dict[str, Any]:
        return {"version": self.label, "seq": self.seq, "file_hash": self.file_hash, "file_name": self.file_name,
                "format": self.format, "entries": self.entry_count, "lists": self.lists,
                "loaded_at": from_us(self.loaded_us), "loaded_by": self.actor}


def _version(row: Any) -> Version:
    return Version(row.seq, row.file_hash, row.file_name, row.format, row.entry_count, json.loads(row.lists),
                   row.loaded_us, row.actor)


def party_key(name: str, country: str | None, s: Settings | None = None) -> str:
    """Who a clearance is for: the folded name and the country."""
    forms = (s or settings()).legal_forms_cjk
    return f"{normalize(name, forms).key}|{(country or '').upper()}"


def base(ledger: Any) -> Any:
    """The store behind a ledger handle: an open booking batch reads the lists of its store."""
    from aidf.ledger.batch import Batch

    return ledger.store if isinstance(ledger, Batch) else ledger


def supported(ledger: Any) -> bool:
    store = base(ledger)
    return store is not None and hasattr(store, "_write") and hasattr(store, "engine")


@contextlib.contextmanager
def _reading(ledger: Any) -> Iterator[Any]:
    """A connection to read lists and clearances: inside an open booking batch, the batch's own (its
    transaction holds the write lock, and a second connection could wait on it); else a fresh read."""
    if base(ledger) is not ledger:
        yield ledger.conn
    else:
        with ledger._read() as conn:
            yield conn


def load_version(ledger: Any, entries: list[Entry], file_hash: str, file_name: str, fmt: str,
                 actor: str = "system") -> Version:
    """Store a list as a new version, in one transaction with its audit entry."""
    actor = check_actor(actor)
    counts = dict(sorted(Counter(e.list for e in entries).items()))
    at = ledger.now_us()
    rows = [{"entry_id": e.entry_id, "content_hash": e.content_hash,
             "data": json.dumps(e.as_dict(), ensure_ascii=False, sort_keys=True)} for e in entries]
    with ledger._write() as conn:
        head = audit.lock_head(conn)
        seq = conn.execute(t.list_versions.insert().values(
            file_hash=file_hash, file_name=Path(file_name).name[:300], format=fmt, entry_count=len(entries),
            lists=json.dumps(counts), loaded_us=at, actor=actor)).inserted_primary_key[0]
        for i in range(0, len(rows), 5000):
            conn.execute(t.list_entries.insert(), [r | {"version": seq} for r in rows[i:i + 5000]])
        audit.append(conn, head, at, actor, "lists.load", f"list version {seq}",
                     {"version": seq, "file_hash": file_hash, "file_name": Path(file_name).name,
                      "entries": len(entries), "lists": counts})
    return Version(seq, file_hash, Path(file_name).name[:300], fmt, len(entries), counts, at, actor)


def versions(ledger: Any) -> list[Version]:
    if not supported(ledger):
        return []
    with _reading(ledger) as conn:
        return [_version(r) for r in conn.execute(select(t.list_versions).order_by(t.list_versions.c.seq.desc()))]


def latest(ledger: Any) -> Version | None:
    """The newest version, or None when no list was ever loaded.

    An open booking batch reads it once: its transaction holds the write lock, so no version can be
    loaded while it runs, and each decision of the batch would read the same row."""
    if not supported(ledger):
        return None
    if base(ledger) is not ledger:
        if not hasattr(ledger, "_screening_latest"):
            ledger._screening_latest = _latest(ledger)
        return ledger._screening_latest
    return _latest(ledger)


_NEWEST = select(t.list_versions).order_by(t.list_versions.c.seq.desc()).limit(1)


def _latest(ledger: Any) -> Version | None:
    if base(ledger) is not ledger:
        row = ledger.conn.execute(_NEWEST).first()
    else:  # one statement, read on its own (aidf.ledger.db.read_first)
        with ledger._guard():
            found = read_first(ledger.engine, _NEWEST, {})
        row = None if found is None else SimpleNamespace(**found)
    return None if row is None else _version(row)


def entries(ledger: Any, version: int) -> list[Entry]:
    with _reading(ledger) as conn:
        rows = conn.execute(select(t.list_entries.c.data).where(t.list_entries.c.version == version)
                            .order_by(t.list_entries.c.entry_id)).scalars().all()
    return [Entry.from_dict(json.loads(r)) for r in rows]


def entry(ledger: Any, version: int, entry_id: str) -> Entry | None:
    with _reading(ledger) as conn:
        data = conn.execute(select(t.list_entries.c.data).where(
            t.list_entries.c.version == version, t.list_entries.c.entry_id == entry_id)).scalar()
    return None if data is None else Entry.from_dict(json.loads(data))


def clear(ledger: Any, name: str, country: str | None, entry_id: str, version: int | None, reason: str,
          actor: str) -> dict[str, Any]:
    """An officer clears a party against one entry of a version (default: the newest), with a reason."""
    actor = check_actor(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InputError("reason", "a clearance needs a written reason")
    if len(reason) > MAX_REASON:
        raise InputError("reason", f"at most {MAX_REASON} characters")
    if not (name or "").strip():
        raise InputError("party", "a clearance needs the party's name")
    v = latest(ledger) if version is None else next((x for x in versions(ledger) if x.seq == version), None)
    if v is None:
        raise InputError("version", "no such list version" if version is not None else "no list is loaded")
    e = entry(ledger, v.seq, entry_id)
    if e is None:
        raise InputError("entry_id", f"no entry {entry_id!r} in list version {v.label}")
    key = party_key(name, country)
    at = ledger.now_us()
    with ledger._write() as conn:
        head = audit.lock_head(conn)
        seq = conn.execute(t.clearances.insert().values(
            party_key=key, party_name=name.strip()[:500], entry_id=entry_id, version=v.seq,
            entry_hash=e.content_hash, reason=reason, at_us=at, actor=actor)).inserted_primary_key[0]
        audit.append(conn, head, at, actor, "screening.clear", f"{key} / {entry_id}",
                     {"clearance": seq, "party": name.strip(), "party_key": key, "entry_id": entry_id,
                      "version": v.seq, "entry_hash": e.content_hash, "reason": reason})
    return {"clearance": seq, "party": name.strip(), "party_key": key, "entry_id": entry_id, "list": e.list,
            "entry_name": e.name, "version": v.label, "reason": reason, "actor": actor, "at": from_us(at)}


def cleared(ledger: Any, key: str) -> dict[str, set[str]]:
    """For one party: entry id -> the entry content hashes it was cleared against."""
    with _reading(ledger) as conn:
        rows = conn.execute(select(t.clearances.c.entry_id, t.clearances.c.entry_hash)
                            .where(t.clearances.c.party_key == key)).all()
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r.entry_id, set()).add(r.entry_hash)
    return out


def clearance_log(ledger: Any, limit: int = 200) -> list[dict[str, Any]]:
    if not supported(ledger):
        return []
    with _reading(ledger) as conn:
        rows = conn.execute(select(t.clearances).order_by(t.clearances.c.seq.desc()).limit(limit)).all()
    return [{"clearance": r.seq, "party": r.party_name, "party_key": r.party_key, "entry_id": r.entry_id,
             "version": r.version, "reason": r.reason, "actor": r.actor, "at": from_us(r.at_us)} for r in rows]
