"""15 CFR 744.11 and Supp. No. 4 to part 744: a listed entity brings the license requirement and the
review policy its entry states, whatever else would authorize the export."""

from __future__ import annotations

import datetime as dt

from aidf.model import Outcome
from aidf.rules.parameters import parameters
from aidf.screening.consequence import Consequence, describe
from aidf.screening.settings import PATH

# The policy column's words, as the contract's review-policy codes (most severe first).
POLICY_WORDS = [("policy of denial", "denial"), ("presumption of denial", "presumption_of_denial"),
                ("case-by-case", "case_by_case"), ("case by case", "case_by_case"),
                ("presumption of approval", "presumption_of_approval"), ("approval", "presumption_of_approval"),
                ("denial", "presumption_of_denial")]


def review_policy_of(text: str | None) -> str | None:
    """The review-policy code of an entry's `license_policy` words, or None when they name none."""
    low = (text or "").lower()
    for words, code in POLICY_WORDS:
        if words in low:
            return code
    return None


def entity_list(role: str, entry, on: dt.date) -> Consequence:
    """744.11(a): a match to an Entity List entry needs a license, with the entry's policy; no license
    exception is available to a listed entity unless its entry says so, so this overrides any."""
    cite = str(parameters(on).get(PATH, "entity_list_cite"))
    policy = review_policy_of(entry.license_policy)
    warning = None
    if policy is None:
        warning = (f"Entity List entry {entry.name!r} states no review policy the engine can read "
                   f"({entry.license_policy or 'none'}): the license application's review is not predicted")
    return Consequence(Outcome.LICENSE_REQUIRED, "Entity List", cite,
                       f"the {role} is {describe(entry)}; a license is required and license exceptions "
                       "are not available", review_policy=policy, warning=warning, hold=describe(entry))
