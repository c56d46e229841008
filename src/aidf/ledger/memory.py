"""A throwaway in-process ledger (`--ledger memory`): same rules as the durable stores, kept in dicts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from aidf.ledger.base import Booked, Draw, IdempotencyConflict, LimitExceeded
from aidf.model import AccountRef


class MemoryLedger:
    def __init__(self) -> None:
        self._used: dict[AccountRef, int] = defaultdict(int)
        self._booked: dict[str, Booked] = {}
        self._arrangements: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def used(self, account: AccountRef) -> int:
        return self._used.get(account, 0)

    def installed_base(self, kind: str, veu: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for acct, amount in self._used.items():
            if acct.kind == kind and acct.veu == veu and acct.country:
                out[acct.country] = out.get(acct.country, 0) + amount
        return out

    def record_arrangement(self, country: str, since: dt.date, reference: str) -> None:
        self._arrangements[country].append({"country": country, "since": since, "reference": reference})

    def arrangement(self, country: str, as_of: dt.date) -> dict[str, Any] | None:
        live = [a for a in self._arrangements.get(country, []) if a["since"] <= as_of]
        return live[-1] if live else None

    def find(self, transaction_id: str) -> Booked | None:
        return self._booked.get(transaction_id)

    def book(self, transaction_id: str, request_hash: str, decision: dict[str, Any],
             draws: list[Draw], as_of: dt.date) -> Booked:
        prior = self._booked.get(transaction_id)
        if prior is not None:
            if prior.request_hash != request_hash:
                raise IdempotencyConflict(transaction_id)
            return prior
        # Check every draw against its limit before writing any: the group is all or none.
        pending: dict[AccountRef, int] = defaultdict(int)
        for d in draws:
            pending[d.account] += d.amount
            if d.limit is not None and self.used(d.account) + pending[d.account] > d.limit:
                raise LimitExceeded(d.account, self.used(d.account) + pending[d.account] - d.amount,
                                    d.amount, d.limit)
        for acct, amount in pending.items():
            self._used[acct] += amount
        booked = Booked(transaction_id, request_hash, decision,
                        [f"{transaction_id}/{i}" for i in range(len(draws))])
        self._booked[transaction_id] = booked
        return booked
