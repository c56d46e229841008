"""Licenses and holds, first-class and audited.

A license (15 CFR part 750) authorizes a TPP amount for named parties between two dates; each
shipment drawn on it is a posted transfer on its `license` account, limited to the licensed amount,
so the account history is the license's usage history. A decision that needs a license or review
puts the shipment on hold; an officer releases the hold by a license (drawing on it) or by an
override whose written reason is kept.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from aidf.ledger import audit
from aidf.ledger import schema as s
from aidf.ledger.accounts import license_account
from aidf.ledger.base import MILLI, IdempotencyConflict, LedgerError, LimitExceeded
from aidf.ledger.bounds import MAX_LINE_MILLI
from aidf.ledger.common import (
    HoldError,
    UnknownError,
    canonical,
    check_actor,
    check_amount,
    check_id,
    from_us,
    iso_date,
)


def _license_dict(row: Any) -> dict[str, Any]:
    return {"number": row.number, "amount": row.amount, "parties": json.loads(row.parties),
            "valid_from": row.valid_from, "valid_to": row.valid_to,
            "conditions": json.loads(row.conditions), "recorded_at": from_us(row.at_us), "actor": row.actor}


def license_tpp_of(decision: dict[str, Any]) -> int:
    """Milli-TPP a held decision needs from a license: the lines that require one."""
    total = Decimal(0)
    for item in decision.get("items") or []:
        if item.get("license_required") and item.get("tpp_total"):
            total += Decimal(str(item["tpp_total"]))
    return int((total * MILLI).to_integral_value())


class LicensesAndHolds:
    """Mixed into the ledger store (uses its _write/_read/_lock/_ensure_accounts)."""

    # ---- licenses ------------------------------------------------------------------------------

    def record_license(self, number: str, amount: int, *, parties: dict[str, Any] | None = None,
                       valid_from: dt.date, valid_to: dt.date, conditions: list[str] | None = None,
                       actor: str = "system") -> dict[str, Any]:
        """Record a license of `amount` milli-TPP; recording the same content again is a no-op."""
        number = check_id(number, "license number")
        check_amount(amount, "license amount")
        actor = check_actor(actor)
        vf, vt = iso_date(valid_from, "valid_from"), iso_date(valid_to, "valid_to")
        if vt < vf:
            raise LedgerError(f"license {number}: valid_to {vt} is before valid_from {vf}")
        parties_t, cond_t = canonical(parties or {}), canonical(list(conditions or []))
        if amount > MAX_LINE_MILLI:
            raise LedgerError(f"license amount {amount} milli-TPP is past the bound of {MAX_LINE_MILLI}")
        h = audit.license_hash(number, amount, parties_t, vf, vt, cond_t)
        now = self.now_us()
        with self._write() as conn:
            head = self._lock(conn, [])
            row = conn.execute(select(s.licenses).where(s.licenses.c.number == number)).first()
            if row is not None:
                if row.content_hash != h:
                    raise IdempotencyConflict(number)
                return _license_dict(row)
            conn.execute(s.licenses.insert().values(number=number, amount=amount, parties=parties_t,
                                                     valid_from=vf, valid_to=vt, conditions=cond_t,
                                                     content_hash=h, at_us=now, actor=actor))
            audit.append(conn, head, now, actor, "license", number, {
                "amount": amount, "parties": json.loads(parties_t), "valid_from": vf, "valid_to": vt,
                "conditions": json.loads(cond_t), "content_hash": h})
            row = conn.execute(select(s.licenses).where(s.licenses.c.number == number)).one()
        return _license_dict(row)

    def licenses(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(select(s.licenses).order_by(s.licenses.c.number)).all()
        return [self._with_usage(_license_dict(r)) for r in rows]

    def license(self, number: str) -> dict[str, Any]:
        """The license with `used`, `remaining` and its usage `history` (one transfer per shipment)."""
        with self._read() as conn:
            row = conn.execute(select(s.licenses).where(s.licenses.c.number == number)).first()
        if row is None:
            raise UnknownError(f"no license {number!r}")
        out = self._with_usage(_license_dict(row))
        out["history"] = self.history(license_account(number).id)
        return out

    def _with_usage(self, lic: dict[str, Any]) -> dict[str, Any]:
        used = self.used(license_account(lic["number"]))
        return lic | {"used": used, "remaining": lic["amount"] - used}

    def draw_license(self, number: str, transaction_id: str, amount: int, as_of: dt.date, *,
                     actor: str = "system", note: str | None = None) -> str:
        """Draw a shipment of `amount` milli-TPP on a license (posted at once); returns the transfer id."""
        with self._write() as conn:
            return self._draw_license(conn, number, transaction_id, amount, as_of, actor, note, None)

    def _draw_license(self, conn: Connection, number: str, transaction_id: str, amount: int, as_of: Any,
                      actor: str, note: str | None, head: tuple[int, str] | None) -> str:
        number = check_id(number, "license number")
        transaction_id = check_id(transaction_id, "transaction id")
        check_amount(amount, "license draw")
        actor = check_actor(actor)
        day = iso_date(as_of, "as_of")
        lic = conn.execute(select(s.licenses).where(s.licenses.c.number == number)).first()
        if lic is None:
            raise UnknownError(f"no license {number!r}; record it first (aidf license add)")
        if not lic.valid_from <= day <= lic.valid_to:
            raise LedgerError(f"license {number} is valid {lic.valid_from} to {lic.valid_to}, not on {day}")
        ref, now = license_account(number), self.now_us()
        tid = f"{transaction_id}/license/{number}"
        prior = conn.execute(select(s.transfers).where(s.transfers.c.id == tid)).first()
        if prior is not None:
            if prior.amount != amount:
                raise IdempotencyConflict(tid)
            return tid
        self._ensure_accounts(conn, [ref], now)
        head = self._lock(conn, [ref.id]) if head is None else head
        acct = self._balances(conn, [ref.id])[ref.id]
        if acct["used"] + amount > lic.amount:
            raise LimitExceeded(ref, acct["used"], amount, lic.amount)
        row = {"id": tid, "transaction_id": transaction_id, "account_id": ref.id, "kind": "direct",
               "amount": amount, "limit": lic.amount, "pending_id": None, "expires_us": None,
               "as_of": day, "at_us": now, "actor": actor, "note": note}
        conn.execute(s.transfers.insert().values(**row))
        conn.execute(s.accounts.update().where(s.accounts.c.id == ref.id).values(
            posted=s.accounts.c.posted + amount, last_limit=lic.amount))
        audit.append(conn, head, now, actor, "license_draw", number, {
            "transaction_id": transaction_id, "as_of": day, "note": note,
            "transfers": [{"id": tid, "kind": "direct", "account": ref.id, "amount": amount}]})
        return tid

    # ---- holds ---------------------------------------------------------------------------------

    def place_hold(self, transaction_id: str, decision: dict[str, Any], reason: str, *,
                   actor: str = "engine") -> dict[str, Any]:
        """Hold a shipment whose decision needs a license or review; the same hold again is a no-op."""
        transaction_id = check_id(transaction_id, "transaction id")
        reason = check_id(reason, "hold reason")
        actor = check_actor(actor)
        with self.batch() as b:
            b.place_hold(transaction_id, decision, reason, actor=actor)
        return self.hold(transaction_id)

    def _post_booking(self, conn: Connection, transaction_id: str, license: str, actor: str,
                      now: int) -> tuple[int, str]:
        """A release by license posts the booking's open reservations in the same transaction: the
        licensed shipment has used its allocation (the same in the CLI, the API and the dashboard)."""
        head = audit.lock_head(conn)
        b = conn.execute(select(s.bookings.c.transfer_ids).where(s.bookings.c.transaction_id == transaction_id)).first()
        ids = json.loads(b.transfer_ids) if b else []
        if not ids:
            return head
        pend = list(conn.execute(select(s.transfers).join(
            s.open_pending, s.open_pending.c.transfer_id == s.transfers.c.id).where(s.transfers.c.id.in_(ids))
            .order_by(s.transfers.c.id)))
        if not pend:
            return head
        note = f"licensed under {license}"
        rows = [{"id": f"{p.id}/post", "transaction_id": p.transaction_id, "account_id": p.account_id,
                 "kind": "post", "amount": p.amount, "limit": None, "pending_id": p.id, "expires_us": None,
                 "as_of": p.as_of, "at_us": now, "actor": actor, "note": note, "_released": p.amount} for p in pend]
        self._apply_resolutions(conn, head, rows, "post", now, actor, note)
        return audit.lock_head(conn)

    def hold(self, transaction_id: str) -> dict[str, Any]:
        with self._read() as conn:
            row = conn.execute(select(s.holds).where(s.holds.c.transaction_id == transaction_id)).first()
            rel = conn.execute(select(s.hold_releases)
                               .where(s.hold_releases.c.transaction_id == transaction_id)).first()
        if row is None:
            raise UnknownError(f"no hold for transaction {transaction_id!r}")
        return _hold_dict(row, rel)

    def holds(self, status: str = "open") -> list[dict[str, Any]]:
        """Holds by status: open, released or all."""
        if status not in ("open", "released", "all"):
            raise LedgerError(f"hold status must be open, released or all (got {status!r})")
        with self._read() as conn:
            rels = {r.transaction_id: r for r in conn.execute(select(s.hold_releases))}
            rows = conn.execute(select(s.holds).order_by(s.holds.c.at_us, s.holds.c.transaction_id)).all()
        out = [_hold_dict(r, rels.get(r.transaction_id)) for r in rows]
        return [h for h in out if status == "all" or h["status"] == status]

    def release_hold(self, transaction_id: str, *, license: str | None = None, override: str | None = None,
                     amount: int | None = None, as_of: dt.date | None = None,
                     actor: str = "system") -> dict[str, Any]:
        """Release a hold by a license number (drawing the shipment's TPP on it) or by an override with
        a written reason. Exactly one of the two; a repeat of the same release returns it unchanged."""
        actor = check_actor(actor)
        if (license is None) == (override is None):
            raise HoldError("release a hold by a license number or by an override reason (exactly one)")
        if override is not None and not override.strip():
            raise HoldError("an override needs a written reason")
        how = "license" if license is not None else "override"
        reason = override.strip() if override is not None else None
        now = self.now_us()
        with self._write() as conn:
            # Lock the license account before the audit head, the order every writer uses.
            refs = [license_account(check_id(license, "license number"))] if license is not None else []
            self._ensure_accounts(conn, refs, now)
            head = self._lock(conn, [r.id for r in refs])
            row = conn.execute(select(s.holds).where(s.holds.c.transaction_id == transaction_id)).first()
            if row is None:
                raise UnknownError(f"no hold for transaction {transaction_id!r}")
            rel = conn.execute(select(s.hold_releases)
                               .where(s.hold_releases.c.transaction_id == transaction_id)).first()
            if rel is not None:
                if (rel.how, rel.license, rel.reason) != (how, license, reason):
                    raise HoldError(f"hold {transaction_id} was already released ({rel.how}) on "
                                    f"{from_us(rel.at_us)} by {rel.actor}")
                return _hold_dict(row, rel)
            tid = None
            if license is not None:
                decision = json.loads(row.decision)
                need = amount if amount is not None else license_tpp_of(decision)
                if not need:
                    raise HoldError("the held decision states no licensed TPP; give the amount to draw")
                day = as_of or decision.get("date") or dt.date.today()
                tid = self._draw_license(conn, license, transaction_id, need, day, actor,
                                         f"release of hold {transaction_id}", head)
                head = self._post_booking(conn, transaction_id, license, actor, now)
            conn.execute(s.hold_releases.insert().values(
                transaction_id=transaction_id, how=how, license=license,
                transfer_id=tid, reason=reason, at_us=now, actor=actor))
            audit.append(conn, head, now, actor, "release", transaction_id,
                         {"how": how, "license": license,
                          "transfer_id": tid, "reason": reason})
            rel = conn.execute(select(s.hold_releases)
                               .where(s.hold_releases.c.transaction_id == transaction_id)).one()
        return _hold_dict(row, rel)


def _hold_dict(row: Any, rel: Any) -> dict[str, Any]:
    out = {"transaction_id": row.transaction_id, "reason": row.reason, "decision": json.loads(row.decision),
           "placed_at": from_us(row.at_us), "placed_by": row.actor, "status": "released" if rel else "open"}
    if rel is not None:
        out["release"] = {"how": rel.how, "license": rel.license, "transfer_id": rel.transfer_id,
                          "reason": rel.reason, "at": from_us(rel.at_us), "by": rel.actor}
    return out
