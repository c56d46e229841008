"""Shapes decided side by side (replay/fanout.py): the same answers for any number of processes, and a
child that fails, dies or hangs has its part decided by the parent."""

from __future__ import annotations

import os
import pickle
import time

import polars as pl
import pytest
from typer.testing import CliRunner

from aidf.cli import app
from aidf.errors import InputError
from aidf.replay import fanout
from aidf.replay.generate import generate
from tests.replay.helpers import differences, typed
from tests.replay.test_differential import SIZE, book

PARENT = os.getpid()


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _dies_in_a_child(x: int) -> tuple[int, int]:
    if os.getpid() != PARENT:
        os._exit(3)
    return x * x, os.getpid()


def _hangs_in_a_child(x: int) -> tuple[int, int]:
    if os.getpid() != PARENT:
        time.sleep(60)
    return x * x, os.getpid()


def _raises_in_a_child(x: int) -> tuple[int, int]:
    if os.getpid() != PARENT:
        raise RuntimeError("only in a child")
    return x * x, os.getpid()


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_split_among_processes_keeps_order_and_values():
    items = list(range(1000))
    with fanout.workers(3):
        out = fanout.split_map(_square_and_pid, items, min_part=10)
    assert [v for v, _ in out] == [x * x for x in items]
    pids = {p for _, p in out}
    assert len(pids) == 3 and PARENT in pids
    assert _no_children_left()


def test_one_worker_or_few_items_stay_in_this_process():
    with fanout.workers(1):
        assert {p for _, p in fanout.split_map(_square_and_pid, list(range(100)), min_part=1)} == {PARENT}
    with fanout.workers(4):
        assert {p for _, p in fanout.split_map(_square_and_pid, list(range(19)), min_part=10)} == {PARENT}
    # Outside any `workers` block, one process.
    assert {p for _, p in fanout.split_map(_square_and_pid, list(range(100)), min_part=1)} == {PARENT}


@pytest.mark.parametrize("fn", [_dies_in_a_child, _raises_in_a_child])
def test_a_failed_childs_part_is_decided_by_the_parent(fn):
    items = list(range(300))
    with fanout.workers(3):
        out = fanout.split_map(fn, items, min_part=10)
    assert out == [(x * x, PARENT) for x in items]
    assert _no_children_left()


def test_a_silent_child_is_killed_and_its_part_decided_by_the_parent(monkeypatch):
    monkeypatch.setattr(fanout, "PATIENCE", 0)
    monkeypatch.setattr(fanout, "GRACE_S", 0.5)
    started = time.monotonic()
    with fanout.workers(2):
        out = fanout.split_map(_hangs_in_a_child, list(range(100)), min_part=10)
    assert out == [(x * x, PARENT) for x in range(100)]
    assert time.monotonic() - started < 30
    assert _no_children_left()


def test_a_refused_fork_leaves_the_part_to_the_parent(monkeypatch):
    def refuse() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(fanout.os, "fork", refuse)
    with fanout.workers(3):
        out = fanout.split_map(_square_and_pid, list(range(100)), min_part=10)
    assert out == [(x * x, PARENT) for x in range(100)]


def test_an_input_error_comes_back_from_a_child_with_its_field_and_reason():
    e = pickle.loads(pickle.dumps(InputError("items.0.tpp", "must be >= 0")))
    assert isinstance(e, InputError) and (e.field, e.reason) == ("items.0.tpp", "must be >= 0")
    assert str(e) == "items.0.tpp: must be >= 0"


def test_replay_with_shapes_split_among_processes_equals_decide_many(monkeypatch):
    monkeypatch.setattr(fanout, "MIN_PART", 5)
    with fanout.workers(2):
        assert differences(typed(book(SIZE, 404)), limit=10) == []


def test_cli_answers_are_the_same_for_any_number_of_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(fanout, "MIN_PART", 5)
    src = tmp_path / "book.csv"
    generate(3000, seed=11).write_csv(src)
    outs = {}
    for n in (1, 2, 3):
        out, review = tmp_path / f"out{n}.csv", tmp_path / f"review{n}.csv"
        r = CliRunner().invoke(app, ["replay", str(src), "--out", str(out), "--review", str(review), "--quiet",
                                     "--workers", str(n)])
        assert r.exit_code == 0, r.output
        outs[n] = (out.read_bytes(), review.read_bytes())
    assert outs[1] == outs[2] == outs[3]
    assert pl.read_csv(tmp_path / "out1.csv").height == 3000


def test_cli_refuses_a_number_of_workers_below_one(tmp_path):
    r = CliRunner().invoke(app, ["replay", str(tmp_path / "x.csv"), "--workers", "0"])
    assert r.exit_code == 2
    assert "workers" in r.output
