"""Item classification: resolve a catalog id or figures, then 3A090 / 4A090 / 4E091 with the working shown."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from aidf.bounds import line_problem
from aidf.catalog import get_chip, load_catalog
from aidf.cite import TPP_NOTE, TPP_NOTES, Entry
from aidf.errors import InputError
from aidf.meters import milli
from aidf.model import Item, TraceStep, UnitItem
from aidf.rules.eccn_3a090 import classify_ic, performance_density, tpp_from_peaks, z_paragraph
from aidf.rules.eccn_4e091 import classify_weights
from aidf.rules.parameters import parameters

H100 = ("display/h100", "h100_tpp")


@dataclass
class Classification:
    """What the item is: ECCN, level (.a/.b), TPP per unit and in total, density, and why."""

    description: str
    eccn: str | None
    level: str | None = None  # "a" or "b" for 3A090/4A090; None otherwise
    prongs: list[str] = field(default_factory=list)  # e.g. ["a.1", "a.2"]: every 3A090 prong the chip meets
    is_weights: bool = False
    datacenter: bool | None = None
    tpp_unit: Fraction | None = None
    tpp_total: Fraction | None = None
    performance_density: Fraction | None = None
    quantity: int | None = None  # none for model weights
    indeterminate: str | None = None
    vendor: str | None = None
    chip_tpp: Fraction | None = None  # TPP of one IC (a computer carries several)
    memory_bw_tbs: Fraction | None = None  # DRAM bandwidth of one IC, where the catalog has it
    listed_eccn: str | None = None  # the ECCN a .z item is otherwise specified in
    trace: list[TraceStep] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def bound_problem(self) -> str | None:
        """Why the line's total cannot be booked (aidf/bounds.py; None: it can), once per classification."""
        return line_problem(self.tpp_total)

    @cached_property
    def amount(self) -> int:
        """The total in milli-TPP, as the meters count it (once per classification, which lines share)."""
        return milli(self.tpp_total) if self.tpp_total is not None else 0

    def trace_at(self, line: int) -> list[TraceStep]:
        """The trace steps for line `line` of a transaction, as a new list: the steps themselves are
        values, made once per classification and line (lines share classifications)."""
        known = self.__dict__.setdefault("_trace_at", {})
        steps = known.get(line)
        if steps is None:
            steps = known[line] = [step.but(line=line) for step in self.trace]
        return list(steps)

    def figures(self, h100: Fraction) -> tuple[float | None, float | None, float | None, float | None]:
        """The answer's numbers: TPP per unit and in total, performance density (4 places) and H100-equivalents
        (2 places, against `h100`), computed once per classification and H100 figure."""
        known = self.__dict__.get("_figures")
        if known is None or (known[0] is not h100 and known[0] != h100):
            known = self.__dict__["_figures"] = (h100, (
                None if self.tpp_unit is None else float(self.tpp_unit),
                None if self.tpp_total is None else float(self.tpp_total),
                None if self.performance_density is None else round(float(self.performance_density), 4),
                None if self.tpp_total is None else round(float(self.tpp_total / h100), 2)))
        return known[1]

    @property
    def counted(self) -> bool:
        """.a-level items count toward every TPP meter (748.15(a)(2)(iii)(B); 740.29(a))."""
        return self.level == "a"

    def summary(self) -> dict:
        return {"description": self.description, "eccn": self.eccn, "level": self.level, "prongs": list(self.prongs),
                "tpp": None if self.tpp_unit is None else float(self.tpp_unit),
                "tpp_total": None if self.tpp_total is None else float(self.tpp_total),
                "performance_density": None if self.performance_density is None else round(float(self.performance_density), 4),
                "datacenter": self.datacenter, "indeterminate": self.indeterminate,
                "trace": [t.model_dump() for t in self.trace], "warnings": self.warnings}


def _exact(v: float | int) -> Fraction:
    return Fraction(Decimal(repr(v) if isinstance(v, float) else str(v)))


def _finite(item: Item, prefix: str) -> None:
    """Refuse infinite or NaN figures (which pass `> 0` checks) before they reach exact arithmetic."""
    figures = {"tpp": item.tpp, "die_area_mm2": item.die_area_mm2}
    if item.model_weights is not None:
        mw = item.model_weights
        figures.update({"model_weights.training_operations": mw.training_operations,
                        "model_weights.extra_training_operations": mw.extra_training_operations})
    for name, value in figures.items():
        if value is not None and not math.isfinite(value):
            raise InputError(f"{prefix}.{name}", f"must be a finite number (got {value})")


def _stated_tpp(item: Item, p, field_prefix: str):
    """TPP of a chip not from the catalog: from datasheet peaks, or as stated; with its trace step."""
    if item.peak_dense is not None:
        tpp = tpp_from_peaks(item.peak_dense, p, f"{field_prefix}.peak_dense")
        how = " / ".join(f"{k} {v}" for k, v in item.peak_dense.items())
        return tpp, TraceStep(rule="TPP from datasheet peaks", cite=str(TPP_NOTES),
                              result=f"TPP {float(tpp):,.1f}", why=f"highest of dense peak x bit length over {how}")
    tpp = _exact(item.tpp)
    return tpp, TraceStep(rule="TPP given", cite=str(TPP_NOTE),
                          result=f"TPP {float(tpp):,.1f}", why="stated by the caller")


def _by_epoch(size: int):
    """Classifications of items (as JSON) per parameter epoch: classification is pure in the item and
    the parameters in force, and order books repeat a few items over many dates. A cached object is
    shared, so callers only read it."""
    found: dict[tuple[str, int, str], Classification] = {}

    def classified(item_json: str, p, prefix: str) -> Classification:
        key = (item_json, p.epoch, prefix)
        try:
            return found[key]
        except KeyError:
            pass
        cls = classify_item(Item.model_validate_json(item_json), p.as_of, field_prefix=prefix)
        if p.epoch >= 0:  # a Parameters built by hand has no epoch: nothing to share it with
            if len(found) >= size:
                found.clear()
            found[key] = cls
        return cls

    classified.cache_clear = found.clear  # dropped with the per-date caches when a scenario starts or ends
    return classified


classified = _by_epoch(65536)


def classify_item(item: Item | dict, as_of: dt.date | None = None, field_prefix: str = "item") -> Classification:
    """Classify one line of a transaction as of a date (default today)."""
    if isinstance(item, dict):
        item = UnitItem.model_validate(item)
    _finite(item, field_prefix)
    p = parameters(as_of or dt.date.today())

    if item.model_weights is not None:
        wc = classify_weights(item.model_weights, p)
        return Classification(description=f"AI model weights ({item.model_weights.training_operations:.2e} operations)",
                              eccn=wc.eccn, is_weights=True, quantity=item.quantity, indeterminate=wc.indeterminate,
                              trace=wc.trace, warnings=wc.warnings)

    vendor, memory_bw = None, None
    if item.catalog is not None:
        chip = get_chip(item.catalog)
        if chip is None:
            from aidf.people import did_you_mean

            ids = sorted(load_catalog())
            hint = did_you_mean(item.catalog, ids) or f"e.g. {', '.join(ids[:6])}, ..."
            raise InputError(f"{field_prefix}.catalog", f"unknown catalog id {item.catalog!r}; {hint} (see `aidf catalog`)")
        tpp, area = chip.tpp, chip.die_area_mm2
        datacenter = chip.datacenter if item.datacenter is None else item.datacenter
        if item.die_area_mm2 is not None:
            area = _exact(item.die_area_mm2)
        description = f"{chip.vendor} {chip.model}"
        vendor, memory_bw = chip.vendor, chip.memory_bw_tbs
        source = TraceStep(rule="catalog", cite="chips.csv (sources per row)", result=chip.id,
                           why=f"{chip.precision} dense {float(chip.dense_tops):,.1f} x {chip.bit_length} bits = "
                               f"TPP {float(tpp):,.1f}; die area {'n/a' if area is None else f'{float(area):,.1f} mm2'}; "
                               f"market {chip.market}")
    else:
        tpp, source = _stated_tpp(item, p, field_prefix)
        area = None if item.die_area_mm2 is None else _exact(item.die_area_mm2)
        datacenter = item.datacenter
        description = item.description or f"IC with TPP {float(tpp):,.1f}"

    cc = classify_ic(tpp, area, datacenter, p)
    trace = [source] + cc.trace
    eccn, unit_tpp = cc.eccn, tpp
    if item.form == "computer":
        n = item.chips_per_unit or 1
        unit_tpp = tpp * n
        description = f"computer with {n} x {description}"
        if cc.level:
            eccn = f"4A090.{cc.level}"
            trace.append(TraceStep(rule=f"4A090.{cc.level}", cite=str(Entry(eccn)),
                                   result=eccn, why=f"a computer containing ICs that meet 3A090.{cc.level}; "
                                                    f"TPP per unit = {n} x {float(tpp):,.1f}"))
    z = z_paragraph(item.listed_eccn, cc.level, p)
    if z is not None:
        eccn = z.result
        trace.append(z)
    h100 = p.fraction(*H100)
    units = item.quantity or 1  # only an item classified by itself (per unit) lacks one; lines always state it
    cls = Classification(description=description, eccn=eccn, level=cc.level, prongs=list(cc.prongs),
                         datacenter=datacenter,
                         tpp_unit=unit_tpp, tpp_total=unit_tpp * units,
                         performance_density=performance_density(tpp, area), quantity=units,
                         indeterminate=cc.indeterminate, vendor=vendor, trace=trace,
                         chip_tpp=tpp, memory_bw_tbs=memory_bw, listed_eccn=item.listed_eccn)
    if cls.tpp_total is not None and cls.level:
        cls.trace.append(TraceStep(rule="quantity", cite=str(TPP_NOTE), result=f"TPP {float(cls.tpp_total):,.1f}",
                                   why=f"{units} x {float(unit_tpp):,.1f} = {float(cls.tpp_total / h100):,.1f} H100-equivalents"))
    return cls
