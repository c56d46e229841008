"""The audit chain: every write is logged, and any edit or deletion is detected by verify()."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from aidf.ledger import Draw, open_ledger
from aidf.model import AccountRef

DAY = dt.date(2025, 3, 1)
CA = AccountRef(kind="country_allocation", country="AE", window="2025-2027")


def _fill(led):
    led.book("t1", "h", {"n": 1}, [Draw(CA, 100, 1000)], DAY)
    led.book("t2", "h", {"n": 2}, [Draw(CA, 200, 1000)], DAY)
    led.post("t1", actor="officer")
    led.record_arrangement("AE", DAY, "G2G")
    led.book("t3", "h", {"n": 3}, [Draw(CA, 300, 1000)], DAY)


def _raw(led, sql: str) -> None:
    with led.engine.begin() as c:
        c.execute(text(sql))


def test_every_write_is_logged_with_who_and_what(ledger):
    _fill(ledger)
    log = ledger.audit_log()
    assert [e["action"] for e in log] == ["book", "book", "post", "arrangement", "book"]
    assert log[2]["actor"] == "officer" and log[2]["subject"] == "t1"
    assert [e["seq"] for e in log] == [1, 2, 3, 4, 5]
    assert all(e["prev_hash"] == p["hash"] for p, e in zip(log, log[1:], strict=False))
    report = ledger.verify()
    assert report.ok and report.entries == 5


def test_edited_audit_row_is_named(durable_url):
    led = open_ledger(durable_url)
    _fill(led)
    _raw(led, "UPDATE ledger_audit SET actor = 'mallory' WHERE seq = 3")
    report = led.verify()
    assert not report.ok and report.first_bad == 3 and "edited" in report.problem
    assert "entry 3" in str(report)


def test_edited_transfer_amount_is_detected(durable_url):
    led = open_ledger(durable_url)
    _fill(led)
    _raw(led, "UPDATE ledger_transfers SET amount = 1 WHERE id = 't2/0'")
    report = led.verify()
    assert not report.ok and "t2/0" in report.problem


def test_edited_balance_is_detected(durable_url):
    led = open_ledger(durable_url)
    _fill(led)
    _raw(led, "UPDATE ledger_accounts SET pending = 0")
    assert "balances" in led.verify().problem


def test_deleted_entries_are_detected(durable_url):
    led = open_ledger(durable_url)
    _fill(led)
    _raw(led, "DELETE FROM ledger_audit WHERE seq = 2")
    report = led.verify()
    assert not report.ok and report.first_bad == 2 and "missing" in report.problem


def test_deleted_last_entry_is_detected(durable_url):
    led = open_ledger(durable_url)
    _fill(led)
    _raw(led, "DELETE FROM ledger_audit WHERE seq = 5")
    report = led.verify()
    assert not report.ok and report.first_bad == 5


def test_rehashed_entry_without_the_key_is_caught(durable_url):
    """The chain is keyed: an edited entry rehashed without the ledger's audit key fails at once
    (before the key, an unkeyed rehash passed its own check and only the next link broke)."""
    from aidf.ledger.audit import entry_hash

    led = open_ledger(durable_url)
    _fill(led)
    e = led.audit_log()[1]
    h = entry_hash(b"guessed", 2, e["at_us"], "mallory", e["action"], e["subject"], e["data"], e["prev_hash"])
    _raw(led, f"UPDATE ledger_audit SET actor = 'mallory', hash = '{h}' WHERE seq = 2")
    report = led.verify()
    assert not report.ok and report.first_bad == 2 and "hash mismatch" in report.problem


def test_export_has_every_table(ledger):
    _fill(ledger)
    tables = {r["table"] for r in ledger.export()}
    assert {"ledger_audit", "ledger_transfers", "ledger_bookings", "ledger_accounts"} <= tables
