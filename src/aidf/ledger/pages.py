"""Reads of the ledger one page at a time, for callers that list (the API, the dashboard).

Each list is read in a fixed order over indexed columns and resumes after the last row of the
previous page (keyset paging), so a page costs the same on the first day and after a million
bookings. Every function takes the store (SqlLedger) and returns (rows, next key or None); the
service turns the key into an opaque cursor. Summaries for the overview read the accounts table
(balances the store keeps up to date) and the tail of the audit log, never the whole log.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, desc, func, select, tuple_

from aidf.ledger import schema as s

Key = list[Any]


def _page(rows: list[Any], limit: int, key) -> tuple[list[Any], Key | None]:
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, key(rows[-1])
    return rows, None


def holds(store: Any, status: str, limit: int, after: Key | None = None,
          offset: int = 0) -> tuple[list[dict], Key | None]:
    """Holds oldest first (placed time, then id), open / released / all; after a key, or skipping
    `offset` rows (numbered pages on the dashboard)."""
    from aidf.ledger.holds import _hold_dict

    h, r = s.holds, s.hold_releases
    q = select(h, r.c.how, r.c.license, r.c.transfer_id, r.c.reason.label("release_reason"),
               r.c.at_us.label("release_at_us"), r.c.actor.label("release_actor"),
               r.c.transaction_id.label("released")).select_from(h.outerjoin(r, r.c.transaction_id == h.c.transaction_id))
    if status == "open":
        q = q.where(r.c.transaction_id.is_(None))
    elif status == "released":
        q = q.where(r.c.transaction_id.is_not(None))
    if after:
        q = q.where(tuple_(h.c.at_us, h.c.transaction_id) > tuple_(int(after[0]), str(after[1])))
    q = q.order_by(h.c.at_us, h.c.transaction_id).limit(limit + 1).offset(offset)
    with store._read() as conn:
        rows = conn.execute(q).all()
    rows, nxt = _page(rows, limit, lambda x: [x.at_us, x.transaction_id])
    return [_hold_dict(x, _Release(x) if x.released is not None else None) for x in rows], nxt


class _Release:
    """The release columns of a joined row, under the names _hold_dict reads."""

    def __init__(self, row: Any):
        self.how, self.license, self.transfer_id = row.how, row.license, row.transfer_id
        self.reason, self.at_us, self.actor = row.release_reason, row.release_at_us, row.release_actor


def licenses(store: Any, limit: int, after: Key | None = None) -> tuple[list[dict], Key | None]:
    """Licenses by number, with what each has used."""
    from aidf.ledger.holds import _license_dict

    q = select(s.licenses)
    if after:
        q = q.where(s.licenses.c.number > str(after[0]))
    with store._read() as conn:
        rows = conn.execute(q.order_by(s.licenses.c.number).limit(limit + 1)).all()
    rows, nxt = _page(rows, limit, lambda x: [x.number])
    return [store._with_usage(_license_dict(r)) for r in rows], nxt


def history(store: Any, account_id: str, limit: int, after: Key | None = None) -> tuple[list[dict], Key | None]:
    """Transfers on one account, oldest first."""
    t = s.transfers
    q = select(t).where(t.c.account_id == account_id)
    if after:
        q = q.where(t.c.seq > int(after[0]))
    with store._read() as conn:
        rows = conn.execute(q.order_by(t.c.seq).limit(limit + 1)).mappings().all()
    rows, nxt = _page(list(rows), limit, lambda x: [x["seq"]])
    return [dict(r) for r in rows], nxt


def audit(store: Any, limit: int, before: Key | None = None) -> tuple[list[dict], Key | None]:
    """The newest `limit` audit entries before a position, returned oldest first; the next page is older."""
    a = s.audit
    q = select(a)
    if before:
        q = q.where(a.c.seq < int(before[0]))
    with store._read() as conn:
        rows = conn.execute(q.order_by(desc(a.c.seq)).limit(limit + 1)).mappings().all()
    rows, nxt = _page(list(rows), limit, lambda x: [x["seq"]])
    return [dict(r) for r in rows][::-1], nxt


def bookings(store: Any, limit: int, after: Key | None = None) -> tuple[list[dict], Key | None]:
    """Booked transactions by id: id, when, by whom, and the decision's outcome and destination."""
    b = s.bookings
    q = select(b.c.transaction_id, b.c.decision, b.c.as_of, b.c.at_us, b.c.actor)
    if after:
        q = q.where(b.c.transaction_id > str(after[0]))
    with store._read() as conn:
        rows = conn.execute(q.order_by(b.c.transaction_id).limit(limit + 1)).all()
    rows, nxt = _page(rows, limit, lambda x: [x.transaction_id])
    out = []
    for r in rows:
        d = json.loads(r.decision)
        out.append({"transaction_id": r.transaction_id, "date": r.as_of, "at_us": r.at_us, "actor": r.actor,
                    "outcome": d.get("outcome"), "authorization": d.get("authorization"),
                    "destination_tier": d.get("destination_tier")})
    return out, nxt


def latest(store: Any, action: str, limit: int) -> list[dict]:
    """The newest audit entries of one action (e.g. book), newest first: read from the log's end."""
    a = s.audit
    q = select(a.c.seq, a.c.at_us, a.c.actor, a.c.subject).where(a.c.action == action)
    with store._read() as conn:
        return [dict(r) for r in conn.execute(q.order_by(desc(a.c.seq)).limit(limit)).mappings()]


def accounts(store: Any, kind: str, *, year: int | None = None, top: int | None = None) -> list[dict]:
    """Balances of the accounts of one kind (optionally one year), the most used first when `top`."""
    a = s.accounts
    q = select(a.c.id).where(a.c.kind == kind)
    if year is not None:
        q = q.where(a.c.year == year)
    if top is not None:
        q = q.order_by(desc(a.c.posted + a.c.pending), a.c.id).limit(top)
    with store._read() as conn:
        ids = [r.id for r in conn.execute(q)]
        bal = store._balances(conn, ids) if ids else {}
    return [bal[i] for i in ids if i in bal]


def years(store: Any, kind: str) -> list[int]:
    """The years that accounts of one kind are kept for, newest first."""
    a = s.accounts
    q = select(a.c.year).where(and_(a.c.kind == kind, a.c.year.is_not(None))).distinct()
    with store._read() as conn:
        return sorted((r.year for r in conn.execute(q)), reverse=True)


def count_holds(store: Any, status: str = "open") -> int:
    h, r = s.holds, s.hold_releases
    q = select(func.count()).select_from(h.outerjoin(r, r.c.transaction_id == h.c.transaction_id))
    if status != "all":
        q = q.where(r.c.transaction_id.is_(None) if status == "open" else r.c.transaction_id.is_not(None))
    with store._read() as conn:
        return int(conn.execute(q).scalar() or 0)


def booking(store: Any, transaction_id: str) -> dict | None:
    """When and by whom a transaction was booked (the bookings row, by its key)."""
    b = s.bookings
    with store._read() as conn:
        row = conn.execute(select(b.c.at_us, b.c.actor).where(b.c.transaction_id == transaction_id)).first()
    return None if row is None else {"at_us": row.at_us, "actor": row.actor}


def outcome_counts(store: Any, start: str | None, end: str | None) -> list[tuple[Any, ...]]:
    """(outcome, review policy, authorization, count) of the bookings dated within [start, end],
    counted by the database from the booked records (no record is read into Python)."""
    b = s.bookings
    if store.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        doc = b.c.decision.cast(JSONB)
        cols = [doc["outcome"].astext, doc["review_policy"].astext, doc["authorization"].astext]
    else:
        cols = [func.json_extract(b.c.decision, f"$.{k}") for k in ("outcome", "review_policy", "authorization")]
    q = select(*cols, func.count()).group_by(*cols)
    if start:
        q = q.where(b.c.as_of >= start)
    if end:
        q = q.where(b.c.as_of <= end)
    with store._read() as conn:
        return [tuple(r) for r in conn.execute(q)]


def reservations(store: Any, limit: int, offset: int = 0) -> list[dict]:
    """Transactions with open reservations (pending transfers), oldest first, one numbered page; each
    with its pending transfers (id, account, TPP in milli)."""
    o, t = s.open_pending, s.transfers
    first = func.min(o.c.created_us).label("created_us")
    q = (select(t.c.transaction_id, first, func.sum(o.c.amount).label("amount"))
         .select_from(o.join(t, t.c.id == o.c.transfer_id)).group_by(t.c.transaction_id)
         .order_by(first, t.c.transaction_id).limit(limit).offset(offset))
    with store._read() as conn:
        groups = conn.execute(q).all()
        ids = [g.transaction_id for g in groups]
        lines = conn.execute(select(t.c.id, t.c.transaction_id, t.c.account_id, o.c.amount, t.c.as_of, t.c.actor)
                             .select_from(o.join(t, t.c.id == o.c.transfer_id))
                             .where(t.c.transaction_id.in_(ids)).order_by(t.c.seq)).all() if ids else []
    out = {g.transaction_id: {"transaction_id": g.transaction_id, "created_us": g.created_us,
                              "amount": int(g.amount), "transfers": []} for g in groups}
    for x in lines:
        out[x.transaction_id]["transfers"].append({"id": x.id, "account_id": x.account_id, "amount": int(x.amount),
                                                   "as_of": x.as_of, "actor": x.actor})
    return list(out.values())


def count_reservations(store: Any) -> int:
    """How many transactions have an open reservation."""
    o, t = s.open_pending, s.transfers
    q = select(func.count(func.distinct(t.c.transaction_id))).select_from(o.join(t, t.c.id == o.c.transfer_id))
    with store._read() as conn:
        return int(conn.execute(q).scalar() or 0)
