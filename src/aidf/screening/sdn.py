"""OFAC's Specially Designated Nationals (31 CFR chapter V): sanctions outside the EAR, so the engine
does not decide them; a match needs review naming the program (744.8 adds EAR requirements for some)."""

from __future__ import annotations

import datetime as dt

from aidf.model import Outcome
from aidf.rules.parameters import parameters
from aidf.screening.consequence import Consequence, describe
from aidf.screening.settings import PATH


def sdn(role: str, entry, on: dt.date) -> Consequence:
    """An SDN match: review under the OFAC program(s) the entry names."""
    cite = str(parameters(on).get(PATH, "sdn_cite"))
    programs = ", ".join(entry.programs) or "program not stated in the list"
    return Consequence(Outcome.NEEDS_REVIEW, "OFAC SDN", cite,
                       f"the {role} is {describe(entry)}: OFAC sanctions ({programs}) lie outside the EAR",
                       warning=f"the {role} {entry.name!r} is on OFAC's SDN list (program {programs}): "
                               "outside the EAR, needs review", hold=describe(entry))
