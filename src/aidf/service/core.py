"""What the API and the dashboard both do, in one place: decide, book, read the ledger, release holds.

Handlers stay thin and both faces of the service give the same answers. Amounts from the ledger are
milli-TPP integers; this layer hands out TPP (float) and H100-equivalents for display.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aidf.ledger import MILLI, TransferStateError, UnknownError, open_ledger, pages
from aidf.model import Decision, Transaction
from aidf.service.group import GroupWriter
from aidf.service.keys import KeyStore, Principal, bound_waits, keys_url


def h100_tpp(on: dt.date | None = None) -> float:
    from aidf.rules.parameters import parameters

    return float(parameters(on or dt.date.today()).get("display/h100", "h100_tpp"))


def tpp(milli: int | None) -> float:
    return 0.0 if milli is None else milli / MILLI


class Service:
    """The ledger, the key store and the operations on them, shared by every request."""

    def __init__(self, ledger_spec: str | None = None, keys_db: str | None = None, ledger: Any = None):
        self.ledger = ledger if ledger is not None else open_ledger(ledger_spec)
        self.keys = KeyStore(keys_db or keys_url(ledger_spec))
        self.label = getattr(self.ledger, "label", ledger_spec or "default")
        self.reads_inline = _in_memory(self.ledger)
        _bound_ledger_waits(self.ledger)
        # Bookings go through one writer thread, which writes those that wait together in one ledger
        # transaction (group commit, group.py); a ledger without batches books each on its own.
        self.writer = GroupWriter(self.ledger) if hasattr(self.ledger, "batch") else None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.keys.close()
        close = getattr(self.ledger, "close", None)
        if close:
            close()

    # ---- decisions ----------------------------------------------------------------------------

    def decide(self, tx: Transaction, *, book: bool = False, actor: Principal | None = None) -> Decision:
        """Decide against the ledger; with `book`, reserve the draws (idempotent on the id) and hold
        shipments that need a license or review."""
        from aidf import engine

        if not book:
            return engine.decide(tx, ledger=self.ledger)
        who = actor.name if actor else "service"
        # The engine books the draws and holds shipments that need a license or review; the booked
        # record keeps the request beside the decision, so no second write is needed here (the
        # service's own request table is only read, for bookings made before that).
        if self.writer is None:
            return engine.decide_and_book(tx, self.ledger, actor=who)
        return self.writer.book(tx, who)

    def stored(self, transaction_id: str) -> tuple[Decision, dict[str, Any]]:
        """The decision booked under an id, with booking facts (when, by whom, transfers)."""
        booked = self.ledger.find(transaction_id)
        if booked is None:
            raise UnknownError(f"no booked transaction {transaction_id!r}")
        meta: dict[str, Any] = {"transaction_id": transaction_id, "request_hash": booked.request_hash,
                                "transfer_ids": list(booked.transfer_ids)}
        if hasattr(self.ledger, "transfers"):
            rows = self.ledger.transfers(transaction_id)
            meta["transfers"] = [_transfer(r) for r in rows]
            if rows:
                meta["booked_by"] = rows[0]["actor"]
                meta["booked_at"] = _iso_us(rows[0]["at_us"])
        if "booked_by" not in meta and hasattr(self.ledger, "engine"):
            row = pages.booking(self.ledger, transaction_id)  # one row by key, not the audit log
            if row is not None:
                meta["booked_by"], meta["booked_at"] = row["actor"], _iso_us(row["at_us"])
        req = self.keys.request(transaction_id)
        if req is not None:
            meta["transaction"] = req["body"]
            meta.setdefault("booked_by", req["actor"])
        elif isinstance(booked.decision.get("request"), dict):  # booked by the CLI or replay: the engine kept it
            meta["transaction"] = booked.decision["request"]
        return Decision.model_validate(booked.decision), meta

    def bookings(self, limit: int = 50) -> list[dict[str, Any]]:
        """Latest bookings, newest first (read from the end of the audit log, never all of it)."""
        return [{"transaction_id": e["subject"], "by": e["actor"], "at": _iso_us(e["at_us"])}
                for e in pages.latest(self.ledger, "book", limit)]

    def decisions_page(self, limit: int, after: list | None) -> tuple[list[dict[str, Any]], list | None]:
        """Booked decisions by transaction id, one page."""
        rows, nxt = pages.bookings(self.ledger, limit, after)
        return [{"transaction_id": r["transaction_id"], "date": r["date"], "outcome": r["outcome"],
                 "authorization": r["authorization"], "destination_tier": r["destination_tier"],
                 "booked_at": _iso_us(r["at_us"]), "booked_by": r["actor"]} for r in rows], nxt

    # ---- accounts -----------------------------------------------------------------------------

    def accounts(self, kind: str | None = None) -> list[dict[str, Any]]:
        if kind is not None and hasattr(self.ledger, "engine"):
            return [_account(r) for r in pages.accounts(self.ledger, kind)]  # filtered in the database
        return [_account(r) for r in self.ledger.accounts(kind)]

    def top_accounts(self, kind: str, year: int | None, n: int) -> list[dict[str, Any]]:
        """The `n` most used accounts of a kind (and year), from the balances the ledger keeps."""
        return [_account(r) for r in pages.accounts(self.ledger, kind, year=year, top=n)]

    def account_years(self, kind: str) -> list[int]:
        return pages.years(self.ledger, kind)

    def account(self, account_id: str) -> dict[str, Any]:
        return _account(self.ledger.balance(account_id))

    def history(self, account_id: str) -> list[dict[str, Any]]:
        self.ledger.balance(account_id)  # 404 for unknown accounts
        return [_transfer(r) for r in self.ledger.history(account_id)]

    def history_page(self, account_id: str, limit: int, after: list | None) -> tuple[list[dict[str, Any]], list | None]:
        self.ledger.balance(account_id)  # 404 for unknown accounts
        rows, nxt = pages.history(self.ledger, account_id, limit, after)
        return [_transfer(r) for r in rows], nxt

    # ---- licenses and holds -------------------------------------------------------------------

    def licenses(self, limit: int | None = None) -> list[dict[str, Any]]:
        if limit is not None:
            return self.licenses_page(limit, None)[0]
        return [_license(r) for r in self.ledger.licenses()]

    def licenses_page(self, limit: int, after: list | None) -> tuple[list[dict[str, Any]], list | None]:
        rows, nxt = pages.licenses(self.ledger, limit, after)
        return [_license(r) for r in rows], nxt

    def record_license(self, number: str, tpp_amount: float, valid_from: dt.date, valid_to: dt.date,
                       parties: dict | None, conditions: list[str] | None, actor: Principal) -> dict[str, Any]:
        row = self.ledger.record_license(number, round(tpp_amount * MILLI), parties=parties,
                                         valid_from=valid_from, valid_to=valid_to, conditions=conditions,
                                         actor=actor.name)
        return _license(row | {"used": 0, "remaining": row["amount"]} if "used" not in row else row)

    def holds(self, status: str = "open", limit: int | None = None) -> list[dict[str, Any]]:
        if limit is not None:
            return self.holds_page(status, limit, None)[0]
        return [_hold(h) for h in self.ledger.holds(status)]

    def holds_at(self, status: str, offset: int, limit: int) -> list[dict[str, Any]]:
        """One numbered page of holds (the dashboard's queue)."""
        return [_hold(h) for h in pages.holds(self.ledger, status, limit, None, offset)[0]]

    def count_holds(self, status: str) -> int:
        return pages.count_holds(self.ledger, status)

    def outcome_counts(self, start: dt.date | None, end: dt.date | None) -> list[tuple[Any, ...]]:
        return pages.outcome_counts(self.ledger, start.isoformat() if start else None,
                                    end.isoformat() if end else None)

    def holds_page(self, status: str, limit: int, after: list | None) -> tuple[list[dict[str, Any]], list | None]:
        rows, nxt = pages.holds(self.ledger, status, limit, after)
        return [_hold(h) for h in rows], nxt

    def release(self, transaction_id: str, actor: Principal, license: str | None = None,
                reason: str | None = None, shipped_on: dt.date | None = None) -> dict[str, Any]:
        """Release a hold by a license (drawn on the shipment date, default the decision's) or an override.

        A license release also posts the booking's reservations: the licensed shipment has used its
        allocation, so it moves from reserved to posted."""
        hold = self.ledger.release_hold(transaction_id, license=license, override=reason, as_of=shipped_on,
                                        actor=actor.name)
        if license is not None and any(t["kind"] == "pending" for t in self.ledger.transfers(transaction_id)):
            try:
                self.ledger.post(transaction_id, actor=actor.name, note=f"licensed under {license}")
            except TransferStateError:
                pass  # posted, voided or expired already
        return _hold(hold)

    # ---- reservations (pending transfers) --------------------------------------------------------

    def reservations_at(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """One numbered page of transactions with open reservations, oldest first."""
        return [{"transaction_id": r["transaction_id"], "reserved_at": _iso_us(r["created_us"]), "tpp": tpp(r["amount"]),
                 "transfers": [{"id": t["id"], "account_id": t["account_id"], "tpp": tpp(t["amount"]),
                                "as_of": t["as_of"], "booked_by": t["actor"]} for t in r["transfers"]]}
                for r in pages.reservations(self.ledger, limit, offset)]

    def count_reservations(self) -> int:
        return pages.count_reservations(self.ledger)

    def resolve(self, transaction_id: str, how: str, actor: str, note: str | None) -> list[str]:
        """Post or void every open reservation of a transaction (its linked group), all or none."""
        if how == "post":
            return self.ledger.post(transaction_id, actor=actor, note=note)
        return self.ledger.void(transaction_id, actor=actor, reason=note)

    def audit(self, limit: int = 200, before: list | None = None) -> list[dict[str, Any]]:
        return self.audit_page(limit, before)[0]

    def audit_page(self, limit: int, before: list | None) -> tuple[list[dict[str, Any]], list | None]:
        rows, nxt = pages.audit(self.ledger, limit, before)
        return [{"seq": e["seq"], "at": _iso_us(e["at_us"]), "actor": e["actor"], "action": e["action"],
                 "subject": e["subject"], "hash": e["hash"]} for e in rows], nxt


def _in_memory(ledger: Any) -> bool:
    """Whether the ledger is private to this process (`memory`): its reads never wait on another
    writer, so a small plain decision may be answered on the event loop. Every other ledger - a
    SQLite file another process may lock, a database server - is read from the thread pool."""
    return getattr(ledger, "label", None) == "memory"


def _bound_ledger_waits(ledger: Any) -> None:
    """Let a ledger connection wait at most limits.DB_WAIT_S for a lock (503 after, see guard.py)."""
    engine = getattr(ledger, "engine", None)
    if engine is None or _in_memory(ledger):
        return
    bound_waits(engine)
    engine.dispose()  # connections opened before (migrations) reconnect with the bound


def _iso_us(us: int | None) -> str | None:
    if us is None:
        return None
    return dt.datetime.fromtimestamp(us / 1e6, dt.UTC).isoformat(timespec="seconds")


def _account(r: dict[str, Any]) -> dict[str, Any]:
    limit = r.get("last_limit")
    used = r.get("used", r.get("posted", 0) + r.get("pending", 0))
    out = {"id": r["id"], "kind": r["kind"]}
    for k in ("country", "consignee", "year", "veu", "window", "license"):
        if r.get(k) is not None:
            out[k] = r[k]
    out.update({"posted_tpp": tpp(r.get("posted")), "reserved_tpp": tpp(r.get("pending")), "used_tpp": tpp(used),
                "limit_tpp": None if limit is None else tpp(limit),
                "left_tpp": None if limit is None else tpp(limit - used)})
    return out


def _transfer(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "transaction_id": r["transaction_id"], "account_id": r["account_id"],
            "kind": r["kind"], "tpp": tpp(r["amount"]), "limit_tpp": None if r.get("limit") is None else tpp(r["limit"]),
            "pending_id": r.get("pending_id"), "as_of": r.get("as_of"), "at": _iso_us(r.get("at_us")),
            "actor": r.get("actor"), "note": r.get("note")}


def _license(r: dict[str, Any]) -> dict[str, Any]:
    return {"number": r["number"], "tpp": tpp(r["amount"]), "used_tpp": tpp(r.get("used", 0)),
            "remaining_tpp": tpp(r.get("remaining", r["amount"])), "parties": r.get("parties") or {},
            "valid_from": r["valid_from"], "valid_to": r["valid_to"], "conditions": r.get("conditions") or [],
            "recorded_at": r.get("recorded_at"), "recorded_by": r.get("actor")}


def _hold(h: dict[str, Any]) -> dict[str, Any]:
    d = h.get("decision") or {}
    return {"transaction_id": h["transaction_id"], "reason": h["reason"], "status": h["status"],
            "placed_at": h.get("placed_at"), "placed_by": h.get("placed_by"), "outcome": d.get("outcome"),
            "review_policy": d.get("review_policy"), "date": d.get("date"),
            "tpp_total": sum((i.get("tpp_total") or 0) for i in d.get("items") or []),
            "release": h.get("release")}
