"""15 CFR 748.15 limits held by the store itself, whatever the caller claims: the UVEU share limits
under 16 racing writers, and an NVEU's quarterly cap against declared installed bases that would
lower what is counted. Both races run on SQLite and PostgreSQL."""

from __future__ import annotations

from fractions import Fraction

import pytest
from tests.ledger.ledger_racers import fork_racers

from aidf.engine import decide_and_book, decide_many
from aidf.ledger import Draw, LimitExceeded, open_ledger
from aidf.model import AccountRef

H100 = "nvidia-h100-sxm5"
H100_MILLI = 15_831_200


def _uveu_tx(tid: str, dest: str, quantity: int) -> dict:
    return {"id": tid, "date": "2025-08-01", "action": "export", "destination": dest, "end_use": "data_center",
            "items": [{"catalog": H100, "quantity": quantity}],
            "parties": {"ultimate_consignee": {"name": f"Euro Cloud {dest}", "country": dest, "headquarters": "DE",
                                               "veu": {"type": "UVEU", "id": "EURO"}}}}


def _ship_to_mexico(i: int, url: str) -> str:
    led = open_ledger(url)
    try:
        return decide_and_book(_uveu_tx(f"MX-{i}", "MX", 2_000), led).items[0].authorization or "license"
    finally:
        led.close()


def test_uveu_share_race_16_writers(durable_url):
    """Supp. No. 10 para 6: 7% at most in one non-Tier-1 country. With 100,000 H100 in Germany,
    3 shipments of 2,000 H100 to Mexico fit (5.66%), a 4th would not (7.41%): 16 racing writers
    get exactly 3 under the UVEU, and the store never holds more than 7% in Mexico."""
    with open_ledger(durable_url) as led:
        decide_and_book(_uveu_tx("DE-base", "DE", 100_000), led)
    auths = fork_racers(16, _ship_to_mexico, durable_url)
    assert auths.count("UVEU") == 3, auths
    with open_ledger(durable_url) as led:
        base = led.installed_base("uveu_share", "EURO")
        assert Fraction(base["MX"], sum(base.values())) <= Fraction(7, 100)
        assert base["MX"] == 3 * 2_000 * H100_MILLI
        assert led.verify().ok


def test_store_refuses_a_share_breach_whatever_the_draw_says(ledger):
    """A draw under the UVEU authorization is share-tested by the store even with no limit given."""
    import datetime as dt

    de = AccountRef(kind="uveu_share", veu="V", country="DE")
    mx = AccountRef(kind="uveu_share", veu="V", country="MX")
    day = dt.date(2025, 8, 1)
    ledger.book("a", "h", {}, [Draw(de, 93_000, None, hq="DE")], day)
    ledger.book("b", "h", {}, [Draw(mx, 7_000, None, hq="DE")], day)  # exactly 7%
    with pytest.raises(LimitExceeded):
        ledger.book("c", "h", {}, [Draw(mx, 1, None, hq="DE")], day)
    ledger.book("d", "h", {}, [Draw(mx, 1, None, kind="tally")], day)  # counted, never refused
    assert ledger.used(mx) == 7_001


def _nveu_tx(tid: str, declared: dict | None) -> dict:
    veu = {"type": "NVEU", "id": "NV-IN"} | ({"installed_base_tpp": declared} if declared is not None else {})
    return {"id": tid, "date": "2025-08-01", "action": "export", "destination": "IN", "end_use": "data_center",
            "items": [{"catalog": H100, "quantity": 20_000}],
            "parties": {"ultimate_consignee": {"name": "Deccan Compute", "country": "IN", "veu": veu}}}


NVEU_IN = AccountRef(kind="nveu_cap", veu="NV-IN", country="IN")
CAP_2025Q3 = 1_266_000_000_000


def test_nveu_declared_base_cannot_lower_the_count(store_url):
    """748.15(a)(2)(iii)(B): declaring {"IN": 0} on every shipment does not reopen the cap; 3
    shipments of 20,000 H100 fit 2025 Q3's 1,266,000,000 TPP, the next 3 do not."""
    with open_ledger(store_url) as led:
        ds = decide_many([_nveu_tx(f"N{i}", {"IN": 0}) for i in range(6)], led)
        assert [d.items[0].authorization for d in ds].count("NVEU") == 3
        assert led.used(NVEU_IN) == 3 * 20_000 * H100_MILLI <= CAP_2025Q3
        assert led.verify().ok


def test_nveu_declared_base_raises_the_count_as_an_audited_adjustment(ledger):
    d = decide_many([_nveu_tx("N1", {"IN": 500_000_000})], ledger)[0]
    assert d.items[0].authorization == "NVEU"
    assert ledger.used(NVEU_IN) == 500_000_000_000 + 20_000 * H100_MILLI
    adjust = [h for h in ledger.history(NVEU_IN.id) if h["kind"] == "adjust"]
    assert [a["amount"] for a in adjust] == [500_000_000_000]
    logged = [t for e in ledger.audit_log() for t in __import__("json").loads(e["data"]).get("transfers", [])]
    assert any(t["kind"] == "adjust" for t in logged)
    # A declaration now below the ledger changes nothing: the count is the ledger's.
    d2 = decide_many([_nveu_tx("N2", {"IN": 0})], ledger)[0]
    assert d2.items[0].authorization == "NVEU"
    assert ledger.used(NVEU_IN) == 500_000_000_000 + 2 * 20_000 * H100_MILLI
    assert ledger.verify().ok


def test_store_applies_the_law_when_the_caller_passes_no_limit(ledger):
    """740.29(a): 26,900,000 TPP per consignee per year, whatever limit the draw carries."""
    import datetime as dt

    lpp = AccountRef(kind="lpp_annual", consignee="acme", year=2025)
    day = dt.date(2025, 8, 1)
    ledger.book("a", "h", {}, [Draw(lpp, 26_900_000_000, None)], day)
    with pytest.raises(LimitExceeded):
        ledger.book("b", "h", {}, [Draw(lpp, 1, 10**15)], day)
