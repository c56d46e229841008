"""The durable ledger over SQLAlchemy (SQLite or PostgreSQL): accounts whose limits the store
enforces, immutable transfers, two-phase pending -> post / void (never lapsing by the clock), linked
bookings keyed by the caller's transaction id (idempotency), and an audit entry for every write.

Every write runs in one database transaction that first locks what it touches: SQLite takes the
write lock at BEGIN IMMEDIATE; PostgreSQL locks the audit chain head, then the account rows (FOR
UPDATE, sorted by id). The limit checks (batch.py, limits.py) read balances only after those locks,
so two writers can never both see the last TPP free. Bookings go in batches of at most
MAX_BATCH per database transaction (`book_many`; `book` is a batch of one).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection, Engine

from aidf.ledger import audit
from aidf.ledger import schema as s
from aidf.ledger.base import Booked, Draw, IdempotencyConflict, LedgerError
from aidf.ledger.batch import TRANSFER_COLUMNS, Batch, account_columns
from aidf.ledger.common import (
    Clock,
    TransferStateError,
    UnknownError,
    check_actor,
    check_amount,
    check_id,
    from_us,
    iso_date,
    system_clock,
    to_us,
)
from aidf.ledger.db import insert_rows, read_first
from aidf.model import AccountRef

DEFAULT_PENDING_TIMEOUT = None  # reservations never lapse by the clock; kept for callers' signatures
MAX_BATCH = 8000  # bookings per database transaction in book_many (a batch holds the write lock)

# Statements built once and run with parameters (building them per call dominates the cost).
_IDS = bindparam("ids", expanding=True)
Q_ACCOUNTS = select(s.accounts).where(s.accounts.c.id.in_(_IDS)).order_by(s.accounts.c.id)
Q_ALL_ACCOUNTS = select(s.accounts).order_by(s.accounts.c.id)
Q_LOCK = select(s.accounts.c.id).where(s.accounts.c.id.in_(_IDS)).order_by(s.accounts.c.id).with_for_update()
# One account's used amount in one statement: the engine asks this several times per decision.
Q_USED = select((s.accounts.c.posted + s.accounts.c.pending).label("used")).where(s.accounts.c.id == bindparam("aid"))
Q_BOOKING = select(s.bookings).where(s.bookings.c.transaction_id == bindparam("tid"))
U_RESOLVE = (update(s.accounts).where(s.accounts.c.id == bindparam("aid"))
             .values(pending=s.accounts.c.pending - bindparam("released"),
                     posted=s.accounts.c.posted + bindparam("add")))
D_OPEN = delete(s.open_pending).where(s.open_pending.c.transfer_id == bindparam("pid"))
Q_KINDS = select(s.transfers.c.id, s.transfers.c.kind).where(s.transfers.c.id.in_(_IDS))
Q_GROUPS = select(s.bookings.c.transaction_id, s.bookings.c.transfer_ids).where(s.bookings.c.transaction_id.in_(_IDS))
Q_TRANSFERS = select(s.transfers).where(s.transfers.c.id.in_(_IDS))
Q_RESOLVED = select(s.transfers).where(s.transfers.c.pending_id.in_(_IDS))
IN_CHUNK = 500  # ids per IN (...) statement


def _chunked(conn: Connection, query: Any, ids: Sequence[str]) -> Iterator[Any]:
    """Rows of `query` over `ids`, IN_CHUNK ids per statement (no driver's parameter limit is reached)."""
    for i in range(0, len(ids), IN_CHUNK):
        yield from conn.execute(query, {"ids": list(ids[i:i + IN_CHUNK])})


class StoreCore:
    """Accounts, bookings and transfers; licenses/holds are added by holds.LicensesAndHolds."""

    def __init__(self, engine: Engine, *, clock: Clock | None = None, pending_timeout: Any = None,
                 label: str | None = None, audit_key: bytes | None = None):
        self.engine = engine
        self.clock = clock or system_clock
        self.label = label or engine.url.render_as_string(hide_password=True)
        self._key = audit_key if audit_key is not None else audit.load_key(str(engine.url))
        self._pg = engine.dialect.name == "postgresql"
        # One shared in-memory connection must not be used by two threads at once.
        self._mutex = threading.RLock() if engine.pool.__class__.__name__ == "StaticPool" else None
        if self._pg:
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        self._insert_account = insert(s.accounts).on_conflict_do_nothing(index_elements=["id"])

    # ---- plumbing ------------------------------------------------------------------------------

    def now_us(self) -> int:
        return to_us(self.clock())

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        if self._mutex is None:
            yield
        else:
            with self._mutex:
                yield

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._guard(), self.engine.connect() as conn, conn.begin():
            conn.info[audit.KEY_INFO] = self._key
            yield conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._guard(), self.engine.connect() as conn:
            conn.execution_options(aidf_write=True)
            conn.info[audit.KEY_INFO] = self._key
            with conn.begin():
                yield conn

    def _lock(self, conn: Connection, account_ids: Iterable[str]) -> tuple[int, str]:
        """Lock the audit head, then accounts in id order: one global order, so no deadlock."""
        head = audit.lock_head(conn)
        ids = sorted(set(account_ids))
        if ids and self._pg:
            conn.execute(Q_LOCK, {"ids": ids}).all()
        return head

    def _ensure_accounts(self, conn: Connection, refs: Sequence[AccountRef], at_us: int) -> None:
        rows = sorted(({**account_columns(r), "posted": 0, "pending": 0, "created_us": at_us} for r in refs),
                      key=lambda r: r["id"])
        if rows:
            conn.execute(self._insert_account, rows)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- balances ------------------------------------------------------------------------------

    def _balances(self, conn: Connection, ids: Sequence[str] | None) -> dict[str, dict[str, Any]]:
        if ids is None:
            rows = conn.execute(Q_ALL_ACCOUNTS).mappings().all()
        else:
            rows = conn.execute(Q_ACCOUNTS, {"ids": list(ids)}).mappings().all()
        return {r["id"]: {**r, "used": r["posted"] + r["pending"]} for r in rows}

    def used(self, account: AccountRef) -> int:
        with self._guard():
            row = read_first(self.engine, Q_USED, {"aid": account.id})
        return int(row["used"]) if row is not None else 0

    def balance(self, account_id: str) -> dict[str, Any]:
        """posted, pending, used (= posted + pending), last limit seen, key columns."""
        with self._read() as conn:
            b = self._balances(conn, [account_id])
        if not b:
            raise UnknownError(f"no account {account_id!r}")
        return b[account_id]

    def accounts(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = list(self._balances(conn, None).values())
        return [r for r in rows if kind is None or r["kind"] == kind]

    def installed_base(self, kind: str, veu: str) -> dict[str, int]:
        out: dict[str, int] = {}
        with self._read() as conn:
            rows = conn.execute(select(s.accounts.c.country, s.accounts.c.posted + s.accounts.c.pending).where(
                s.accounts.c.kind == kind, s.accounts.c.veu == veu)).all()
        for country, used in rows:
            if country:
                out[country] = out.get(country, 0) + int(used)
        return out

    def history(self, account_id: str) -> list[dict[str, Any]]:
        """Every transfer on the account, oldest first (pending, post, void, expire, direct, adjust)."""
        with self._read() as conn:
            rows = conn.execute(select(s.transfers).where(s.transfers.c.account_id == account_id)
                                .order_by(s.transfers.c.seq)).mappings().all()
        return [dict(r) for r in rows]

    def transfers(self, transaction_id: str) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(select(s.transfers).where(s.transfers.c.transaction_id == transaction_id)
                                .order_by(s.transfers.c.seq)).mappings().all()
        return [dict(r) for r in rows]

    def open_pending(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(select(s.open_pending).order_by(s.open_pending.c.created_us,
                                                                s.open_pending.c.transfer_id)).mappings().all()
        return [dict(r) for r in rows]

    # ---- arrangements (government-to-government, per country) ----------------------------------

    def record_arrangement(self, country: str, since: dt.date, reference: str, *, actor: str = "system") -> None:
        country = check_id(country, "country").upper()
        since_s = iso_date(since, "since")
        reference = check_id(reference, "reference")
        actor = check_actor(actor)
        now = self.now_us()
        with self._write() as conn:
            head = self._lock(conn, [])
            conn.execute(s.arrangements.insert().values(country=country, since=since_s, reference=reference,
                                                         at_us=now, actor=actor))
            audit.append(conn, head, now, actor, "arrangement", country,
                         {"country": country, "since": since_s, "reference": reference})

    def arrangement(self, country: str, as_of: dt.date) -> dict[str, Any] | None:
        with self._read() as conn:
            return self._arrangement_in(conn, country.upper(), iso_date(as_of, "as_of"))

    def _arrangement_in(self, conn: Connection, country: str, as_of_s: str) -> dict[str, Any] | None:
        row = conn.execute(select(s.arrangements).where(
            s.arrangements.c.country == country, s.arrangements.c.since <= as_of_s)
            .order_by(s.arrangements.c.since.desc(), s.arrangements.c.seq.desc()).limit(1)).first()
        if row is None:
            return None
        return {"country": row.country, "since": dt.date.fromisoformat(row.since), "reference": row.reference}

    def _license_amount(self, conn: Connection, number: str | None) -> int:
        """A license account's limit is its license's amount (0 when no such license is recorded)."""
        amount = conn.execute(select(s.licenses.c.amount).where(s.licenses.c.number == number)).scalar()
        return 0 if amount is None else int(amount)

    # ---- bookings ------------------------------------------------------------------------------

    def find(self, transaction_id: str) -> Booked | None:
        with self._read() as conn:
            row = conn.execute(Q_BOOKING, {"tid": transaction_id}).first()
        return _booked(row) if row else None

    def request_hashes(self, transaction_ids: Sequence[str]) -> dict[str, str]:
        """The request hash of each of these transactions that is booked (one statement per 500 ids)."""
        out: dict[str, str] = {}
        with self._read() as conn:
            for i in range(0, len(transaction_ids), 500):
                ids = list(transaction_ids[i:i + 500])
                out.update(conn.execute(select(s.bookings.c.transaction_id, s.bookings.c.request_hash).where(
                    s.bookings.c.transaction_id.in_(ids))).all())
        return out

    @contextlib.contextmanager
    def batch(self) -> Iterator[Batch]:
        """One writing transaction: read, decide and book against it; written together on exit, or
        nothing at all if the block raises."""
        with self._write() as conn:
            b = Batch(self, conn, self._lock(conn, []), self.now_us())
            yield b
            b.flush()

    def book(self, transaction_id: str, request_hash: str, decision: dict[str, Any],
             draws: list[Draw], as_of: dt.date, *, actor: str = "engine", **_: Any) -> Booked:
        """Reserve the draws as pending transfers, all or none (see base.Ledger.book)."""
        transaction_id = check_id(transaction_id, "transaction id")
        prior = self.find(transaction_id)  # a retry writes nothing, not even the write lock
        if prior is not None:
            return _same_or_conflict(prior, request_hash)
        with self.batch() as b:
            return b.book(transaction_id, request_hash, decision, draws, as_of, actor=actor)

    def book_many(self, bookings: Iterable[Sequence[Any]], *, actor: str = "engine") -> list[Booked]:
        """Book (transaction id, request hash, decision, draws, as_of) tuples in order, MAX_BATCH per
        database transaction; each is all or none and the first refusal stops the batch (raised)."""
        out: list[Booked] = []
        chunk: list[Sequence[Any]] = []
        for item in bookings:
            chunk.append(item)
            if len(chunk) == MAX_BATCH:
                out += self._book_chunk(chunk, actor)
                chunk = []
        if chunk:
            out += self._book_chunk(chunk, actor)
        return out

    def _book_chunk(self, chunk: list[Sequence[Any]], actor: str) -> list[Booked]:
        with self.batch() as b:
            b.prefetch([item[0] for item in chunk])
            return [b.book(*item, actor=actor) for item in chunk]

    # ---- two-phase resolution ------------------------------------------------------------------

    def post(self, target: str | Sequence[str], *, amount: int | None = None, actor: str = "system",
             note: str | None = None) -> list[str]:
        """Post pending transfers (a transfer id, a transaction id = its whole group, or a list), all
        or none. `amount` (one transfer only) posts less than reserved and releases the rest."""
        return self._resolve("post", target, amount=amount, actor=actor, note=note)

    def void(self, target: str | Sequence[str], *, actor: str = "system", reason: str | None = None) -> list[str]:
        """Void pending transfers, all or none: their amounts stop counting as used."""
        return self._resolve("void", target, amount=None, actor=actor, note=reason)

    def _targets(self, conn: Connection, target: str | Sequence[str]) -> list[str]:
        """The pending transfer ids named by transfer ids and transaction ids (each booking's group),
        in order without repeats; looked up 500 names per statement."""
        names = [target] if isinstance(target, str) else list(target)
        if not names:
            raise LedgerError("nothing to post or void: no transfer id given")
        asked = [n for n in names if isinstance(n, str)]
        kinds = dict(_chunked(conn, Q_KINDS, asked))
        groups = dict(_chunked(conn, Q_GROUPS, [n for n in asked if n not in kinds]))
        out: list[str] = []
        for name in names:
            check_id(name, "transfer id")
            kind = kinds.get(name)
            if kind is not None:
                if kind != "pending":
                    raise TransferStateError(f"transfer {name} is a {kind} transfer, not a pending one")
                out.append(name)
                continue
            if name not in groups:
                raise UnknownError(f"no pending transfer or booking with id {name!r}")
            ids = json.loads(groups[name])
            if not ids:
                raise TransferStateError(f"booking {name} has no transfers (nothing was drawn)")
            out.extend(ids)
        return list(dict.fromkeys(out))

    def _resolve(self, kind: str, target: str | Sequence[str], *, amount: int | None, actor: str,
                 note: str | None) -> list[str]:
        actor = check_actor(actor)
        if amount is not None:
            check_amount(amount, "post amount")
        now = self.now_us()
        with self._write() as conn:
            ids = self._targets(conn, target)
            if amount is not None and len(ids) != 1:
                raise LedgerError("a partial post amount applies to exactly one pending transfer")
            pend = {r.id: r for r in _chunked(conn, Q_TRANSFERS, ids)}
            head = self._lock(conn, {p.account_id for p in pend.values()})
            done = {r.pending_id: r for r in _chunked(conn, Q_RESOLVED, ids)}
            out, rows = [], []
            for pid in ids:
                p = pend[pid]
                rid = f"{pid}/{kind}"
                if pid in done:
                    prior = done[pid]
                    if prior.kind != kind:
                        raise TransferStateError(f"transfer {pid} was already {_past(prior.kind)} "
                                                 f"({from_us(prior.at_us)}); it cannot be {_past(kind)}")
                    if amount is not None and prior.amount != amount:
                        raise IdempotencyConflict(rid)
                    out.append(prior.id)
                    continue
                if amount is not None and amount > p.amount:
                    raise LedgerError(f"post amount {amount} exceeds the pending amount {p.amount} of {pid}")
                value = p.amount if kind == "void" or amount is None else amount
                rows.append({"id": rid, "transaction_id": p.transaction_id, "account_id": p.account_id,
                             "kind": kind, "amount": value, "limit": None, "pending_id": pid,
                             "expires_us": None, "as_of": p.as_of, "at_us": now, "actor": actor,
                             "note": note, "_released": p.amount})
                out.append(rid)
            if rows:
                self._apply_resolutions(conn, head, rows, kind, now, actor, note)
        return out

    def _apply_resolutions(self, conn: Connection, head: tuple[int, str], rows: list[dict[str, Any]],
                           kind: str, now: int, actor: str, note: str | None) -> None:
        gone = conn.execute(D_OPEN, [{"pid": r["pending_id"]} for r in rows])
        if gone.rowcount != len(rows):
            raise TransferStateError("a transfer to resolve is no longer pending")
        delta: dict[str, list[int]] = {}  # account -> [released, added to posted]: one update per account
        for r in rows:
            d = delta.setdefault(r["account_id"], [0, 0])
            d[0] += r["_released"]
            d[1] += r["amount"] if kind == "post" else 0
        conn.execute(U_RESOLVE, [{"aid": a, "released": d[0], "add": d[1]} for a, d in sorted(delta.items())])
        insert_rows(conn, s.transfers, TRANSFER_COLUMNS, [tuple(r[c] for c in TRANSFER_COLUMNS) for r in rows])
        subject = rows[0]["transaction_id"] if len({r["transaction_id"] for r in rows}) == 1 else "(several)"
        audit.append(conn, head, now, actor, kind, subject, {
            "note": note, "transfers": [audit.logged(r) | {"pending_id": r["pending_id"]} for r in rows]})

    def expire(self, *, before: dt.date | None = None, ids: Sequence[str] | None = None, yes: bool = False,
               actor: str = "system") -> list[str]:
        """Reservations never lapse by the clock: an operator voids open ones made before a date, or
        named ones (transfer or transaction ids). Without `yes` it only lists what it would void."""
        actor = check_actor(actor)
        if (before is None) == (not ids):
            raise LedgerError("expire takes --before DATE or ids (exactly one)")
        now = self.now_us()
        with self._write() as conn:
            if before is not None:
                cutoff = to_us(dt.datetime.combine(dt.date.fromisoformat(iso_date(before, "before")), dt.time()))
                due = [r.transfer_id for r in conn.execute(select(s.open_pending.c.transfer_id).where(
                    s.open_pending.c.created_us < cutoff).order_by(s.open_pending.c.transfer_id))]
            else:
                due = self._targets(conn, list(ids))
                known = {r.transfer_id for r in conn.execute(
                    select(s.open_pending.c.transfer_id).where(s.open_pending.c.transfer_id.in_(due)))}
                if set(due) - known:
                    raise TransferStateError(f"not open: {', '.join(sorted(set(due) - known))}")
            if not due or not yes:
                return due
            pend = list(conn.execute(select(s.transfers).where(s.transfers.c.id.in_(due)).order_by(s.transfers.c.id)))
            head = self._lock(conn, {p.account_id for p in pend})
            note = f"expired by the operator (reserved before {before})" if before else "expired by the operator"
            rows = [{"id": f"{p.id}/expire", "transaction_id": p.transaction_id, "account_id": p.account_id,
                     "kind": "expire", "amount": p.amount, "limit": None, "pending_id": p.id, "expires_us": None,
                     "as_of": p.as_of, "at_us": now, "actor": actor, "note": note, "_released": p.amount}
                    for p in pend]
            self._apply_resolutions(conn, head, rows, "expire", now, actor, note)
        return due

    # ---- audit ---------------------------------------------------------------------------------

    def verify(self, expect_head: str | None = None) -> audit.VerifyReport:
        """Recompute the audit chain, every record against it, and the balances; the report names the
        first bad entry or row. `expect_head` (SEQ:HASH from `head()`) detects truncation and rewinding."""
        with self._read() as conn:
            return audit.verify(conn, expect_head)

    def head(self) -> str:
        """The chain head as SEQ:HASH (keyed), for keeping outside the database."""
        with self._read() as conn:
            row = conn.execute(select(s.chain_head)).one()
        return f"{row.seq}:{row.hash}"

    def audit_log(self, limit: int | None = None) -> list[dict[str, Any]]:
        with self._read() as conn:
            q = select(s.audit).order_by(s.audit.c.seq.desc())
            if limit:
                q = q.limit(limit)
            return [dict(r) for r in conn.execute(q).mappings()][::-1]

    def export(self) -> Iterator[dict[str, Any]]:
        """Every row of every table, as {"table": name, "row": {...}}, for archives and audits."""
        with self._read() as conn:
            for table in s.metadata.sorted_tables:
                order = list(table.primary_key.columns)
                for row in conn.execute(select(table).order_by(*order)).mappings():
                    yield {"table": table.name, "row": dict(row)}


def _booked(row: Any) -> Booked:
    return Booked(row.transaction_id, row.request_hash, json.loads(row.decision), json.loads(row.transfer_ids))


def _prior(conn: Connection, transaction_id: str, request_hash: str) -> Booked | None:
    row = conn.execute(Q_BOOKING, {"tid": transaction_id}).first()
    return None if row is None else _same_or_conflict(_booked(row), request_hash)


def _same_or_conflict(prior: Booked, request_hash: str) -> Booked:
    if prior.request_hash != request_hash:
        raise IdempotencyConflict(prior.transaction_id)
    return prior


def _past(kind: str) -> str:
    return {"post": "posted", "void": "voided", "expire": "expired", "direct": "posted directly"}.get(kind, kind)
