"""book_many: batched decisions equal one at a time, also when another writer takes room first."""

from __future__ import annotations

import random

from aidf.engine import book_many, decide_and_book
from aidf.ledger import open_ledger
from aidf.model import AccountRef


def _txs(n: int, seed: int, prefix: str = "T") -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        dest = rng.choice(["SA", "AE", "IN", "DE", "MX"])
        out.append({"id": f"{prefix}{i}", "date": "2025-08-01", "action": "export", "destination": dest,
                    "items": [{"catalog": "nvidia-h100-sxm5", "quantity": rng.choice([100, 1_000, 20_000])}],
                    "parties": {"ultimate_consignee": {"name": f"Buyer {rng.randint(0, 5)}", "country": dest}}})
    return out


def _answers(ds):
    return [(d.outcome, d.authorization, d.review_policy, [e.model_dump(mode="json") for e in d.ledger_effects])
            for d in ds]


def test_batched_equals_one_at_a_time(durable_url, tmp_path):
    txs = _txs(120, 7)
    one = open_ledger("memory")
    singles = [decide_and_book(t, one) for t in txs]
    with open_ledger(durable_url) as led:
        batched = book_many(txs, led, batch_size=50)
        assert _answers(batched) == _answers(singles)
        assert led.accounts() == one.accounts() or [a["used"] for a in led.accounts()] == [
            a["used"] for a in one.accounts()]
        assert len(led.holds("all")) == len(one.holds("all")) and led.verify().ok


def test_a_racing_writer_between_batches_is_seen(durable_url):
    """Another writer takes Saudi Arabia's allocation between two batches: the second batch decides
    against it (never overspends), and the answers equal one at a time in the same order."""
    big = [{"id": f"R{i}", "date": "2025-08-01", "action": "export", "destination": "SA",
            "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 10_000}],
            "parties": {"ultimate_consignee": {"name": f"Rival {i}", "country": "SA"}}} for i in range(5)]
    mine = [t | {"id": f"M{i}", "parties": {"ultimate_consignee": {"name": f"Mine {i}", "country": "SA"}}}
            for i, t in enumerate(big)]
    with open_ledger(durable_url) as led, open_ledger(durable_url) as rival:
        first = book_many(mine[:2], led)
        book_many(big, rival)  # the racing writer, in its own connection and transaction
        second = book_many(mine[2:], led)
        one = open_ledger("memory")
        expect = [decide_and_book(t, one) for t in mine[:2] + big + mine[2:]]
        assert _answers(first + second) == _answers(expect[:2] + expect[7:])
        used = led.used(AccountRef(kind="country_allocation", country="SA", window="2025-2027"))
        assert used <= 790_000_000_000 and led.verify().ok


def test_a_repeat_inside_one_batch_gets_the_first_answer_back(durable_url):
    """A batch keeps its bookings as text; a transaction repeated in the same batch is answered from it,
    as it would be from the database after the batch."""
    txs = _txs(6, 11)
    with open_ledger(durable_url) as led:
        decisions = book_many(txs + [txs[2]], led, batch_size=50)
        assert decisions[-1].model_dump(mode="json") == decisions[2].model_dump(mode="json")
        assert len(led.holds("all")) == sum(d.outcome.value in ("LICENSE_REQUIRED", "NEEDS_REVIEW")
                                            for d in decisions[:-1]) and led.verify().ok


def test_a_memory_ledger_keeps_a_decision_in_one_page():
    from aidf.ledger.db import MEMORY_PAGE_BYTES

    led = open_ledger("memory")
    with led.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == MEMORY_PAGE_BYTES
