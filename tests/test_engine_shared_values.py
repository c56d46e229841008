"""The engine's shared and assembled parts give what validation gave (issue 11).

- a decision assembled from its typed parts equals the validated one: values, field order, fields set, JSON;
- trace steps, duties, assumed facts and the rule-set reference are frozen values, so answers may share them,
  and those made from the same field names share one fields set, which nothing can change;
- a citation below another is the same value however often it is asked for.
"""

from __future__ import annotations

import pydantic
import pytest

from aidf.cite import AIA, Cite
from aidf.engine import decide
from aidf.model import Decision

CASES = [
    {"id": "F1", "date": "2025-07-01", "action": "export", "destination": "MX",
     "items": [{"catalog": "nvidia-h200-sxm", "quantity": 500}],
     "parties": {"ultimate_consignee": {"name": "Monterrey Nube", "country": "MX"}}},
    {"id": "F2", "date": "2025-07-01", "action": "export", "destination": "FR",
     "items": [{"catalog": "nvidia-b200", "quantity": 16}, {"catalog": "nvidia-h20", "quantity": 3}],
     "parties": {"ultimate_consignee": {"name": "Lyon Calcul", "country": "FR"}}},
]


@pytest.mark.parametrize("tx", CASES, ids=lambda t: t["id"])
def test_assembled_decision_equals_the_validated_one(tx):
    d = decide(tx)
    given = {k: getattr(d, k) for k in d.model_fields_set}
    validated = Decision(**given)
    assert list(d.__dict__.items()) == list(validated.__dict__.items())
    assert d.model_fields_set == validated.model_fields_set
    assert d.model_dump_json() == validated.model_dump_json()
    assert Decision.model_validate_json(d.model_dump_json()) == d


def test_shared_parts_are_frozen_and_answers_stay_apart():
    a, b = decide(CASES[0]), decide(CASES[0])
    assert a == b
    for part in [a.trace[0], a.duties[0], a.assumed[0], a.rules]:
        with pytest.raises(pydantic.ValidationError):
            part.why = "changed"  # every one refuses, whatever the field's name
    a.trace.append(a.trace[0])
    a.warnings.append("only here")
    assert len(b.trace) == len(a.trace) - 1 and "only here" not in b.warnings
    assert a.screening is not b.screening


def test_frozen_parts_share_a_fields_set_that_stays_as_made():
    from aidf.model import TraceStep

    a = TraceStep.model_construct(rule="r", cite="c", result="x", why="w")
    b = TraceStep.model_construct(rule="s", cite="d", result="y", why="v")
    assert a.model_fields_set is b.model_fields_set == {"rule", "cite", "result", "why"}
    with pytest.raises(pydantic.ValidationError):
        a.line = 3
    c = a.model_copy(update={"line": 3})
    d = a.but(line=4)
    assert c.model_fields_set == d.model_fields_set == {"rule", "cite", "result", "why", "line"}
    assert b.model_fields_set == {"rule", "cite", "result", "why"}
    assert TraceStep.model_construct(rule="r", cite="c", result="x", why="w", line=1).model_fields_set == \
        TraceStep(rule="r", cite="c", result="x", why="w", line=1).model_fields_set
    assert TraceStep.model_construct(rule="r", cite="c", result="x", why="w", other=1).model_fields_set == \
        {"rule", "cite", "result", "why"}


def test_a_cited_paragraph_is_one_value():
    assert AIA.at("(b)(1)") is AIA.at("(b)(1)")
    assert AIA.at("(b)(1)") == Cite(740, "27", "(b)(1)") and str(AIA.at("(b)(1)")) == "15 CFR 740.27(b)(1)"
    assert hash(AIA.at("(c)")) == hash(Cite(740, "27", "(c)"))
