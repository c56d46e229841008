"""kill -9 of a writer in the middle of its bookings leaves the ledger as before or as after each
linked group: the chain verifies, balances match the groups present, no half-booked group."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time

from ledger_racers import worker_command
from ledger_worker import COUNTRY, LPP
from sqlalchemy import text

from aidf.ledger import open_ledger


def _kill_mid_batch(url: str, prefix: str, rng: random.Random) -> list[str]:
    proc = subprocess.Popen(worker_command("loop", "--ledger", url, "--prefix", prefix),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    printed = []
    try:
        while len(printed) < 20:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()[-2000:]
            printed.append(line.strip())
        time.sleep(rng.uniform(0, 0.05))  # land anywhere inside a later booking
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        out, _ = proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    return printed + [x for x in out.split("\n") if x]


def test_kill_9_mid_batch_leaves_a_consistent_ledger(durable_url):
    rng = random.Random(7)
    printed: list[str] = []
    for round_ in range(3):
        printed += _kill_mid_batch(durable_url, f"k{round_}", rng)
        led = open_ledger(durable_url)
        report = led.verify()
        assert report.ok, str(report)
        with led.engine.connect() as c:
            ids = set(c.execute(text("SELECT transaction_id FROM ledger_bookings")).scalars())
            groups = c.execute(text("SELECT transaction_id, count(*) FROM ledger_transfers "
                                    "WHERE kind = 'pending' GROUP BY transaction_id")).all()
        assert set(printed) <= ids  # everything reported as booked survived
        assert all(n == 2 for _, n in groups) and {t for t, _ in groups} == ids  # no half groups
        assert led.used(COUNTRY) == 1_000 * len(ids) and led.used(LPP) == 7 * len(ids)
        led.close()
