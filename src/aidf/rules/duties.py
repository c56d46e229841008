"""What the exporter must still do for a decided line: the duties of the authorization that covers it
(each written beside its provision: exceptions/aia.py, acm.py, nac_aca.py, lpp.py, veu.py), the
standing ones (the ECCN on the invoice, 758.6(a)(2); the export records, 762.2(a)) and the hold of a
shipment that needs a license or review (748.1, Part 750)."""

from __future__ import annotations

from collections.abc import Callable

from aidf.cite import ECCN_ON_INVOICE, EXPORT_RECORDS, LICENSE_APPLICATION, LICENSES, joined
from aidf.model import Duty
from aidf.rules import veu
from aidf.rules.exceptions import acm, aia, lpp, nac_aca
from aidf.rules.facts import Facts, Line, duty

# The facts duties_for reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
READS = frozenset({"line.cls.eccn", "line.cls.is_weights", "line.cls.level", "line.index", "ruleset"}).union(
    aia.DUTY_READS, acm.DUTY_READS, nac_aca.DUTY_READS, lpp.DUTY_READS, veu.DUTY_READS)

# 748.1 and Part 750: no shipment before the license is granted.
HOLD = joined(LICENSE_APPLICATION, LICENSES)

# Each authorization's duties, from its provision module.
BY_AUTHORIZATION: dict[str, Callable[[Line, Facts], list[Duty]]] = {
    "AIA": aia.duties, "ACM": acm.duties, "NAC": nac_aca.nac_duties, "ACA": nac_aca.aca_duties, "LPP": lpp.duties,
    "UVEU": veu.uveu_duties, "NVEU": veu.nveu_duties,
}


def duties_for(line: Line, f: Facts, authorization: str | None, outcome: str) -> list[Duty]:
    """The duties one decided line brings: the invoice's ECCN, its authorization's, the hold, the records."""
    out: list[Duty] = _invoice(line.index, line.cls)
    own = BY_AUTHORIZATION.get(authorization) if authorization else None
    if own is not None:
        out += own(line, f)
    if outcome in ("LICENSE_REQUIRED", "NEEDS_REVIEW"):
        out += hold_duties(line.index)
    return out + _records(line.index, line.cls)


def standing_duties(i: int, cls) -> list[Duty]:
    """The duties a classified line brings whatever authorizes it (758.6(a)(2), 762.2(a))."""
    return _invoice(i, cls) + _records(i, cls)


def _invoice(i: int, cls) -> list[Duty]:
    if cls.level and not cls.is_weights:
        return [duty(f"State ECCN {cls.eccn} on the commercial invoice", ECCN_ON_INVOICE, "with each shipment", "notice", i)]
    return []


def _records(i: int, cls) -> list[Duty]:
    return [duty("Keep the export records", EXPORT_RECORDS, "five years", "records", i)] if cls.eccn else []


def hold_duties(line: int) -> list[Duty]:
    return [duty("Hold the shipment until a license is granted or the review is closed", HOLD,
                 "before shipping", "hold", line)]
