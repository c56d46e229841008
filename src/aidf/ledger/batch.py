"""One writing database transaction of the ledger: bookings (and their holds) checked and buffered in
order, then written together.

A batch takes the audit chain head lock first (SQLite already holds the write lock from BEGIN
IMMEDIATE), so no other writer can change a balance while it runs; it then reads each account once,
keeps the running balances itself, and applies every limit the law sets on a meter (limits.py) whatever
the caller's draws say. It is also a ledger reader over that same transaction: the engine decides
each transaction of a batch against it, so a batched decision sees exactly what a single one would.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import BigInteger, bindparam, select, update
from sqlalchemy.engine import Connection

from aidf.cite import UVEU_SHARE_LIMITS
from aidf.ledger import audit, limits
from aidf.ledger import schema as s
from aidf.ledger.base import Booked, Draw, IdempotencyConflict, LedgerError, LimitExceeded
from aidf.ledger.bounds import MAX_ACCOUNT_MILLI, MAX_LINE_MILLI
from aidf.ledger.common import (
    canonical,
    canonical_beside,
    check_actor,
    check_amount,
    check_id,
    check_limit,
    iso_date,
    sha256,
    string_list,
)
from aidf.ledger.db import first_in, insert_rows
from aidf.model import AccountRef

MAX_DRAWS = 1000  # per linked group; a decision has a handful
# Rows are buffered as tuples in these column orders and written by one executemany per table.
TRANSFER_COLUMNS = ("id", "transaction_id", "account_id", "kind", "amount", "limit", "pending_id", "expires_us",
                    "as_of", "at_us", "actor", "note")
OPEN_COLUMNS = ("transfer_id", "account_id", "amount", "created_us")
BOOKING_COLUMNS = ("transaction_id", "request_hash", "decision", "transfer_ids", "as_of", "at_us", "actor")
HOLD_COLUMNS = ("transaction_id", "decision", "reason", "content_hash", "at_us", "actor")
Q_ONE = select(s.accounts.c.posted, s.accounts.c.pending).where(s.accounts.c.id == bindparam("aid"))
Q_BOOKING = select(s.bookings).where(s.bookings.c.transaction_id == bindparam("tid"))
Q_VEU = (select(s.accounts.c.id, s.accounts.c.country)
         .where(s.accounts.c.kind == bindparam("kind"), s.accounts.c.veu == bindparam("veu")).order_by(s.accounts.c.id))
Q_BOOKED_IDS = select(s.bookings.c.transaction_id).where(
    s.bookings.c.transaction_id.in_(bindparam("ids", expanding=True)))
Q_HOLD = select(s.holds.c.content_hash).where(s.holds.c.transaction_id == bindparam("tid"))
Q_HELD_IDS = select(s.holds.c.transaction_id, s.holds.c.content_hash).where(
    s.holds.c.transaction_id.in_(bindparam("ids", expanding=True)))


class ShareLimitExceeded(LimitExceeded):
    """A draw under a UVEU authorization would break a Supp. No. 10 para 6 share limit."""

    def __init__(self, account: AccountRef, used: int, amount: int, breach: str):
        self.breach = breach
        LedgerError.__init__(self, f"account {account.id}: {amount / 1000:,.3f} TPP more would break the UVEU "
                                   f"share limit {breach} ({UVEU_SHARE_LIMITS})")
        self.account, self.used, self.amount, self.limit = account, used, amount, 0


def _balance_update():
    from sqlalchemy import func

    return (update(s.accounts).where(s.accounts.c.id == bindparam("aid"))
            .values(posted=s.accounts.c.posted + bindparam("dposted"),
                    pending=s.accounts.c.pending + bindparam("dpending"),
                    last_limit=func.coalesce(bindparam("lim", type_=BigInteger), s.accounts.c.last_limit)))


U_BALANCE = _balance_update()


def account_columns(ref: AccountRef) -> dict[str, Any]:
    return {"id": ref.id, "kind": ref.kind, "country": ref.country, "consignee": ref.consignee,
            "year": ref.year, "veu": ref.veu, "window": ref.window, "license": getattr(ref, "license", None)}


class Batch:
    """Bookings and holds of one database transaction (made by StoreCore.batch())."""

    def __init__(self, store, conn: Connection, head: tuple[int, str], now: int):
        self.store, self.conn, self.head, self.now = store, conn, head, now
        self.pg = store._pg
        self.bal: dict[str, list[int]] = {}  # account id -> [posted, pending], this transaction's view
        self.refs: dict[str, AccountRef] = {}
        self.last_limit: dict[str, int] = {}
        self.veus: dict[str, set[str]] = {}  # UVEU -> countries with a share account
        # Booked here: transaction id -> (request hash, decision text, transfer ids). The decision is read back
        # from its text when asked for, so a batch does not keep 8,000 decisions as Python objects.
        self.booked: dict[str, tuple[str, str, list[str]]] = {}
        self.transfers: list[tuple] = []  # TRANSFER_COLUMNS
        self.open: list[tuple] = []  # OPEN_COLUMNS
        self.bookings: list[tuple] = []  # BOOKING_COLUMNS
        self.holds: list[tuple[Any, ...]] = []  # HOLD_COLUMNS order
        self.entries: list[tuple[str, str, str, dict[str, Any]]] = []
        self._arr: dict[tuple[str, str], Any] = {}
        self._absent: set[str] = set()  # transaction ids known to have no booking yet
        self._ids: dict[int, tuple[AccountRef, str]] = {}  # id(ref) -> (ref, its account id)
        self._held: dict[str, str] = {}  # holds placed or found: transaction id -> content hash
        self._unheld: set[str] = set()  # transaction ids known to have no hold yet
        self._limits: dict[tuple, int | None] = {}

    def _id(self, ref: AccountRef) -> str:
        """The account id of `ref`, remembered by object (hashing a model costs more than the id)."""
        hit = self._ids.get(id(ref))
        if hit is None or hit[0] is not ref:
            hit = self._ids[id(ref)] = (ref, ref.id)  # the ref is kept, so its id() is never reused
        return hit[1]

    # ---- reads over this transaction (the engine's LedgerReader) --------------------------------

    def _balance(self, ref: AccountRef, aid: str | None = None) -> list[int]:
        aid = aid or self._id(ref)
        b = self.bal.get(aid)
        if b is None:
            row = first_in(self.conn, Q_ONE, {"aid": aid})
            b = self.bal[aid] = [int(row["posted"]), int(row["pending"])] if row else [0, 0]
            self.refs[aid] = ref
        return b

    def used(self, account: AccountRef) -> int:
        b = self._balance(account)
        return b[0] + b[1]

    def installed_base(self, kind: str, veu: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for country in self._countries(kind, veu):
            ref = AccountRef(kind=kind, veu=veu, country=country)
            out[country] = out.get(country, 0) + self.used(ref)
        return out

    def _countries(self, kind: str, veu: str) -> set[str]:
        key = f"{kind}\x00{veu}"
        if key not in self.veus:
            q = Q_VEU.with_for_update() if self.pg else Q_VEU  # the VEU's accounts, locked for the share test
            self.veus[key] = {r.country for r in self.conn.execute(q, {"kind": kind, "veu": veu}) if r.country}
        return self.veus[key]

    def arrangement(self, country: str, as_of: dt.date) -> dict[str, Any] | None:
        key = (country.upper(), iso_date(as_of, "as_of"))
        if key not in self._arr:
            self._arr[key] = self.store._arrangement_in(self.conn, *key)
        return self._arr[key]

    def prefetch(self, transaction_ids: list[str]) -> None:
        """Look up which of these transactions are booked or held already, in two statements per 500 ids."""
        for i in range(0, len(transaction_ids), 500):
            ids = transaction_ids[i:i + 500]
            found = set(self.conn.execute(Q_BOOKED_IDS, {"ids": ids}).scalars())
            self._absent.update(t for t in ids if t not in found)
            held = {t: h for t, h in self.conn.execute(Q_HELD_IDS, {"ids": ids})}
            self._held.update(held)
            self._unheld.update(t for t in ids if t not in held)

    def find(self, transaction_id: str) -> Booked | None:
        hit = self.booked.get(transaction_id)
        if hit is not None:
            return Booked(transaction_id, hit[0], json.loads(hit[1]), list(hit[2]))
        if transaction_id in self._absent:
            return None
        row = self.conn.execute(Q_BOOKING, {"tid": transaction_id}).first()
        return None if row is None else Booked(row.transaction_id, row.request_hash, json.loads(row.decision),
                                               json.loads(row.transfer_ids))

    # ---- bookings --------------------------------------------------------------------------------

    def book(self, transaction_id: str, request_hash: str, decision: dict[str, Any], draws: list[Draw],
             as_of: dt.date, *, actor: str = "engine") -> Booked:
        """Check every draw against the law's limits and the caller's; buffer the booking. All or none."""
        return self._book(transaction_id, request_hash, decision, draws, as_of, actor, None)

    def _book(self, transaction_id: str, request_hash: str, decision: dict[str, Any], draws: list[Draw],
              as_of: dt.date, actor: str, text: str | None) -> Booked:
        """book(), with `text` = canonical(decision) when book_held has written it already."""
        transaction_id = check_id(transaction_id, "transaction id")
        request_hash = check_id(request_hash, "request hash")
        actor = check_actor(actor)
        as_of_s = iso_date(as_of, "as_of")
        day = dt.date.fromisoformat(as_of_s)
        if len(draws) > MAX_DRAWS:
            raise LedgerError(f"a linked group holds at most {MAX_DRAWS} draws")
        prior = self.find(transaction_id)
        if prior is not None:
            if prior.request_hash != request_hash:
                raise IdempotencyConflict(transaction_id)
            return prior
        running: dict[str, int] = defaultdict(int)  # account id -> drawn by this group so far
        floors: dict[str, int] = {}
        for d in draws:
            self._check_draw(d, day, running, floors)
        text = canonical(decision) if text is None else text
        booked = self._buffer(transaction_id, request_hash, text, draws, floors, as_of_s, actor)
        booked.decision = decision
        return booked

    def book_held(self, transaction_id: str, request_hash: str, decision: dict[str, Any], request: dict[str, Any],
                  draws: list[Draw], as_of: dt.date, hold: str | None, *, actor: str = "engine") -> Booked:
        """book() of the decision with its request beside it (key "request"), then place_hold() of the
        decision alone when `hold` (a reason) is given: the decision is written to canonical JSON once."""
        alone, beside = canonical_beside(decision, "request", request)
        booked = self._book(transaction_id, request_hash, decision | {"request": request}, draws, as_of, actor, beside)
        if hold is not None:
            self._place_hold(transaction_id, alone, hold, actor)
        return booked

    def _check_draw(self, d: Draw, day: dt.date, running: dict[str, int], floors: dict[str, int]) -> None:
        aid = self._id(d.account)
        if d.kind != "floor":
            check_amount(d.amount, f"draw on {aid}")
        elif isinstance(d.amount, bool) or not isinstance(d.amount, int) or d.amount < 0:
            raise LedgerError(f"declared base on {aid} must be an integer >= 0 milli-TPP (got {d.amount!r})")
        if d.amount > MAX_LINE_MILLI:
            raise LedgerError(f"draw on {aid}: {d.amount} milli-TPP is past the bound of {MAX_LINE_MILLI} per line")
        check_limit(d.limit)
        b = self._balance(d.account, aid)
        cur = b[0] + b[1] + running[aid]
        if d.kind == "floor":  # a declared base raises what is counted, never lowers it
            if d.amount > cur:
                floors[aid] = floors.get(aid, 0) + d.amount - cur
                running[aid] += d.amount - cur
            return
        if cur + d.amount > MAX_ACCOUNT_MILLI:
            raise LedgerError(f"account {aid}: {cur + d.amount} milli-TPP would pass the bound of "
                              f"{MAX_ACCOUNT_MILLI} per account")
        limit = self._limit(d, day)
        if limit is not None and cur + d.amount > limit:
            raise LimitExceeded(d.account, cur, d.amount, limit)
        if d.account.kind == "uveu_share" and d.kind == "draw":
            self._check_shares(d, day, running)
        running[aid] += d.amount

    def _limit(self, d: Draw, day: dt.date) -> int | None:
        """The stricter of the caller's limit and the law's (limits.py)."""
        ref = d.account
        key = (ref.kind, ref.country, getattr(ref, "license", None), day)
        if key not in self._limits:
            self._limits[key] = self._law_limit(ref, day)
        law = self._limits[key]
        given = [x for x in (law, d.limit) if x is not None]
        return min(given) if given else None

    def _law_limit(self, ref: AccountRef, day: dt.date) -> int | None:
        if ref.kind in limits.METERED:
            arranged = ref.kind == "country_allocation" and (
                self.arrangement(ref.country, day) is not None or limits.published_arrangement(ref.country, day))
            return limits.meter_limit(ref.kind, day, arranged)
        if ref.kind == "license":
            return self.store._license_amount(self.conn, getattr(ref, "license", None))
        return None

    def _check_shares(self, d: Draw, day: dt.date, running: dict[str, int]) -> None:
        veu, dest = d.account.veu, d.account.country
        drawn = [self.refs[a] for a in running]
        here = {r.country for r in drawn if r.kind == "uveu_share" and r.veu == veu and r.country}
        after = {}
        for country in self._countries("uveu_share", veu) | here | {dest}:
            ref = AccountRef(kind="uveu_share", veu=veu, country=country)
            aid = self._id(ref)
            after[country] = self.used(ref) + running.get(aid, 0)
        after[dest] += d.amount
        breach = limits.share_breach(after, dest, d.hq, day)
        if breach is not None:
            raise ShareLimitExceeded(d.account, after[dest] - d.amount, d.amount, breach)

    def _buffer(self, tid: str, request_hash: str, decision_text: str, draws: list[Draw], floors: dict[str, int],
                as_of_s: str, actor: str) -> Booked:
        now, logged = self.now, []
        for aid, amount in sorted(floors.items()):
            ref = next(d.account for d in draws if d.account.id == aid)
            self._transfer(f"{tid}/floor/{aid}", tid, aid, "adjust", amount, None, as_of_s, actor,
                           "declared installed base: the count is raised to it", logged)
            self._apply(ref, amount, 0, None, aid)
        tids = []
        for d in draws:
            if d.kind == "floor":
                continue
            aid = self._id(d.account)
            rid = f"{tid}/{len(tids)}"
            self._transfer(rid, tid, aid, "pending", d.amount, d.limit, as_of_s, actor, None, logged)
            self.open.append((rid, aid, d.amount, now))
            self._apply(d.account, 0, d.amount, d.limit, aid)
            tids.append(rid)
        self.bookings.append((tid, request_hash, decision_text, string_list(tids), as_of_s, now, actor))
        self.entries.append((actor, "book", tid, {"request_hash": request_hash, "as_of": as_of_s,
                                                  "decision_sha256": sha256(decision_text), "transfers": logged}))
        self.booked[tid] = (request_hash, decision_text, tids)
        return Booked(tid, request_hash, {}, tids)

    def _transfer(self, rid: str, tid: str, aid: str, kind: str, amount: int, limit: int | None, as_of_s: str,
                  actor: str, note: str | None, logged: list[dict[str, Any]]) -> None:
        """Buffer one transfer row (TRANSFER_COLUMNS order) and what its audit entry says of it."""
        self.transfers.append((rid, tid, aid, kind, amount, limit, None, None, as_of_s, self.now, actor, note))
        logged.append({"id": rid, "kind": kind, "account": aid, "amount": amount, "limit": limit})

    def _apply(self, ref: AccountRef, posted: int, pending: int, limit: int | None, aid: str) -> None:
        b = self._balance(ref, aid)
        b[0] += posted
        b[1] += pending
        self.refs[aid] = ref
        if limit is not None:
            self.last_limit[aid] = limit
        if ref.kind in ("uveu_share", "nveu_cap") and ref.country:
            self._countries(ref.kind, ref.veu).add(ref.country)

    # ---- holds -----------------------------------------------------------------------------------

    def place_hold(self, transaction_id: str, decision: dict[str, Any], reason: str, *, actor: str = "engine") -> None:
        """Hold a shipment in the same transaction as its booking; the same hold again is a no-op."""
        self._place_hold(transaction_id, canonical(decision), reason, actor)

    def _place_hold(self, transaction_id: str, text: str, reason: str, actor: str) -> None:
        """place_hold() of a decision given as its canonical text."""
        transaction_id = check_id(transaction_id, "transaction id")
        reason = check_id(reason, "hold reason")
        actor = check_actor(actor)
        h = sha256(canonical([text, reason]))
        prior = self._held.get(transaction_id)
        if prior is None and transaction_id not in self._unheld:
            prior = self.conn.execute(Q_HOLD, {"tid": transaction_id}).scalar()
        if prior is not None:
            if prior != h:
                raise IdempotencyConflict(transaction_id)
            return
        self.holds.append((transaction_id, text, reason, h, self.now, actor))
        self._held[transaction_id] = h
        self.entries.append((actor, "hold", transaction_id, {"reason": reason, "decision_sha256": sha256(text)}))

    # ---- writing -----------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write everything buffered: accounts, balances, transfers, bookings, holds, audit entries;
        one executemany per table."""
        conn = self.conn
        touched = sorted({r[2] for r in self.transfers})
        if touched:
            conn.execute(self.store._insert_account, [
                {**account_columns(self.refs[a]), "posted": 0, "pending": 0, "created_us": self.now} for a in touched])
            delta: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for r in self.transfers:
                delta[r[2]][0 if r[3] == "adjust" else 1] += r[4]
            conn.execute(U_BALANCE, [{"aid": a, "dposted": delta[a][0], "dpending": delta[a][1],
                                      "lim": self.last_limit.get(a)} for a in touched])
            insert_rows(conn, s.transfers, TRANSFER_COLUMNS, self.transfers)
        insert_rows(conn, s.open_pending, OPEN_COLUMNS, self.open)
        insert_rows(conn, s.bookings, BOOKING_COLUMNS, self.bookings)
        insert_rows(conn, s.holds, HOLD_COLUMNS, self.holds)
        if self.entries:
            self.head = audit.append_many(conn, self.head, self.now, self.entries)
        for buf in (self.transfers, self.open, self.bookings, self.holds, self.entries):
            buf.clear()
