"""One search of authorizations (rules/authorizations.py) for the engine and replay's static plans."""

from __future__ import annotations

import datetime as dt

from aidf.engine import decide
from aidf.replay import static
from aidf.rules import authorizations
from aidf.rules.facts import Verdict

TX = {"id": "A1", "date": dt.date(2026, 3, 2), "action": "export", "destination": "FR",
      "parties": {"ultimate_consignee": {"name": "Acme", "country": "FR", "headquarters": "FR"}},
      "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 8}]}


def test_the_first_eligible_candidate_authorizes_and_unknown_ones_do_not_stop_the_search(monkeypatch):
    unknown = lambda line, f, r: Verdict("X", "unknown", "cite", "why", missing="fact")  # noqa: E731
    metered = lambda line, f, r: Verdict("LPP", "eligible", "cite", "why", draws=[object()])  # noqa: E731
    plain = lambda line, f, r: Verdict("Y", "eligible", "cite", "why")  # noqa: E731
    monkeypatch.setattr(authorizations, "DIFFUSION_CANDIDATES", [unknown, metered, plain])

    class F:
        class ruleset:
            diffusion = True

    s = authorizations.authorize(None, F, None)
    assert s.chosen.authorization == "LPP" and [v.authorization for v in s.unknown] == ["X"]
    s = authorizations.authorize(None, F, None, metered=True)
    assert s.chosen.authorization == "Y" and [v.authorization for v in s.metered] == ["LPP"]
    monkeypatch.setattr(authorizations, "DIFFUSION_CANDIDATES", [unknown])
    assert authorizations.authorize(None, F, None).needs_review


def test_engine_and_static_plans_both_search_with_the_shared_candidates(monkeypatch):
    """Dropping a candidate from the shared list changes both paths alike (no second copy of the loop)."""
    before = decide(TX)
    plan = static.evaluate(static.engine.parse_transaction({**TX, "items": [{**TX["items"][0], "quantity": 1}]}))
    assert before.items[0].authorization == plan.authorization == "AIA"
    monkeypatch.setattr(authorizations, "DIFFUSION_CANDIDATES", authorizations.DIFFUSION_CANDIDATES[1:])
    after = decide(TX)
    plan = static.evaluate(static.engine.parse_transaction({**TX, "items": [{**TX["items"][0], "quantity": 1}]}))
    assert after.items[0].authorization != "AIA" and plan.authorization != "AIA"
    assert (after.items[0].outcome.value, after.items[0].authorization) == (
        plan.outcome if plan.terminal else after.items[0].outcome.value, plan.authorization if plan.terminal
        else after.items[0].authorization)
