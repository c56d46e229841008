"""Bookings: limits enforced by the store, all-or-none groups, idempotency, two-phase transfers."""

from __future__ import annotations

import datetime as dt

import pytest

from aidf.ledger import Draw, IdempotencyConflict, LedgerError, LimitExceeded, open_ledger
from aidf.ledger.common import TransferStateError, UnknownError
from aidf.model import AccountRef

DAY = dt.date(2025, 3, 1)
CA = AccountRef(kind="country_allocation", country="AE", window="2025-2027")
LPP = AccountRef(kind="lpp_annual", consignee="acme", year=2025)
NVEU = AccountRef(kind="nveu_cap", veu="V1", country="IN")
NVEU2 = AccountRef(kind="nveu_cap", veu="V1", country="MY")


def test_book_draws_and_reads_back(ledger):
    b = ledger.book("t1", "h1", {"outcome": "NLR"}, [Draw(CA, 500, 1000), Draw(LPP, 10, 100)], DAY)
    assert b.transfer_ids == ["t1/0", "t1/1"]
    assert (ledger.used(CA), ledger.used(LPP)) == (500, 10)
    assert ledger.find("t1").decision == {"outcome": "NLR"}
    assert ledger.find("nope") is None
    assert ledger.used(AccountRef(kind="country_allocation", country="FR")) == 0


def test_limit_is_inclusive_and_group_is_all_or_none(ledger):
    ledger.book("t1", "h", {}, [Draw(CA, 600, 1000)], DAY)
    with pytest.raises(LimitExceeded) as e:
        ledger.book("t2", "h", {}, [Draw(LPP, 5, 100), Draw(CA, 401, 1000)], DAY)
    assert e.value.used == 600 and e.value.limit == 1000
    assert ledger.used(LPP) == 0 and ledger.find("t2") is None  # nothing written, not even the account
    assert [a["id"] for a in ledger.accounts()] == [CA.id]
    ledger.book("t3", "h", {}, [Draw(CA, 400, 1000)], DAY)  # exactly the limit fits
    assert ledger.used(CA) == 1000


def test_same_account_twice_in_a_group_counts_both(ledger):
    with pytest.raises(LimitExceeded):
        ledger.book("t1", "h", {}, [Draw(CA, 600, 1000), Draw(CA, 600, 1000)], DAY)
    assert ledger.used(CA) == 0


def test_idempotency(ledger):
    first = ledger.book("t1", "h1", {"a": 1}, [Draw(CA, 500, 1000)], DAY)
    again = ledger.book("t1", "h1", {"a": 1}, [Draw(CA, 500, 1000)], DAY)
    assert again == first and ledger.used(CA) == 500
    with pytest.raises(IdempotencyConflict):
        ledger.book("t1", "h2", {"a": 2}, [Draw(CA, 1, 1000)], DAY)
    assert ledger.used(CA) == 500
    assert len(ledger.audit_log()) == 1


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "3"])
def test_bad_amounts_are_refused(ledger, amount):
    with pytest.raises(LedgerError):
        ledger.book("t1", "h", {}, [Draw(CA, amount, 1000)], DAY)
    assert ledger.find("t1") is None and ledger.accounts() == []


def test_empty_booking_records_the_decision(ledger):
    ledger.book("t0", "h", {"outcome": "NLR"}, [], DAY)
    assert ledger.find("t0").transfer_ids == []


def test_post_void_and_partial_post(ledger):
    ledger.book("t1", "h", {}, [Draw(CA, 500, 1000), Draw(LPP, 10, 100)], DAY)
    assert ledger.post("t1") == ["t1/0/post", "t1/1/post"]
    assert ledger.post("t1") == ["t1/0/post", "t1/1/post"]  # retry: same result, nothing more
    assert ledger.balance(CA.id)["posted"] == 500 and ledger.used(CA) == 500
    with pytest.raises(TransferStateError):
        ledger.void("t1/0")
    ledger.book("t2", "h", {}, [Draw(CA, 300, 1000)], DAY)
    ledger.void("t2", reason="shipment cancelled")
    assert ledger.used(CA) == 500
    with pytest.raises(TransferStateError):
        ledger.post("t2/0")
    ledger.book("t3", "h", {}, [Draw(CA, 300, 1000)], DAY)
    ledger.post("t3/0", amount=100)
    assert ledger.used(CA) == 600
    with pytest.raises(IdempotencyConflict):
        ledger.post("t3/0", amount=200)
    assert ledger.verify().ok


def test_post_refusals_write_nothing(ledger):
    ledger.book("t1", "h", {}, [Draw(CA, 500, 1000)], DAY)
    n = len(ledger.audit_log())
    with pytest.raises(UnknownError):
        ledger.post("missing")
    with pytest.raises(LedgerError):
        ledger.post("t1/0", amount=501)
    with pytest.raises(LedgerError):
        ledger.post("t1/0", amount=0)
    with pytest.raises(LedgerError):
        ledger.post("t1/0", actor="")
    with pytest.raises(UnknownError):
        ledger.void(["t1/0", "t9/0"])
    assert len(ledger.audit_log()) == n and ledger.balance(CA.id)["pending"] == 500


def test_linked_resolution_is_all_or_none(ledger):
    ledger.book("t1", "h", {}, [Draw(CA, 100, 1000)], DAY)
    ledger.book("t2", "h", {}, [Draw(CA, 100, 1000)], DAY)
    ledger.void("t2")
    with pytest.raises(TransferStateError):
        ledger.post(["t1/0", "t2/0"])
    assert ledger.balance(CA.id)["posted"] == 0 and ledger.used(CA) == 100


def test_reservations_never_lapse_by_the_clock(ledger, clock):
    """No silent refill: an unposted reservation keeps its room until someone voids it, whatever the
    clock says; `expire` lists what it would void and voids only when told to, audited."""
    ledger.book("t1", "h", {}, [Draw(CA, 700, 1000)], DAY)
    clock.advance(days=400)
    ledger.book("t2", "h", {}, [Draw(CA, 300, 1000)], DAY)
    assert ledger.used(CA) == 1000
    with pytest.raises(LimitExceeded):
        ledger.book("t3", "h", {}, [Draw(CA, 1, 1000)], DAY)
    today = clock.now.date()
    n = len(ledger.audit_log())
    assert ledger.expire(before=today) == ["t1/0"]  # a listing writes nothing
    assert ledger.used(CA) == 1000 and len(ledger.audit_log()) == n
    assert ledger.expire(before=today, yes=True, actor="operator") == ["t1/0"]
    assert ledger.used(CA) == 300 and ledger.audit_log()[-1]["action"] == "expire"
    assert ledger.audit_log()[-1]["actor"] == "operator"
    assert ledger.expire(before=today, yes=True) == []
    with pytest.raises(TransferStateError):
        ledger.void("t1/0")
    assert ledger.expire(ids=["t2"]) == ["t2/0"]
    assert ledger.expire(ids=["t2"], yes=True) == ["t2/0"] and ledger.used(CA) == 0
    with pytest.raises(LedgerError):
        ledger.expire()
    assert [h["kind"] for h in ledger.history(CA.id)] == ["pending", "pending", "expire", "expire"]
    assert ledger.verify().ok


def test_installed_base_and_arrangements(ledger):
    ledger.book("t1", "h", {}, [Draw(NVEU, 7, None), Draw(NVEU2, 5, None)], DAY)
    assert ledger.installed_base("nveu_cap", "V1") == {"IN": 7, "MY": 5}
    assert ledger.installed_base("uveu_share", "V1") == {}
    assert ledger.arrangement("SA", DAY) is None
    ledger.record_arrangement("SA", dt.date(2025, 6, 1), "G2G-SA-1", actor="lead")
    ledger.record_arrangement("SA", dt.date(2025, 9, 1), "G2G-SA-2")
    assert ledger.arrangement("SA", dt.date(2025, 5, 31)) is None
    assert ledger.arrangement("SA", dt.date(2025, 7, 1))["reference"] == "G2G-SA-1"
    assert ledger.arrangement("SA", dt.date(2026, 1, 1)) == {
        "country": "SA", "since": dt.date(2025, 9, 1), "reference": "G2G-SA-2"}


def test_reopen_keeps_everything(tmp_path, clock):
    path = str(tmp_path / "sub" / "l.sqlite")
    with open_ledger(path, clock=clock) as led:
        led.book("t1", "h", {}, [Draw(CA, 5, 10)], DAY)
    with open_ledger("sqlite:///" + path, clock=clock) as led:
        assert led.used(CA) == 5 and led.verify().ok


def test_default_location_and_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AIDF_LEDGER", raising=False)
    open_ledger().close()
    assert (tmp_path / ".aidf" / "ledger.sqlite").exists()
    monkeypatch.setenv("AIDF_LEDGER", str(tmp_path / "env.sqlite"))
    open_ledger().close()
    assert (tmp_path / "env.sqlite").exists()
