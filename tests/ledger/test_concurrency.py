"""32 writer processes race for the last TPP of one Tier 2 country allocation (742.6(b)(10);
790,000,000 TPP = 790,000,000,000 milli-TPP): exactly as many bookings succeed as fit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from ledger_racers import fork_racers, run_racers, worker_command
from ledger_worker import COUNTRY, DAY

from aidf.ledger import Draw, LimitExceeded, open_ledger
from aidf.ledger.base import MILLI

PROCS = 32
PROGRAMS = 16
LIMIT = 790_000_000 * MILLI
AMOUNT = 3_333_333_333  # milli-TPP per booking; LIMIT is not a multiple of it
ROOM = 40  # bookings that still fit after the prefill
PER_PROC = 3  # 32 x 3 = 96 attempts for 40 places


def _prefill(url: str):
    led = open_ledger(url)
    prefill = LIMIT - ROOM * AMOUNT - (AMOUNT - 1)  # room for ROOM bookings, one milli short of ROOM+1
    led.book("prefill", "h", {}, [Draw(COUNTRY, prefill, LIMIT)], dt.date(2025, 1, 20))
    return led, prefill


def _racer(i: int, url: str) -> dict[str, int]:
    led = open_ledger(url)
    ok = refused = 0
    for k in range(PER_PROC):
        try:
            led.book(f"p{i}-{k}", "h", {}, [Draw(COUNTRY, AMOUNT, LIMIT)], DAY)
            ok += 1
        except LimitExceeded:
            refused += 1
    led.close()
    return {"ok": ok, "refused": refused}


def _check(led, prefill: int, counts: list[dict[str, int]], attempts: int = PROCS * PER_PROC) -> None:
    assert sum(c["ok"] for c in counts) == ROOM
    assert sum(c["refused"] for c in counts) == attempts - ROOM
    used = led.used(COUNTRY)
    assert used == prefill + ROOM * AMOUNT == LIMIT - (AMOUNT - 1)
    assert used <= LIMIT
    assert led.verify().ok


def test_racing_forked_writers_never_overspend(durable_url):
    led, prefill = _prefill(durable_url)
    _check(led, prefill, fork_racers(PROCS, _racer, durable_url))


@pytest.mark.slow
def test_racing_writer_programs_never_overspend(durable_url):
    """The same race with separate interpreters (as `aidf decide` per process would run); fewer of
    them, since each pays an interpreter start-up, and the 32-process race is the forked one above."""
    led, prefill = _prefill(durable_url)
    per_proc = 7  # 16 x 7 = 112 attempts for 40 places
    results = run_racers([worker_command("race", "--ledger", durable_url, "--prefix", f"p{i}",
                                         "--count", str(per_proc), "--amount", str(AMOUNT),
                                         "--limit", str(LIMIT), "--go", "{go}") for i in range(PROGRAMS)])
    assert all(r.returncode == 0 for r in results), [r.stderr[-2000:] for r in results if r.returncode]
    _check(led, prefill, [json.loads(r.stdout) for r in results], PROGRAMS * per_proc)
