"""15 CFR 736.2(b)(4) (General Prohibition Four) and 764.3(a)(2): no one may take part in an export with
a person a denial order names. A prohibition, not a license requirement: recorded as LICENSE_REQUIRED
with review policy `denial`."""

from __future__ import annotations

import datetime as dt

from aidf.model import Outcome
from aidf.rules.parameters import parameters
from aidf.screening.consequence import Consequence, describe
from aidf.screening.settings import PATH


def denied_person(role: str, entry, on: dt.date) -> Consequence:
    """A Denied Persons List match: the export is prohibited by the denial order."""
    cite = str(parameters(on).get(PATH, "denied_persons_cite"))
    order = entry.federal_register_notice or "its denial order (FR notice not stated in the list)"
    return Consequence(Outcome.LICENSE_REQUIRED, "Denied Persons List", cite,
                       f"the {role} is {describe(entry)}: a denial order prohibits the export", review_policy="denial",
                       warning=f"the {role} {entry.name!r} is denied export privileges by the denial order "
                               f"{order}: the export is prohibited, not merely licensable",
                       hold=describe(entry))
