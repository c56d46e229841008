"""A writer process for the concurrency and crash tests (run as a script, one per process).

race: wait for the go-file, then try COUNT bookings of AMOUNT milli-TPP against one Tier 2 country
allocation with LIMIT; print {"ok": n, "refused": m} as JSON.
loop: book 2-draw linked groups forever, printing each booked transaction id (killed by the test).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

from aidf.ledger import Draw, LimitExceeded, open_ledger
from aidf.model import AccountRef

COUNTRY = AccountRef(kind="country_allocation", country="AE", window="2025-2027")
LPP = AccountRef(kind="lpp_annual", consignee="acme", year=2025)
DAY = dt.date(2025, 6, 1)


def race(args: argparse.Namespace) -> None:
    led = open_ledger(args.ledger)
    deadline = time.monotonic() + 120
    while args.go and not os.path.exists(args.go) and time.monotonic() < deadline:
        time.sleep(0.002)
    ok = refused = 0
    for i in range(args.count):
        try:
            led.book(f"{args.prefix}-{i}", "h", {}, [Draw(COUNTRY, args.amount, args.limit)], DAY)
            ok += 1
        except LimitExceeded:
            refused += 1
    print(json.dumps({"ok": ok, "refused": refused}), flush=True)


def loop(args: argparse.Namespace) -> None:
    led = open_ledger(args.ledger)
    i = 0
    while True:
        tid = f"{args.prefix}-{i}"
        led.book(tid, "h", {}, [Draw(COUNTRY, 1_000, None), Draw(LPP, 7, None)], DAY)
        if i % 3 == 0:
            led.post(tid)
        print(tid, flush=True)
        i += 1


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["race", "loop"])
    p.add_argument("--ledger", required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--amount", type=int, default=1)
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--go", default=None)
    args = p.parse_args()
    race(args) if args.mode == "race" else loop(args)


if __name__ == "__main__":
    sys.exit(main())
