"""verify() covers every record, not just the audit and transfer tables: an edited license amount or
decision outcome, a deleted booking, hold or release, and a cut tail (with the head kept elsewhere)
are each named. Also: amounts past the ledger's bound are refused before anything is stored."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from aidf.ledger import Draw, LedgerError, open_ledger
from aidf.model import AccountRef

DAY = dt.date(2025, 3, 1)
CA = AccountRef(kind="country_allocation", country="AE", window="2025-2027")


def _fill(led) -> str:
    led.record_license("L1", 50_000_000_000, valid_from=DAY, valid_to=dt.date(2025, 12, 31))
    led.book("t1", "h", {"outcome": "LICENSE_REQUIRED"}, [Draw(CA, 100, 1000)], DAY)
    led.place_hold("t1", {"date": "2025-03-01", "items": [{"license_required": True, "tpp_total": 10}]}, "license")
    led.place_hold("t2", {"date": "2025-03-01"}, "needs review")
    led.release_hold("t1", license="L1")
    led.record_arrangement("AE", DAY, "G2G")
    return led.head()


def _raw(led, sql: str) -> None:
    with led.engine.begin() as c:
        c.execute(text(sql))


@pytest.mark.parametrize("sql, where", [
    ("UPDATE ledger_licenses SET amount = 5000000000000000 WHERE number = 'L1'", "licenses row L1"),
    ("UPDATE ledger_bookings SET decision = '{\"outcome\":\"NLR\"}' WHERE transaction_id = 't1'", "bookings row t1"),
    ("DELETE FROM ledger_bookings WHERE transaction_id = 't1'", "bookings"),
    ("DELETE FROM ledger_holds WHERE transaction_id = 't2'", "holds"),
    ("DELETE FROM ledger_hold_releases WHERE transaction_id = 't1'", "releases"),
    ("UPDATE ledger_arrangements SET reference = 'forged'", "arrangements"),
])
def test_each_tamper_is_named(durable_url, sql, where):
    led = open_ledger(durable_url)
    _fill(led)
    assert led.verify().ok
    _raw(led, sql)
    report = led.verify()
    assert not report.ok and where in report.problem, str(report)


def test_release_by_license_posts_the_booking(ledger):
    _fill(ledger)
    assert [t["kind"] for t in ledger.transfers("t1")] == ["pending", "direct", "post"]
    assert ledger.balance(CA.id)["posted"] == 100 and ledger.verify().ok


def test_tail_truncation_and_rewind_against_a_kept_head(durable_url):
    led = open_ledger(durable_url)
    kept = _fill(led)
    assert led.verify(kept).ok
    seq = int(kept.split(":")[0])
    # Delete the last entry and rewind the head to the one before: the chain alone is consistent.
    prev = led.audit_log()[-2]
    _raw(led, f"DELETE FROM ledger_audit WHERE seq = {seq}")
    _raw(led, "DELETE FROM ledger_arrangements")
    _raw(led, f"UPDATE ledger_chain_head SET seq = {seq - 1}, hash = '{prev['hash']}'")
    assert led.verify().ok  # without the kept head a clean cut is invisible
    report = led.verify(kept)
    assert not report.ok and "truncated" in report.problem


def test_verify_ok_after_legitimate_runs(ledger):
    _fill(ledger)
    ledger.book("t3", "h", {}, [Draw(CA, 5, 1000)], DAY)
    ledger.expire(ids=["t3"], yes=True)
    assert ledger.verify().ok


def test_amount_past_the_bound_is_refused_and_nothing_stored(ledger):
    aia = AccountRef(kind="aia_cumulative", consignee="big")
    with pytest.raises(LedgerError, match="bound"):
        ledger.book("t1", "h", {}, [Draw(aia, 10**12 * 15_831_200, None)], DAY)
    with pytest.raises(LedgerError, match="bound"):
        ledger.record_license("L9", 10**19, valid_from=DAY, valid_to=DAY)
    for i in range(9):
        ledger.book(f"b{i}", "h", {}, [Draw(aia, 10**18, None)], DAY)
    with pytest.raises(LedgerError, match="bound"):
        ledger.book("b9", "h", {}, [Draw(aia, 1, None)], DAY)
    assert ledger.used(aia) == 9 * 10**18 and ledger.verify().ok


def test_check_constraints_refuse_out_of_range_values(durable_url):
    led = open_ledger(durable_url)
    led.book("t1", "h", {}, [Draw(CA, 100, 1000)], DAY)
    with pytest.raises(IntegrityError):
        _raw(led, "UPDATE ledger_accounts SET pending = 9223372036854775807")
    with pytest.raises(IntegrityError):
        _raw(led, "UPDATE ledger_transfers SET amount = -1")
    assert led.verify().ok


def test_cli_refuses_huge_amounts_with_exit_2(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    aidf = str(Path(sys.executable).parent / "aidf")
    tx = {"id": "big", "date": "2025-08-01", "action": "export", "destination": "DE",
          "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 10**12}],
          "parties": {"ultimate_consignee": {"name": "X", "country": "DE"}}}
    for item, field in (({"catalog": "nvidia-h100-sxm5", "quantity": 10**12}, "items.0.quantity"),
                        ({"tpp": 1e308, "quantity": 1}, "items.0.tpp")):
        f = tmp_path / "t.json"
        f.write_text(json.dumps(tx | {"items": [item]}))
        p = subprocess.run([aidf, "decide", str(f), "--ledger", str(tmp_path / "l.sqlite")],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 2 and field in p.stderr and "Traceback" not in p.stderr
