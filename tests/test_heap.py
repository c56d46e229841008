"""Long batches set survivors aside from the cyclic collector and hand them all back (aidf.heap)."""

from __future__ import annotations

import gc
import weakref

import pytest
from benchmarks.cases import generated_transactions

from aidf import heap
from aidf.engine import decide_many
from aidf.ledger.memory import MemoryLedger


class Node:
    pass


def _cycle() -> weakref.ref:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_everything_is_handed_back_and_cycles_are_collected_after():
    assert gc.get_freeze_count() == 0
    with heap.survivors_set_aside():
        kept = [_cycle()]  # a cycle with no owner, made inside the batch
        heap.settle()
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert kept[0]() is not None  # set aside: the collector does not see it yet
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert kept[0]() is None


def test_an_error_inside_the_batch_still_hands_back():
    with pytest.raises(RuntimeError):
        with heap.survivors_set_aside():
            heap.settle()
            raise RuntimeError("stop")
    assert gc.get_freeze_count() == 0


def test_overlapping_batches_hand_back_when_the_last_ends():
    outer = heap.survivors_set_aside()
    outer.__enter__()
    with heap.survivors_set_aside():
        heap.settle()
    heap.settle()
    assert gc.get_freeze_count() > 0  # the outer batch is still running
    outer.__exit__(None, None, None)
    assert gc.get_freeze_count() == 0


def test_settle_outside_a_batch_sets_nothing_aside():
    heap.settle()
    assert gc.get_freeze_count() == 0


def test_decide_many_hands_back_and_answers_as_without_it(monkeypatch):
    txs = generated_transactions(2 * heap.SETTLE_EVERY + 7, seed=11)
    with_aside = [d.model_dump(mode="json") for d in decide_many(txs, ledger=MemoryLedger())]
    assert gc.get_freeze_count() == 0
    monkeypatch.setattr(heap, "settle", lambda: None)
    without = [d.model_dump(mode="json") for d in decide_many(txs, ledger=MemoryLedger())]
    assert with_aside == without


def test_settling_yields_everything_and_settles_every_few_hundred():
    with heap.survivors_set_aside():
        gc.unfreeze()  # start from nothing set aside, inside the batch
        assert list(heap.settling(range(heap.SETTLE_EVERY - 1))) == list(range(heap.SETTLE_EVERY - 1))
        assert gc.get_freeze_count() == 0
        assert len(list(heap.settling(range(heap.SETTLE_EVERY)))) == heap.SETTLE_EVERY
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_a_batch_collects_only_the_young_and_restores_the_thresholds():
    before = gc.get_threshold()
    with heap.survivors_set_aside():
        with heap.survivors_set_aside():
            assert gc.get_threshold() == heap.BATCH_THRESHOLDS
        assert gc.get_threshold() == heap.BATCH_THRESHOLDS  # the outer batch is still running
    assert gc.get_threshold() == before


def test_a_booked_batch_lets_its_parsed_requests_go(monkeypatch):
    """book_many keeps a batch's parsed requests only while the batch is booked: at 10^5 transactions
    keeping them all to the end held about 300 MB."""
    from aidf import engine
    from aidf.engine import book_many
    from aidf.model import Transaction

    txs = [Transaction.model_validate(t) for t in generated_transactions(6)]
    first = [weakref.ref(t) for t in txs[:2]]
    gone_when_third_batch_began = []
    real = engine._decide_and_book_in

    def spy(tx, batch, rules, who, request_hash=None):
        if tx.id == txs_ids[4]:
            gc.collect()
            gone_when_third_batch_began.append([r() is None for r in first])
        return real(tx, batch, rules, who, request_hash)

    monkeypatch.setattr(engine, "_decide_and_book_in", spy)
    txs_ids = [t.id for t in txs]

    def feed():  # the caller keeps no reference either
        while txs:
            yield txs.pop(0)

    decisions = book_many(feed(), MemoryLedger(), batch_size=2)
    assert [d.transaction_id for d in decisions] == txs_ids
    assert gone_when_third_batch_began == [[True, True]]
