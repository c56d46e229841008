"""Clearances (issue 16, section 4): cleared once, held while the entry is unchanged, re-opened when it changes."""

from __future__ import annotations

import pytest

from aidf.engine import decide
from aidf.errors import InputError
from aidf.ledger import MemoryLedger, open_ledger
from aidf.screening import store
from tests.screening.helpers import edited_fixture, load_fixture, tx


@pytest.fixture
def led(tmp_path):
    ledger = open_ledger(str(tmp_path / "ledger.sqlite"))
    yield ledger
    ledger.close()


def test_clearance_survives_reload_of_unchanged_list_and_reopens_on_changed_entry(led, tmp_path):
    v1 = load_fixture(led)
    t = tx("Lysandra Calcul", "FR")
    assert decide(t, ledger=led).outcome == "NEEDS_REVIEW"
    c = store.clear(led, "Lysandra Calcul", "FR", "EL:fx13", None, "different company: SIREN 123 456 789", "officer-1")
    assert c["version"] == v1.label
    cleared = decide(t, ledger=led)
    assert cleared.screening[0].status == "cleared_by_officer" and cleared.screening[0].matches[0].cleared
    assert cleared.outcome == "LICENSE_EXCEPTION" and cleared.authorization == "AIA"
    # the same list published again: a new version, the entry unchanged, the clearance holds
    v2 = load_fixture(led)
    assert v2.seq == v1.seq + 1 and v2.file_hash == v1.file_hash
    again = decide(t, ledger=led)
    assert again.screening[0].list_version == v2.label and again.screening[0].status == "cleared_by_officer"
    # a later list changes the entry (a new FR notice): the clearance no longer holds
    load_fixture(led, edited_fixture(tmp_path, "fx13", federal_register_notice="91 FR 22222 2/2/26"))
    reopened = decide(t, ledger=led)
    assert reopened.screening[0].status == "possible_match" and reopened.outcome == "NEEDS_REVIEW"
    # a list where fx13 says again what was cleared (and another entry changed): cleared again
    load_fixture(led, edited_fixture(tmp_path, "fx02", license_policy="Policy of denial."))
    assert decide(t, ledger=led).screening[0].status == "cleared_by_officer"


def test_clearance_is_for_one_party_and_one_entry(led):
    load_fixture(led)
    store.clear(led, "Lysandra Calcul", "FR", "EL:fx13", None, "not them", "officer-1")
    other = decide(tx("Lysandre Calcull", "FR"), ledger=led)
    assert other.screening[0].status == "possible_match"


def test_loads_and_clearances_are_audited(led):
    load_fixture(led)
    store.clear(led, "Lysandra Calcul", "FR", "EL:fx13", None, "not them", "officer-1")
    actions = [(e["action"], e["actor"]) for e in led.audit_log()]
    assert ("lists.load", "tester") in actions and ("screening.clear", "officer-1") in actions
    assert led.verify().ok


@pytest.mark.parametrize("kw, field", [
    ({"reason": "  "}, "reason"), ({"entry_id": "EL:nope"}, "entry_id"), ({"version": 99}, "version"),
    ({"name": ""}, "party")])
def test_bad_clearance_names_the_field(led, kw, field):
    load_fixture(led)
    args = {"name": "Lysandra Calcul", "country": "FR", "entry_id": "EL:fx13", "version": None,
            "reason": "not them", "actor": "officer-1"} | kw
    with pytest.raises(InputError) as e:
        store.clear(led, **args)
    assert e.value.field == field
    assert not any(e["action"] == "screening.clear" for e in led.audit_log())


def test_no_list_refuses_a_clearance():
    with pytest.raises(InputError) as e:
        store.clear(MemoryLedger(), "A", None, "EL:1", None, "r", "o")
    assert e.value.field == "version"
