"""Options are sound by construction: each, applied to the transaction, gets the answer it states;
quantities are maximal, dates minimal, and nothing is ever booked."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidf.engine import decide, decide_many, parse_transaction
from aidf.ledger.memory import MemoryLedger
from aidf.model import Decision, Option
from aidf.options import options_for
from aidf.options.probe import Scratch, apply, burden, request

CHIPS = ["nvidia-h100-sxm5", "nvidia-b200", "nvidia-h20", "nvidia-a100-sxm4", "nvidia-l40s"]
COUNTRIES = ["IN", "MX", "BR", "SA", "DE", "JP", "CN", "AE", "MY", "IL"]


@st.composite
def transactions(draw) -> dict:
    country = draw(st.sampled_from(COUNTRIES))
    party = {"name": draw(st.sampled_from(["Alpha", "Beta"])), "country": country,
             "headquarters": draw(st.sampled_from([country, "US", "DE", "CN", None]))}
    if draw(st.booleans()):
        party["veu"] = {"type": draw(st.sampled_from(["NVEU", "UVEU"])), "id": "V1",
                        "installed_base_tpp": {country: draw(st.integers(0, 3_000_000_000))}}
    if draw(st.booleans()):
        item = {"catalog": draw(st.sampled_from(CHIPS)), "quantity": draw(st.integers(1, 4000))}
    elif draw(st.booleans()):
        item = {"tpp": draw(st.sampled_from([1800, 3000, 4000, 6000])), "datacenter": True, "quantity": draw(st.integers(1, 50))}
    else:
        item = {"model_weights": {"training_operations": 3e26, "published": False,
                                  "storage_meets_supp10_14_15_18": draw(st.sampled_from([True, False, None]))}}
    day = dt.date(2025, 1, 13) + dt.timedelta(days=draw(st.integers(0, 1000)))
    return {"id": "P1", "date": day.isoformat(), "action": draw(st.sampled_from(["export", "reexport"])),
            "destination": country, "direct_to_consignee": draw(st.booleans()), "items": [item], "parties": {"ultimate_consignee": party}}


def redecide(body: dict, o: Option, ledger) -> Decision:
    """The option applied to the transaction, decided by the engine against the view the option states."""
    view = Scratch(ledger)
    if o.after:
        view = view.after(decide(apply(body, o.after), ledger=view))
    change = dict(o.change)
    for key in [k for k in change if k.startswith("ledger.arrangement.")]:
        view = view.with_arrangement(key.rsplit(".", 1)[1], "(proposed)")
        del change[key]
    return decide(apply(body, change), ledger=view)


def check_option(body: dict, base: Decision, o: Option, ledger) -> None:
    d = redecide(body, o, ledger)
    assert (d.outcome, d.authorization, d.review_policy) == (o.outcome, o.authorization, o.review_policy), o
    if o.kind in ("quantity", "date", "parties", "weights", "arrangement"):
        assert burden(d) < burden(base), o
    if o.kind == "quantity":
        (path, q), = o.change.items()
        assert burden(decide(apply(body, {path: q + 1}), ledger=Scratch(ledger))) > burden(d), "not maximal"
    if o.kind == "date":
        before = dt.date.fromisoformat(o.change["date"]) - dt.timedelta(days=1)
        earlier = o.model_copy(update={"change": o.change | {"date": before.isoformat()}})
        assert burden(redecide(body, earlier, ledger)) >= burden(base), "not minimal"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transactions())
def test_each_option_gets_the_answer_it_states(t):
    tx = parse_transaction(t)
    base = decide(tx)
    for o in options_for(tx):
        check_option(request(tx), base, o, None)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transactions(), st.integers(1, 1800))
def test_options_never_book(t, earlier):
    ledger = MemoryLedger()
    first = t | {"id": "P0", "items": [{"catalog": "nvidia-h100-sxm5", "quantity": earlier}]}
    decide_many([first], ledger=ledger)
    before = list(ledger.export())
    tx = parse_transaction(t)
    base = decide(tx, ledger=ledger)
    for o in options_for(tx, ledger):
        check_option(request(tx), base, o, ledger)
    assert list(ledger.export()) == before
    assert ledger.find(tx.id) is None


def test_dates_at_the_edges_of_the_calendar():
    """A leap day and the last dates a request may carry give options (or none), never an error."""
    from aidf.options.dates import candidates

    assert candidates(dt.date(2024, 2, 29))[0] > dt.date(2024, 2, 29)
    assert candidates(dt.date.max) == []
    for day in ("2024-02-29", "2099-06-10", "2099-12-31"):
        t = {"id": "E1", "date": day, "action": "export", "destination": "IN",
             "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 2000}],
             "parties": {"ultimate_consignee": {"name": "Edge", "country": "IN"}}}
        tx = parse_transaction(t)
        base = decide(tx)
        for o in options_for(tx):
            check_option(request(tx), base, o, None)
