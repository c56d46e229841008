"""Licenses (usage drawn against the licensed TPP) and holds (released by license or override)."""

from __future__ import annotations

import datetime as dt

import pytest

from aidf.ledger import IdempotencyConflict, LedgerError, LimitExceeded
from aidf.ledger.common import HoldError, UnknownError

HELD = {"transaction_id": "s1", "date": "2025-04-01", "outcome": "LICENSE_REQUIRED",
        "items": [{"line": 1, "license_required": True, "tpp_total": 1200.5},
                  {"line": 2, "license_required": False, "tpp_total": 99}]}


def _license(led, number="D123", amount=2_000_000):
    return led.record_license(number, amount, parties={"ultimate_consignee": "Acme"},
                              valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 12, 31),
                              conditions=["no reexport"], actor="officer")


def test_license_record_and_draws(ledger):
    lic = _license(ledger)
    assert lic["amount"] == 2_000_000 and lic["conditions"] == ["no reexport"]
    assert _license(ledger) == lic  # same content again: no-op
    with pytest.raises(IdempotencyConflict):
        _license(ledger, amount=3_000_000)
    ledger.draw_license("D123", "ship-1", 1_500_000, dt.date(2025, 2, 1), actor="clerk")
    assert ledger.draw_license("D123", "ship-1", 1_500_000, dt.date(2025, 2, 1)) == "ship-1/license/D123"
    with pytest.raises(LimitExceeded):
        ledger.draw_license("D123", "ship-2", 500_001, dt.date(2025, 2, 1))
    with pytest.raises(LedgerError, match="valid"):
        ledger.draw_license("D123", "ship-3", 1, dt.date(2026, 1, 1))
    with pytest.raises(UnknownError):
        ledger.draw_license("NOPE", "ship-4", 1, dt.date(2025, 2, 1))
    shown = ledger.license("D123")
    assert (shown["used"], shown["remaining"]) == (1_500_000, 500_000)
    assert [h["transaction_id"] for h in shown["history"]] == ["ship-1"]
    assert [x["number"] for x in ledger.licenses()] == ["D123"]
    assert ledger.verify().ok


def test_hold_released_by_license(ledger):
    _license(ledger)
    ledger.place_hold("s1", HELD, "license required (742.6(a)(6))")
    assert ledger.place_hold("s1", HELD, "license required (742.6(a)(6))")["status"] == "open"
    with pytest.raises(IdempotencyConflict):
        ledger.place_hold("s1", HELD, "another reason")
    assert [h["transaction_id"] for h in ledger.holds()] == ["s1"]
    out = ledger.release_hold("s1", license="D123", actor="officer")
    assert out["status"] == "released" and out["release"]["by"] == "officer"
    assert ledger.license("D123")["used"] == 1_200_500  # the licensed lines only, in milli-TPP
    assert ledger.release_hold("s1", license="D123", actor="officer")["status"] == "released"
    with pytest.raises(HoldError, match="already released"):
        ledger.release_hold("s1", override="changed mind")
    assert ledger.holds() == [] and len(ledger.holds("released")) == 1
    assert ledger.verify().ok


def test_override_needs_a_reason_and_refusals_write_nothing(ledger):
    ledger.place_hold("s2", HELD, "needs review")
    n = len(ledger.audit_log())
    for kwargs in ({"override": "  "}, {}, {"override": "x", "license": "D1"}):
        with pytest.raises(HoldError):
            ledger.release_hold("s2", **kwargs)
    with pytest.raises(UnknownError):
        ledger.release_hold("s2", license="D404")
    with pytest.raises(UnknownError):
        ledger.release_hold("nope", override="reason")
    _license(ledger, "D9", amount=1_000)
    with pytest.raises(LimitExceeded):
        ledger.release_hold("s2", license="D9")
    assert len(ledger.audit_log()) == n + 1 and ledger.hold("s2")["status"] == "open"
    out = ledger.release_hold("s2", override="end use verified by phone, ref 42", actor="officer")
    assert out["release"]["reason"] == "end use verified by phone, ref 42"
