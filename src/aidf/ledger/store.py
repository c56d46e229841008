"""The durable ledger over SQLAlchemy (SQLite or PostgreSQL): accounts whose limits the store
enforces, immutable transfers, two-phase pending -> post / void / expire, linked bookings keyed by
the caller's transaction id (idempotency), and an audit entry for every write.

Every write runs in one database transaction that first locks what it touches: SQLite takes the
write lock at BEGIN IMMEDIATE; PostgreSQL locks the account rows (FOR UPDATE, sorted by id) and
then the audit chain head. The limit check reads balances only after those locks, so two writers
can never both see the last TPP free.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import BigInteger, bindparam, delete, func, select, update
from sqlalchemy.engine import Connection, Engine

from aidf.ledger import audit
from aidf.ledger import schema as s
from aidf.ledger.base import Booked, Draw, IdempotencyConflict, LedgerError, LimitExceeded
from aidf.ledger.common import (
    Clock,
    TransferStateError,
    UnknownError,
    canonical,
    check_actor,
    check_amount,
    check_id,
    check_limit,
    from_us,
    iso_date,
    sha256,
    system_clock,
    to_us,
)
from aidf.model import AccountRef

DEFAULT_PENDING_TIMEOUT = dt.timedelta(days=30)

# Statements built once and run with parameters (building them per call dominates the cost).
_IDS = bindparam("ids", expanding=True)
Q_ACCOUNTS = select(s.accounts).where(s.accounts.c.id.in_(_IDS)).order_by(s.accounts.c.id)
Q_ALL_ACCOUNTS = select(s.accounts).order_by(s.accounts.c.id)
Q_LOCK = select(s.accounts.c.id).where(s.accounts.c.id.in_(_IDS)).order_by(s.accounts.c.id).with_for_update()
_OVERDUE = (select(s.open_pending.c.account_id, func.sum(s.open_pending.c.amount))
            .where(s.open_pending.c.expires_us <= bindparam("now")).group_by(s.open_pending.c.account_id))
Q_OVERDUE = _OVERDUE.where(s.open_pending.c.account_id.in_(_IDS))
_LATE = (select(func.coalesce(func.sum(s.open_pending.c.amount), 0))
         .where(s.open_pending.c.account_id == s.accounts.c.id, s.open_pending.c.expires_us <= bindparam("now"))
         .scalar_subquery())
# One account's used amount in one statement: the engine asks this several times per decision.
Q_USED = select(s.accounts.c.posted + s.accounts.c.pending - _LATE).where(s.accounts.c.id == bindparam("aid"))
Q_BOOKING = select(s.bookings).where(s.bookings.c.transaction_id == bindparam("tid"))
U_PENDING = (update(s.accounts).where(s.accounts.c.id == bindparam("aid"))
             .values(pending=s.accounts.c.pending + bindparam("delta"),
                     last_limit=func.coalesce(bindparam("lim", type_=BigInteger), s.accounts.c.last_limit)))
U_RESOLVE = (update(s.accounts).where(s.accounts.c.id == bindparam("aid"))
             .values(pending=s.accounts.c.pending - bindparam("released"),
                     posted=s.accounts.c.posted + bindparam("add")))
D_OPEN = delete(s.open_pending).where(s.open_pending.c.transfer_id == bindparam("pid"))
MAX_DRAWS = 1000  # per linked group; a decision has a handful


def account_columns(ref: AccountRef) -> dict[str, Any]:
    return {"id": ref.id, "kind": ref.kind, "country": ref.country, "consignee": ref.consignee,
            "year": ref.year, "veu": ref.veu, "window": ref.window, "license": getattr(ref, "license", None)}


class StoreCore:
    """Accounts, bookings and transfers; licenses/holds are added by holds.LicensesAndHolds."""

    def __init__(self, engine: Engine, *, clock: Clock | None = None,
                 pending_timeout: dt.timedelta = DEFAULT_PENDING_TIMEOUT, label: str | None = None):
        if pending_timeout <= dt.timedelta(0):
            raise LedgerError("pending_timeout must be positive")
        self.engine = engine
        self.clock = clock or system_clock
        self.pending_timeout = pending_timeout
        self.label = label or engine.url.render_as_string(hide_password=True)
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
            yield conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._guard(), self.engine.connect() as conn:
            conn.execution_options(aidf_write=True)
            with conn.begin():
                yield conn

    def _lock(self, conn: Connection, account_ids: Iterable[str]) -> tuple[int, str]:
        """Lock accounts in id order, then the audit head: one global order, so no deadlock."""
        ids = sorted(set(account_ids))
        if ids and self._pg:
            conn.execute(Q_LOCK, {"ids": ids}).all()
        return audit.lock_head(conn)

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

    def _overdue(self, conn: Connection, ids: Sequence[str] | None, now: int) -> dict[str, int]:
        """Pending amounts past their expiry that no sweep has voided yet: they no longer count."""
        if ids is None:
            return {a: int(v) for a, v in conn.execute(_OVERDUE, {"now": now})}
        return {a: int(v) for a, v in conn.execute(Q_OVERDUE, {"now": now, "ids": list(ids)})}

    def _balances(self, conn: Connection, ids: Sequence[str] | None, now: int) -> dict[str, dict[str, Any]]:
        if ids is None:
            rows = conn.execute(Q_ALL_ACCOUNTS).mappings().all()
        else:
            rows = conn.execute(Q_ACCOUNTS, {"ids": list(ids)}).mappings().all()
        overdue = self._overdue(conn, ids, now) if rows else {}
        out = {}
        for r in rows:
            late = overdue.get(r["id"], 0)
            live = r["pending"] - late
            out[r["id"]] = {**r, "pending": live, "expired_unswept": late, "used": r["posted"] + live}
        return out

    def used(self, account: AccountRef) -> int:
        # A single statement reads a consistent snapshot on its own: no explicit transaction needed.
        with self._guard(), self.engine.connect() as conn:
            value = conn.execute(Q_USED, {"aid": account.id, "now": self.now_us()}).scalar()
        return int(value) if value is not None else 0

    def balance(self, account_id: str) -> dict[str, Any]:
        """posted, live pending, used (= posted + live pending), last limit seen, key columns."""
        with self._read() as conn:
            b = self._balances(conn, [account_id], self.now_us())
        if not b:
            raise UnknownError(f"no account {account_id!r}")
        return b[account_id]

    def accounts(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = list(self._balances(conn, None, self.now_us()).values())
        return [r for r in rows if kind is None or r["kind"] == kind]

    def installed_base(self, kind: str, veu: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.accounts(kind):
            if r["veu"] == veu and r["country"]:
                out[r["country"]] = out.get(r["country"], 0) + r["used"]
        return out

    def history(self, account_id: str) -> list[dict[str, Any]]:
        """Every transfer on the account, oldest first (pending, post, void, expire, direct)."""
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
            rows = conn.execute(select(s.open_pending).order_by(s.open_pending.c.expires_us)).mappings().all()
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
            row = conn.execute(select(s.arrangements).where(
                s.arrangements.c.country == country.upper(), s.arrangements.c.since <= iso_date(as_of, "as_of"))
                .order_by(s.arrangements.c.since.desc(), s.arrangements.c.seq.desc()).limit(1)).first()
        if row is None:
            return None
        return {"country": row.country, "since": dt.date.fromisoformat(row.since), "reference": row.reference}

    # ---- bookings ------------------------------------------------------------------------------

    def find(self, transaction_id: str) -> Booked | None:
        with self._read() as conn:
            row = conn.execute(Q_BOOKING, {"tid": transaction_id}).first()
        return _booked(row) if row else None

    def book(self, transaction_id: str, request_hash: str, decision: dict[str, Any],
             draws: list[Draw], as_of: dt.date, *, actor: str = "engine",
             pending_timeout: dt.timedelta | None = None) -> Booked:
        """Reserve the draws as pending transfers, all or none (see base.Ledger.book)."""
        transaction_id = check_id(transaction_id, "transaction id")
        request_hash = check_id(request_hash, "request hash")
        actor = check_actor(actor)
        as_of_s = iso_date(as_of, "as_of")
        if len(draws) > MAX_DRAWS:
            raise LedgerError(f"a linked group holds at most {MAX_DRAWS} draws")
        for d in draws:
            check_amount(d.amount, f"draw on {d.account.id}")
            check_limit(d.limit)
        timeout = pending_timeout or self.pending_timeout
        decision_text = canonical(decision)
        now = self.now_us()
        expires = now + timeout // dt.timedelta(microseconds=1)
        refs = {d.account.id: d.account for d in draws}
        with self._write() as conn:
            prior = _prior(conn, transaction_id, request_hash)  # a retry writes nothing
            if prior is not None:
                return prior
            self._ensure_accounts(conn, list(refs.values()), now)
            head = self._lock(conn, refs)
            prior = _prior(conn, transaction_id, request_hash)  # booked meanwhile by another writer?
            if prior is not None:
                return prior
            bal = self._balances(conn, list(refs), now)
            running: dict[str, int] = defaultdict(int)
            for d in draws:
                aid = d.account.id
                used = bal[aid]["used"] + running[aid]
                if d.limit is not None and used + d.amount > d.limit:
                    raise LimitExceeded(d.account, used, d.amount, d.limit)
                running[aid] += d.amount
            tids = [f"{transaction_id}/{i}" for i in range(len(draws))]
            rows = [{"id": t, "transaction_id": transaction_id, "account_id": d.account.id, "kind": "pending",
                     "amount": d.amount, "limit": d.limit, "pending_id": None, "expires_us": expires,
                     "as_of": as_of_s, "at_us": now, "actor": actor, "note": None}
                    for t, d in zip(tids, draws, strict=True)]
            if rows:
                conn.execute(s.transfers.insert(), rows)
                conn.execute(s.open_pending.insert(), [
                    {"transfer_id": r["id"], "account_id": r["account_id"], "amount": r["amount"],
                     "expires_us": expires} for r in rows])
                conn.execute(U_PENDING, [{"aid": r["account_id"], "delta": r["amount"], "lim": r["limit"]}
                                         for r in rows])
            conn.execute(s.bookings.insert(), {
                "transaction_id": transaction_id, "request_hash": request_hash, "decision": decision_text,
                "transfer_ids": json.dumps(tids), "as_of": as_of_s, "at_us": now, "actor": actor})
            audit.append(conn, head, now, actor, "book", transaction_id, {
                "request_hash": request_hash, "as_of": as_of_s, "expires_at": from_us(expires),
                "decision_sha256": sha256(decision_text),
                "transfers": [_logged(r) | {"limit": r["limit"]} for r in rows]})
        return Booked(transaction_id, request_hash, json.loads(decision_text), tids)

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
        names = [target] if isinstance(target, str) else list(target)
        if not names:
            raise LedgerError("nothing to post or void: no transfer id given")
        out: list[str] = []
        for name in names:
            check_id(name, "transfer id")
            row = conn.execute(select(s.transfers.c.kind).where(s.transfers.c.id == name)).first()
            if row is not None:
                if row.kind != "pending":
                    raise TransferStateError(f"transfer {name} is a {row.kind} transfer, not a pending one")
                out.append(name)
                continue
            b = conn.execute(select(s.bookings.c.transfer_ids)
                             .where(s.bookings.c.transaction_id == name)).first()
            if b is None:
                raise UnknownError(f"no pending transfer or booking with id {name!r}")
            ids = json.loads(b.transfer_ids)
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
            pend = {r.id: r for r in conn.execute(select(s.transfers).where(s.transfers.c.id.in_(ids)))}
            head = self._lock(conn, {p.account_id for p in pend.values()})
            done = {r.pending_id: r for r in conn.execute(
                select(s.transfers).where(s.transfers.c.pending_id.in_(ids)))}
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
                if p.expires_us <= now:
                    raise TransferStateError(f"transfer {pid} expired at {from_us(p.expires_us)}; "
                                             f"it cannot be {_past(kind)} (run expire)")
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
        conn.execute(U_RESOLVE, [{"aid": r["account_id"], "released": r["_released"],
                                  "add": r["amount"] if kind == "post" else 0} for r in rows])
        conn.execute(s.transfers.insert(), [{k: v for k, v in r.items() if k != "_released"} for r in rows])
        subject = rows[0]["transaction_id"] if len({r["transaction_id"] for r in rows}) == 1 else "(several)"
        audit.append(conn, head, now, actor, kind, subject, {
            "note": note, "transfers": [_logged(r) | {"pending_id": r["pending_id"]} for r in rows]})

    def expire(self, *, actor: str = "system") -> list[str]:
        """Void every pending transfer past its expiry (the sweep); returns the expired transfer ids."""
        actor = check_actor(actor)
        now = self.now_us()
        with self._write() as conn:
            due = conn.execute(select(s.open_pending).where(s.open_pending.c.expires_us <= now)).all()
            if not due:
                return []
            head = self._lock(conn, {d.account_id for d in due})
            due = conn.execute(select(s.open_pending).where(s.open_pending.c.expires_us <= now)
                               .order_by(s.open_pending.c.transfer_id)).all()
            if not due:
                return []
            txn = dict(conn.execute(select(s.transfers.c.id, s.transfers.c.transaction_id).where(
                s.transfers.c.id.in_([d.transfer_id for d in due]))).all())
            rows = [{"id": f"{d.transfer_id}/expire", "transaction_id": txn[d.transfer_id],
                     "account_id": d.account_id, "kind": "expire", "amount": d.amount, "limit": None,
                     "pending_id": d.transfer_id, "expires_us": None, "as_of": None, "at_us": now,
                     "actor": actor, "note": f"expired at {from_us(d.expires_us)}", "_released": d.amount}
                    for d in due]
            self._apply_resolutions(conn, head, rows, "expire", now, actor, "expiry sweep")
        return [r["pending_id"] for r in rows]

    # ---- audit ---------------------------------------------------------------------------------

    def verify(self) -> audit.VerifyReport:
        """Recompute the audit chain and the balances; the report names the first bad entry."""
        with self._read() as conn:
            return audit.verify(conn)

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


def _logged(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "kind": r["kind"], "account": r["account_id"], "amount": r["amount"]}


def _past(kind: str) -> str:
    return {"post": "posted", "void": "voided", "expire": "expired", "direct": "posted directly"}.get(kind, kind)
