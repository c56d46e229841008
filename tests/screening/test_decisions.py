"""Screening in decisions (issue 16, section 3): every party screened; what each list's hit does."""

from __future__ import annotations

import pytest

from aidf.engine import decide, decide_and_book
from aidf.ledger import MemoryLedger
from tests.screening.helpers import load_fixture, tx


@pytest.fixture
def led():
    ledger = MemoryLedger()
    load_fixture(ledger)
    return ledger


def test_no_list_loaded_is_a_warning_not_review():
    d = decide(tx("Lysandre Calcul SAS", "FR"))
    assert d.outcome == "LICENSE_EXCEPTION" and d.authorization == "AIA"
    assert d.screening == []
    assert any("no restricted-party list is loaded" in w for w in d.warnings)
    d2 = decide(tx("Lysandre Calcul SAS", "FR"), ledger=MemoryLedger())
    assert d2.outcome == "LICENSE_EXCEPTION" and d2.screening == []


def test_744_11_entity_list_exact_match_overrides_aia(led):
    clean = decide(tx("Lyon Calcul", "FR"), ledger=led)
    assert clean.outcome == "LICENSE_EXCEPTION" and clean.authorization == "AIA"
    assert [r.status for r in clean.screening] == ["clear"]
    d = decide(tx("LYSANDRE CALCUL S.A.S.", "FR"), ledger=led)  # legal form and case differ
    assert d.outcome == "LICENSE_REQUIRED"
    assert d.authorization is None and d.review_policy == "presumption_of_denial"
    assert [(i.outcome, i.authorization, i.license_required) for i in d.items] == [("LICENSE_REQUIRED", None, True)]
    s = d.screening[0]
    assert s.party == "ultimate_consignee" and s.status == "match" and s.list_version.startswith("1:")
    m = s.matches[0]
    assert (m.list, m.entry_id, m.kind) == ("EL", "EL:fx13", "match")
    assert m.license_requirement.startswith("For all items subject to the EAR")
    assert m.license_policy == "Presumption of denial." and m.federal_register_notice == "90 FR 10013 1/15/25"
    assert set(m.features) == {"name_similarity", "token_overlap", "alt_name_hit", "country_agreement",
                               "country_disagreement", "entity_type"}
    cites = " | ".join(t.cite for t in d.trace)
    assert "744.11" in cites and "Supp. No. 4 to part 744" in cites
    assert any(t.rule == "listed party overrides authorizations" and "AIA" in t.why for t in d.trace)
    assert d.ledger_effects == []  # AIA draws nothing; no exception meter is drawn
    assert any(x.kind == "hold" and "EL:fx13" in x.what for x in d.duties)


def test_744_11_entity_list_alias_and_word_order(led):
    d = decide(tx("Compute Lysandre", "FR"), ledger=led)
    assert d.outcome == "LICENSE_REQUIRED" and d.screening[0].matches[0].matched_name == "Lysandre Compute"


def test_fuzzy_match_needs_review_with_a_hold_naming_the_entry(led):
    d = decide(tx("Lysandra Calcul", "FR"), ledger=led)  # a near spelling: possible match
    assert d.screening[0].status == "possible_match"
    assert d.outcome == "NEEDS_REVIEW" and d.authorization is None and d.ledger_effects == []
    hold = [x.what for x in d.duties if x.kind == "hold" and "EL:fx13" in x.what]
    assert hold and "90 FR 10013" in hold[0] and "For all items subject to the EAR" in hold[0]
    assert any("possibly matches EL entry" in w for w in d.warnings)


def test_exact_name_in_another_country_is_only_possible(led):
    d = decide(tx("Lysandre Calcul SAS", "DE"), ledger=led)
    assert d.screening[0].status == "possible_match" and d.outcome == "NEEDS_REVIEW"
    assert d.screening[0].matches[0].features["country_disagreement"]["value"] == 1.0


def test_736_2_b_4_denied_person_is_a_prohibition(led):
    d = decide(tx("Korvath Trading", "DE"), ledger=led)
    assert d.outcome == "LICENSE_REQUIRED" and d.review_policy == "denial"
    assert all(i.review_policy == "denial" for i in d.items)
    assert any("denial order 89 FR 30003" in w for w in d.warnings)
    assert any("736.2(b)(4)" in t.cite for t in d.trace)


def test_sdn_match_needs_review_naming_the_program(led):
    d = decide(tx("ООО Волков Технологии", "RU", dest="RU"), ledger=led)
    assert d.screening[0].status == "match" and d.screening[0].matches[0].list == "SDN"
    assert d.outcome == "NEEDS_REVIEW"
    assert any("RUSSIA-EO14024" in w and "outside the EAR" in w for w in d.warnings)


def test_every_party_is_screened(led):
    parties = {"end_user": {"name": "Lyon Calcul", "country": "FR"},
               "purchaser": {"name": "Hexaloom Data Systems Limited", "country": "HK"},
               "intermediate_consignee": {"name": "Orbitech Cloud Services", "country": "SG"}}
    d = decide(tx("Lyon Calcul", "FR", **parties), ledger=led)
    roles = {r.party: r.status for r in d.screening}
    assert roles == {"ultimate_consignee": "clear", "end_user": "clear", "purchaser": "match",
                     "intermediate_consignee": "match"}
    assert d.outcome == "LICENSE_REQUIRED"


def test_booked_decision_keeps_the_list_version_and_holds(led):
    d = decide_and_book(tx("Lysandre Calcul", "FR", id="B1"), led)
    assert d.screening[0].list_version.startswith("1:")
    assert [h["transaction_id"] for h in led.holds("open")] == ["B1"]
    assert led.find("B1").decision["screening"][0]["list_version"] == d.screening[0].list_version


def test_entry_listed_after_the_date_is_not_applied_but_warned(led):
    early = tx("LYSANDRE CALCUL S.A.S.", "FR") | {"date": "2025-01-14"}  # fx13 listed 2025-01-15
    d = decide(early, ledger=led)
    assert d.screening[0].status == "match"
    assert d.outcome != "LICENSE_REQUIRED" or all(i.authorization is None for i in d.items)
    assert not any(t.rule == "Entity List" for t in d.trace)
    assert any("listed on 2025-01-15, after the transaction date 2025-01-14" in w for w in d.warnings)


def test_denial_order_that_ended_is_not_applied(led):
    d = decide(tx("Korvath Trading", "DE") | {"date": "2034-08-01"}, ledger=led)  # the order ends 2034-07-01
    assert d.review_policy != "denial"
    assert any("ended on 2034-07-01" in w for w in d.warnings)
