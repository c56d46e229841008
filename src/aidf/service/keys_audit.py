"""The API keys' own audit chain: every row of `service_audit` (key created, role changed, key
revoked, ...) is sealed by a keyed hash (HMAC-SHA256) over the previous hash and the row's canonical
JSON, in `service_audit_chain`; `service_audit_head` holds the last (seq, hash). The key is the
ledger's audit key (aidf.ledger.audit.load_key: $AIDF_AUDIT_KEY, else the key file beside a SQLite
database), never stored in the database, so whoever can write the database cannot re-seal an edit.

`verify` recomputes every hash in order and names the first entry that differs, then replays the
log (create, role, revoke) and compares each key's row with what the log says of it: a key's role
edited in `service_api_keys`, a key inserted without its log entry, a deleted entry, or a log cut at
its end (the head, or a head kept elsewhere with `expect_head`) are all reported.

The chain lives in tables of its own beside `service_audit`, so a keys database made before it only
gains them: the rows it already holds are sealed once, in order, when the store first opens it.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import partial
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, String, Table, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from aidf.ledger.audit import Sealed, VerifyReport, check_sealed
from aidf.ledger.common import canonical, parse, sha256
from aidf.ledger.schema import GENESIS
from aidf.service.keys import api_keys, events, metadata

chain = Table(
    "service_audit_chain", metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
# One row (id = 1): the last sealed entry. Writers lock it, which also orders the chain.
head_table = Table(
    "service_audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)
Q_HEAD = select(head_table.c.seq, head_table.c.hash).where(head_table.c.id == 1)
SEAL_TRIES = 5


def credential(salt: str, digest: str) -> str:
    """What the log keeps of a key's secret: a hash of its stored salt and digest (so a digest
    swapped in the table shows), never the secret."""
    return sha256(f"{salt}:{digest}")


def entry_hash(key: bytes, seq: int, at: str, actor: str, action: str, subject: str, data: str, prev: str) -> str:
    body = {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject, "data": parse(data),
            "prev": prev}
    return hmac.new(key, (prev + canonical(body)).encode(), hashlib.sha256).hexdigest()


U_TOUCH = head_table.update().where(head_table.c.id == 1).values(seq=head_table.c.seq)


def _read_head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(Q_HEAD).first()
    return (0, GENESIS) if row is None else (int(row.seq), row.hash)


def append(conn: Connection, key: bytes, at: str, actor: str, action: str, subject: str, data: str) -> str:
    """Write one keys audit entry and seal it after the head, in the caller's transaction. The head
    row is locked first (a no-op update: a row lock on PostgreSQL, the write lock on SQLite), so
    entries are sealed in the order of their seq. Returns the entry's hash."""
    conn.execute(U_TOUCH)
    _, prev = _read_head(conn)
    seq = conn.execute(events.insert().values(at=at, actor=actor, action=action, subject=subject,
                                              data=data)).inserted_primary_key[0]
    h = entry_hash(key, seq, at, actor, action, subject, data, prev)
    conn.execute(chain.insert().values(seq=seq, prev_hash=prev, hash=h))
    conn.execute(head_table.update().where(head_table.c.id == 1).values(seq=seq, hash=h))
    return h


def seal_existing(engine: Any, key: bytes) -> None:
    """Seal, once, the entries a keys database held before it had a chain (a no-op afterwards).
    Processes starting together race for it: the loser sees a conflict or a busy database, and
    finds the head written by the winner."""
    for _ in range(SEAL_TRIES):
        try:
            _seal_existing(engine, key)
            return
        except (IntegrityError, OperationalError):
            with engine.connect() as conn:
                if conn.execute(Q_HEAD).first() is not None:
                    return
    _seal_existing(engine, key)


def _seal_existing(engine: Any, key: bytes) -> None:
    with engine.begin() as conn:
        conn.execute(U_TOUCH)  # the write lock (SQLite) before reading, so no stale read is written on
        if conn.execute(Q_HEAD).first() is not None:
            return
        conn.execute(head_table.insert().values(id=1, seq=0, hash=GENESIS))  # claims the sealing
        prev, last = GENESIS, 0
        for row in conn.execute(select(events).order_by(events.c.seq)).all():
            h = entry_hash(key, row.seq, row.at, row.actor, row.action, row.subject, row.data, prev)
            conn.execute(chain.insert().values(seq=row.seq, prev_hash=prev, hash=h))
            prev, last = h, row.seq
        conn.execute(head_table.update().where(head_table.c.id == 1).values(seq=last, hash=prev))


def head(conn: Connection) -> str:
    """The keys chain head as SEQ:HASH (keyed), for keeping outside the database."""
    seq, h = _read_head(conn)
    return f"{seq}:{h}"


def verify(conn: Connection, key: bytes, expect_head: str | None = None) -> VerifyReport:
    """Recompute the chain, check its head (and `expect_head`), then the keys against the log."""
    links = {r.seq: r for r in conn.execute(select(chain))}
    prev, n, state = GENESIS, 0, {}
    for row in conn.execute(select(events).order_by(events.c.seq)):
        n += 1
        link = links.pop(row.seq, None)
        missing = [s for s in links if s < row.seq]
        if missing:
            return VerifyReport(False, n, min(missing), "keys audit entry missing (deleted from service_audit)")
        if link is None:
            return VerifyReport(False, n, row.seq, "keys audit entry is not in the chain (inserted afterwards)")
        data, problem = check_sealed(
            n, row, Sealed("keys audit entry", "database", link.prev_hash, prev, link.hash),
            partial(entry_hash, key, row.seq, row.at, row.actor, row.action, row.subject, row.data, prev))
        if problem:
            return problem
        _replay(state, row, data)
        prev = link.hash
    problem = _check_tail(conn, links, n, prev, expect_head) or _check_keys(conn, state)
    if problem:
        return VerifyReport(False, n, problem[0], problem[1])
    return VerifyReport(True, n, head=head(conn))


def _check_tail(conn: Connection, links: dict, n: int, prev: str,
                expect_head: str | None) -> tuple[int | None, str] | None:
    if links:
        return min(links), "keys audit entry missing (deleted from service_audit)"
    seq, h = _read_head(conn)
    last = conn.execute(select(events.c.seq).order_by(events.c.seq.desc()).limit(1)).scalar() or 0
    if (seq, h) != (last, prev):
        return None, f"keys chain head says entry {seq}; the log ends at {last} (entries deleted at the end?)"
    if expect_head:
        try:
            want_seq, want = expect_head.strip().split(":", 1)
            want_seq_i = int(want_seq)
        except ValueError:
            return None, f"expected head {expect_head!r} is not SEQ:HASH"
        if want_seq_i > last:
            return None, f"the keys log ends at entry {last}, before the expected head {want_seq_i} (truncated)"
        got = conn.execute(select(chain.c.hash).where(chain.c.seq == want_seq_i)).scalar()
        if got is None or not hmac.compare_digest(got, want):
            return want_seq_i, f"keys audit entry {want_seq_i} is not the expected head (rewound or rewritten)"
    return None


def _replay(state: dict[str, dict[str, Any]], row: Any, data: dict[str, Any]) -> None:
    """What the log says of each key after this entry."""
    if row.action == "key_create":
        state[row.subject] = {"name": data.get("name"), "role": data.get("role"), "revoked": False,
                              "credential": data.get("credential")}
    elif row.action == "key_role" and row.subject in state:
        state[row.subject]["role"] = data.get("role")
    elif row.action == "key_revoke" and row.subject in state:
        state[row.subject]["revoked"] = True


def _check_keys(conn: Connection, state: dict[str, dict[str, Any]]) -> tuple[None, str] | None:
    """Each key row against the log's account of it (name, role, revoked, credential)."""
    for k in conn.execute(select(api_keys).order_by(api_keys.c.key_id)):
        want = state.pop(k.key_id, None)
        if want is None:
            return None, f"key {k.key_id} is not in the keys audit log (inserted without its entry)"
        got = {"name": k.name, "role": k.role, "revoked": k.revoked_at is not None}
        for field in ("name", "role", "revoked"):
            if got[field] != want[field]:
                return None, f"key {k.key_id}: {field} is {got[field]!r} but the audit log says {want[field]!r}"
        if want["credential"] is not None and want["credential"] != credential(k.salt, k.digest):
            return None, f"key {k.key_id}: its stored secret digest differs from the one logged at creation"
    if state:
        return None, f"key {min(state)} is in the keys audit log but missing from service_api_keys"
    return None
