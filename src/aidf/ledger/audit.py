"""Append-only audit log, hash-chained: each entry's hash covers the previous hash and its own
canonical JSON, so editing or deleting any row breaks the chain from that entry on.

Entries that create transfers list them (id, kind, account, amount), so `verify` also checks that
every transfer row is the one the log recorded and that account balances add up.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from aidf.ledger import schema as s
from aidf.ledger.common import canonical, sha256
from aidf.ledger.schema import GENESIS


def entry_hash(seq: int, at_us: int, actor: str, action: str, subject: str, data: str, prev: str) -> str:
    body = {"seq": seq, "at_us": at_us, "actor": actor, "action": action, "subject": subject,
            "data": json.loads(data), "prev": prev}
    return sha256(prev + canonical(body))


Q_HEAD = select(s.chain_head.c.seq, s.chain_head.c.hash).where(s.chain_head.c.id == 1).with_for_update()
U_HEAD = update(s.chain_head).where(s.chain_head.c.id == 1).values(seq=bindparam("seq"), hash=bindparam("h"))
I_AUDIT = s.audit.insert()


def lock_head(conn: Connection) -> tuple[int, str]:
    """Lock the chain head (PostgreSQL: row lock; SQLite already holds the write lock)."""
    row = conn.execute(Q_HEAD).one()
    return int(row.seq), row.hash


def append(conn: Connection, head: tuple[int, str], at_us: int, actor: str, action: str,
           subject: str, data: dict[str, Any]) -> tuple[int, str]:
    """Write one entry after `head` (which the caller holds locked); returns the new head."""
    seq, prev = head[0] + 1, head[1]
    text = canonical(data)
    h = entry_hash(seq, at_us, actor, action, subject, text, prev)
    conn.execute(I_AUDIT, {"seq": seq, "at_us": at_us, "actor": actor, "action": action,
                           "subject": subject, "data": text, "prev_hash": prev, "hash": h})
    conn.execute(U_HEAD, {"seq": seq, "h": h})
    return seq, h


@dataclass
class VerifyReport:
    ok: bool
    entries: int
    first_bad: int | None = None
    problem: str | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"ok: {self.entries} audit entries, chain intact, balances add up"
        where = f"entry {self.first_bad}: " if self.first_bad is not None else ""
        return f"FAILED: {where}{self.problem}"


def verify(conn: Connection) -> VerifyReport:
    prev, expected, n = GENESIS, 1, 0
    logged: dict[str, dict[str, Any]] = {}
    for row in conn.execute(select(s.audit).order_by(s.audit.c.seq)):
        n += 1
        if row.seq != expected:
            return VerifyReport(False, n, expected, f"entry missing (next entry found is {row.seq})")
        if row.prev_hash != prev:
            return VerifyReport(False, n, row.seq, "previous-hash link broken (an earlier entry was changed)")
        try:
            h = entry_hash(row.seq, row.at_us, row.actor, row.action, row.subject, row.data, row.prev_hash)
            data = json.loads(row.data)
        except (ValueError, TypeError) as e:
            return VerifyReport(False, n, row.seq, f"unreadable entry: {e}")
        if h != row.hash:
            return VerifyReport(False, n, row.seq, f"hash mismatch: entry {row.seq} ({row.action} "
                                f"{row.subject}) was edited")
        for t in data.get("transfers", []):
            logged[t["id"]] = t
        prev, expected = row.hash, expected + 1
    head = conn.execute(select(s.chain_head)).one()
    if (head.seq, head.hash) != (expected - 1, prev):
        return VerifyReport(False, n, expected, f"chain head says {head.seq} entries; the log ends at "
                            f"{expected - 1} (entries deleted at the end?)")
    problem = _check_transfers(conn, logged) or _check_balances(conn)
    if problem:
        return VerifyReport(False, n, None, problem)
    return VerifyReport(True, n)


def _check_transfers(conn: Connection, logged: dict[str, dict[str, Any]]) -> str | None:
    seen = 0
    for t in conn.execute(select(s.transfers.c.id, s.transfers.c.kind, s.transfers.c.account_id,
                                 s.transfers.c.amount)):
        seen += 1
        rec = logged.get(t.id)
        if rec is None:
            return f"transfer {t.id} is not in the audit log"
        if (rec["kind"], rec["account"], rec["amount"]) != (t.kind, t.account_id, t.amount):
            return f"transfer {t.id} differs from its audit record"
    if seen != len(logged):
        return f"{len(logged) - seen} logged transfer(s) are missing from the transfers table"
    return None


def _check_balances(conn: Connection) -> str | None:
    posted: dict[str, int] = defaultdict(int)
    pending: dict[str, int] = defaultdict(int)
    open_ids: dict[str, int] = {}
    resolved = {r.pending_id for r in conn.execute(
        select(s.transfers.c.pending_id).where(s.transfers.c.pending_id.is_not(None)))}
    for t in conn.execute(select(s.transfers.c.id, s.transfers.c.kind, s.transfers.c.account_id,
                                 s.transfers.c.amount)):
        if t.kind in ("post", "direct"):
            posted[t.account_id] += t.amount
        elif t.kind == "pending" and t.id not in resolved:
            pending[t.account_id] += t.amount
            open_ids[t.id] = t.amount
    for a in conn.execute(select(s.accounts.c.id, s.accounts.c.posted, s.accounts.c.pending)):
        if (a.posted, a.pending) != (posted.get(a.id, 0), pending.get(a.id, 0)):
            return (f"account {a.id}: balances posted={a.posted} pending={a.pending} do not match its "
                    f"transfers (posted={posted.get(a.id, 0)} pending={pending.get(a.id, 0)})")
    index = {r.transfer_id: r.amount for r in conn.execute(select(s.open_pending))}
    if index != open_ids:
        return "open pending index does not match the unresolved pending transfers"
    return None
