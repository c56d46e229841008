"""Append-only audit log, chained with a keyed hash (HMAC-SHA256): each entry's hash covers the
previous hash and its own canonical JSON, under a key that is never stored in the database, so
someone who can write the database cannot recompute the chain after editing it.

The key comes from $AIDF_AUDIT_KEY, else (SQLite only) from a key file created beside the ledger at
init (`<ledger>.key`, mode 0600); PostgreSQL requires the variable. An in-memory ledger makes one per
process.

Every record hashes into the chain: entries that create transfers list them (id, kind, account,
amount); a booking's entry holds the hash of its stored decision (with its request); licenses,
holds, releases and arrangements log their content. `verify` streams the log and each table in
constant memory (order-free sums of record digests), and names the first row that differs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import orjson
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.engine import Connection

from aidf.ledger import schema as s
from aidf.ledger.base import LedgerError
from aidf.ledger.common import canonical, fast_canonical, parse, sha256
from aidf.ledger.db import insert_rows
from aidf.ledger.schema import GENESIS

KEY_ENV = "AIDF_AUDIT_KEY"
KEY_INFO = "aidf_audit_key"
_PROCESS_KEY = secrets.token_bytes(32)


def load_key(url: str) -> bytes:
    """The audit key for a ledger at `url` (see the module text)."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode()
    if url in ("sqlite://", "sqlite:///:memory:"):
        return _PROCESS_KEY
    if url.startswith("sqlite:///"):
        return _key_file(url[len("sqlite:///"):] + ".key")
    raise LedgerError(f"set {KEY_ENV}: a ledger in a database server keeps its audit key outside the database")


def _key_file(path: str) -> bytes:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, "rb") as f:
            key = f.read().strip()
        if not key:
            raise LedgerError(f"audit key file {path} is empty") from None
        return key
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_hex(32).encode())
    return _key_file(path)


_UNREAD = object()


def entry_hash(key: bytes, seq: int, at_us: int, actor: str, action: str, subject: str, data: str,
               prev: str, value: Any = _UNREAD) -> str:
    """HMAC of the previous hash and the entry's canonical JSON, its data as read back from the
    stored text `data` (or `value`, when the writer knows reading it back gives the same)."""
    body = {"seq": seq, "at_us": at_us, "actor": actor, "action": action, "subject": subject,
            "data": parse(data) if value is _UNREAD else value, "prev": prev}
    if value is not _UNREAD and type(seq) is int and type(at_us) is int \
            and all(type(x) is str for x in (actor, action, subject, prev)):
        text = orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode()  # `value` was walked by its writer
    else:
        text = canonical(body)
    return hmac.new(key, (prev + text).encode(), hashlib.sha256).hexdigest()


Q_HEAD = select(s.chain_head.c.seq, s.chain_head.c.hash).where(s.chain_head.c.id == 1).with_for_update()
U_HEAD = update(s.chain_head).where(s.chain_head.c.id == 1).values(seq=bindparam("seq"), hash=bindparam("h"))
AUDIT_COLUMNS = ("seq", "at_us", "actor", "action", "subject", "data", "prev_hash", "hash")


def lock_head(conn: Connection) -> tuple[int, str]:
    """Lock the chain head (PostgreSQL: row lock; SQLite already holds the write lock)."""
    row = conn.execute(Q_HEAD).one()
    return int(row.seq), row.hash


def _key(conn: Connection) -> bytes:
    return conn.info[KEY_INFO]


def append(conn: Connection, head: tuple[int, str], at_us: int, actor: str, action: str,
           subject: str, data: dict[str, Any]) -> tuple[int, str]:
    """Write one entry after `head` (which the caller holds locked); returns the new head."""
    return append_many(conn, head, at_us, [(actor, action, subject, data)])


def append_many(conn: Connection, head: tuple[int, str], at_us: int,
                entries: list[tuple[str, str, str, dict[str, Any]]]) -> tuple[int, str]:
    """Write entries (actor, action, subject, data) in order after `head`; returns the new head."""
    key, (seq, prev), rows = _key(conn), head, []
    for actor, action, subject, data in entries:
        seq += 1
        body = fast_canonical(data)  # orjson wrote it: reading it back gives `data` itself
        if body is None:
            body = canonical(data)
            h = entry_hash(key, seq, at_us, actor, action, subject, body, prev)
        else:
            h = entry_hash(key, seq, at_us, actor, action, subject, body, prev, data)
        rows.append((seq, at_us, actor, action, subject, body, prev, h))
        prev = h
    if rows:
        insert_rows(conn, s.audit, AUDIT_COLUMNS, rows)
        conn.execute(U_HEAD, {"seq": seq, "h": prev})
    return seq, prev


def logged(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "kind": r["kind"], "account": r["account_id"], "amount": r["amount"]}


def reseal(conn: Connection, key: bytes, at_us: int, actor: str, why: str) -> tuple[int, str]:
    """Recompute every entry's hash under `key` (once, when a chain made by an earlier version gets a
    key), then record that it was done. The caller holds the head locked."""
    prev, seq = GENESIS, 0
    for row in conn.execute(select(s.audit).order_by(s.audit.c.seq)).all():
        h = entry_hash(key, row.seq, row.at_us, row.actor, row.action, row.subject, row.data, prev)
        conn.execute(update(s.audit).where(s.audit.c.seq == row.seq).values(prev_hash=prev, hash=h))
        prev, seq = h, row.seq
    conn.execute(U_HEAD, {"seq": seq, "h": prev})
    conn.info[KEY_INFO] = key
    return append(conn, (seq, prev), at_us, actor, "reseal", "audit chain", {"entries": seq, "why": why})


# ---- verify --------------------------------------------------------------------------------------

HEAD_PATTERN = r"^[0-9]{1,19}:[0-9a-f]{64}$"  # a chain head as printed for keeping elsewhere: SEQ:HASH


@dataclass
class VerifyReport:
    ok: bool
    entries: int
    first_bad: int | None = None
    problem: str | None = None
    head: str | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"ok: {self.entries} audit entries, chain intact, every record matches, balances add up"
        where = f"entry {self.first_bad}: " if self.first_bad is not None else ""
        return f"FAILED: {where}{self.problem}"


MOD = 1 << 256


def _digest(*parts: Any) -> int:
    return int.from_bytes(hashlib.sha256(canonical(list(parts)).encode()).digest(), "big")


class Tally:
    """An order-free sum of record digests per table: the log's view and the tables' must agree."""

    def __init__(self) -> None:
        self.sums: dict[str, list[int]] = {}

    def add(self, table: str, *parts: Any) -> None:
        acc = self.sums.setdefault(table, [0, 0])
        acc[0] = (acc[0] + _digest(*parts)) % MOD
        acc[1] += 1


# What each audit action says about the record it wrote: (table, digest parts from its data).
def _from_entry(row: Any, data: dict[str, Any], tally: Tally) -> None:
    for t in data.get("transfers", []):
        tally.add("transfers", t["id"], t["kind"], t["account"], t["amount"])
    a = row.action
    if a == "book":
        tally.add("bookings", row.subject, data["request_hash"], data["decision_sha256"])
    elif a == "hold":
        tally.add("holds", row.subject, data["reason"], data["decision_sha256"])
    elif a == "release":
        tally.add("releases", row.subject, data["how"], data.get("license"), data.get("transfer_id"),
                  data.get("reason"))
    elif a == "license":
        tally.add("licenses", row.subject, data["content_hash"])
    elif a == "arrangement":
        tally.add("arrangements", data["country"], data["since"], data["reference"])


def license_hash(number: str, amount: int, parties_t: str, vf: str, vt: str, cond_t: str) -> str:
    return sha256(canonical([number, amount, parties_t, vf, vt, cond_t]))


def _records(conn: Connection) -> Iterator[tuple[str, tuple, Any]]:
    """Every record of every audited table as (table, digest parts, row key), streamed."""
    def rows(q):
        return conn.execution_options(yield_per=2000).execute(q)

    for t in rows(select(s.transfers.c.id, s.transfers.c.kind, s.transfers.c.account_id, s.transfers.c.amount)):
        yield "transfers", (t.id, t.kind, t.account_id, t.amount), t.id
    for b in rows(select(s.bookings.c.transaction_id, s.bookings.c.request_hash, s.bookings.c.decision)):
        yield "bookings", (b.transaction_id, b.request_hash, sha256(b.decision)), b.transaction_id
    for h in rows(select(s.holds)):
        yield "holds", (h.transaction_id, h.reason, sha256(h.decision)), h.transaction_id
    for r in rows(select(s.hold_releases)):
        yield "releases", (r.transaction_id, r.how, r.license, r.transfer_id, r.reason), r.transaction_id
    for lic in rows(select(s.licenses)):
        h = license_hash(lic.number, lic.amount, lic.parties, lic.valid_from, lic.valid_to, lic.conditions)
        yield "licenses", (lic.number, h), lic.number
    for a in rows(select(s.arrangements)):
        yield "arrangements", (a.country, a.since, a.reference), a.seq


@dataclass(frozen=True)
class Sealed:
    """What one chained entry is checked against: its kind and chain's owner (for the report), the
    previous hash it stores and the one the chain expects, and the keyed hash it stores."""
    label: str
    owner: str
    stored_prev: str
    prev: str
    stored_hash: str


def check_sealed(n: int, row: Any, seal: Sealed, compute: Callable[[], str]) -> tuple[Any, VerifyReport | None]:
    """One entry of a keyed chain (ledger or keys): its data when its link and recomputed HMAC hold,
    else the report naming the entry (`row` has seq, action, subject and data)."""
    if seal.stored_prev != seal.prev:
        return None, VerifyReport(False, n, row.seq, "previous-hash link broken (an earlier entry was changed)")
    try:
        h = compute()
        data = parse(row.data)
    except (ValueError, TypeError) as e:
        return None, VerifyReport(False, n, row.seq, f"unreadable {seal.label}: {e}")
    if not hmac.compare_digest(h, seal.stored_hash):
        return None, VerifyReport(False, n, row.seq, f"hash mismatch: {seal.label} {row.seq} ({row.action} "
                                  f"{row.subject}) was edited, or the audit key is not this {seal.owner}'s")
    return data, None


def verify(conn: Connection, expect_head: str | None = None) -> VerifyReport:
    key, prev, expected, n = _key(conn), GENESIS, 1, 0
    logged_tally = Tally()
    for row in conn.execution_options(yield_per=2000).execute(select(s.audit).order_by(s.audit.c.seq)):
        n += 1
        if row.seq != expected:
            return VerifyReport(False, n, expected, f"entry missing (next entry found is {row.seq})")
        data, problem = check_sealed(
            n, row, Sealed("entry", "ledger", row.prev_hash, prev, row.hash),
            partial(entry_hash, key, row.seq, row.at_us, row.actor, row.action, row.subject, row.data, row.prev_hash))
        if problem:
            return problem
        _from_entry(row, data, logged_tally)
        prev, expected = row.hash, expected + 1
    last = expected - 1
    head = conn.execute(select(s.chain_head)).one()
    if (head.seq, head.hash) != (last, prev):
        return VerifyReport(False, n, expected, f"chain head says {head.seq} entries; the log ends at "
                            f"{last} (entries deleted at the end?)")
    problem = _check_expected_head(conn, expect_head, last) or _check_records(conn, logged_tally) \
        or _check_balances(conn)
    if problem:
        return VerifyReport(False, n, None, problem)
    return VerifyReport(True, n, head=f"{last}:{prev}")


def _check_expected_head(conn: Connection, expect: str | None, last: int) -> str | None:
    """A head kept elsewhere (`aidf ledger head`) must still be in the chain: else it was cut or rewound."""
    if not expect:
        return None
    try:
        seq_t, want = expect.strip().split(":", 1)
        seq = int(seq_t)
    except ValueError:
        return f"expected head {expect!r} is not SEQ:HASH (as `aidf ledger head` prints)"
    if seq > last:
        return f"the log ends at entry {last}, before the expected head {seq}: entries were removed (truncated)"
    got = conn.execute(select(s.audit.c.hash).where(s.audit.c.seq == seq)).scalar()
    if got is None or not hmac.compare_digest(got, want):
        return f"entry {seq} is not the expected head: the chain was rewound or rewritten"
    return None


def _check_records(conn: Connection, logged_tally: Tally) -> str | None:
    tables = Tally()
    for table, parts, _ in _records(conn):
        tables.add(table, *parts)
    names = sorted(set(tables.sums) | set(logged_tally.sums))
    for name in names:
        if tables.sums.get(name, [0, 0]) != logged_tally.sums.get(name, [0, 0]):
            return _first_difference(conn, name)
    return None


def _first_difference(conn: Connection, table: str) -> str:
    """Name the first row of `table` that differs from the log (only run once something differs)."""
    want: dict[str, int] = {}
    for row in conn.execute(select(s.audit).order_by(s.audit.c.seq)):
        for part in _parts_of(row, table):
            want[canonical(part)] = want.get(canonical(part), 0) + 1
    for name, parts, key in _records(conn):
        if name != table:
            continue
        c = canonical(list(parts))
        if want.get(c, 0) == 0:
            return f"{table} row {key} differs from its audit record (or is not in the audit log)"
        want[c] -= 1
    missing = [json.loads(c) for c, k in want.items() if k > 0]
    return f"{table}: a logged record is missing from the table: {missing[0]}"


_ACTION_OF = {"bookings": "book", "holds": "hold", "releases": "release", "licenses": "license",
              "arrangements": "arrangement"}


def _parts_of(row: Any, table: str) -> list[list[Any]]:
    data, out = json.loads(row.data), []
    if table != "transfers" and row.action != _ACTION_OF[table]:
        return out
    if table == "transfers":
        out = [[t["id"], t["kind"], t["account"], t["amount"]] for t in data.get("transfers", [])]
    elif table == "bookings":
        out = [[row.subject, data["request_hash"], data["decision_sha256"]]]
    elif table == "holds":
        out = [[row.subject, data["reason"], data["decision_sha256"]]]
    elif table == "releases":
        out = [[row.subject, data["how"], data.get("license"), data.get("transfer_id"), data.get("reason")]]
    elif table == "licenses":
        out = [[row.subject, data["content_hash"]]]
    elif table == "arrangements":
        out = [[data["country"], data["since"], data["reference"]]]
    return out


_BALANCES = text("""
SELECT a.id, a.posted, a.pending, COALESCE(p.total, 0) AS want_posted, COALESCE(q.total, 0) AS want_pending
FROM ledger_accounts a
LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_transfers
           WHERE kind IN ('post', 'direct', 'adjust') GROUP BY account_id) p ON p.account_id = a.id
LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_open_pending GROUP BY account_id) q
       ON q.account_id = a.id
WHERE a.posted <> COALESCE(p.total, 0) OR a.pending <> COALESCE(q.total, 0)
ORDER BY a.id
""")
_OPEN = text("""
SELECT COUNT(*) FROM ledger_transfers t
WHERE t.kind = 'pending'
  AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = t.id)
  AND NOT EXISTS (SELECT 1 FROM ledger_open_pending o WHERE o.transfer_id = t.id AND o.amount = t.amount)
""")
_OPEN_EXTRA = text("""
SELECT COUNT(*) FROM ledger_open_pending o
WHERE NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.id = o.transfer_id AND t.kind = 'pending')
   OR EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = o.transfer_id)
""")


def _check_balances(conn: Connection) -> str | None:
    """Balances and the open-pending index, recomputed by the database from the transfers."""
    if conn.execute(_OPEN).scalar() or conn.execute(_OPEN_EXTRA).scalar():
        return "open pending index does not match the unresolved pending transfers"
    bad = conn.execute(_BALANCES).first()
    if bad is not None:
        return (f"account {bad.id}: balances posted={bad.posted} pending={bad.pending} do not match its "
                f"transfers (posted={bad.want_posted} pending={bad.want_pending})")
    return None
