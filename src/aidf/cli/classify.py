"""`aidf classify` and `aidf catalog`: what an accelerator is under 3A090 / 4A090, with the working shown."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import sys
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any

import typer

from aidf.errors import InputError

if TYPE_CHECKING:  # the engine loads only when a command runs, so `aidf --help` stays quick
    from aidf.model import Item
    from aidf.rules.classify import Classification
    from aidf.rules.parameters import Parameters


class Format(StrEnum):
    table = "table"
    json = "json"


class CatalogFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


# ---- input ----------------------------------------------------------------------------------------

def _as_of(date: str | None) -> tuple[dt.date, Parameters]:
    """The as-of date (default today) and the parameters in force on it."""
    from aidf.rules.eccn_3a090 import P as P3A090
    from aidf.rules.parameters import all_values, parameters

    if date is None:
        day = dt.date.today()
    else:
        try:
            day = dt.date.fromisoformat(date.strip())
        except ValueError:
            raise InputError("--date", f"must be a date as YYYY-MM-DD (got {date!r})") from None
    p = parameters(day)
    if not p.has(P3A090, "a1_tpp_min"):
        first = all_values()[P3A090]["a1_tpp_min"][0]
        raise InputError("--date", f"{day} is before the first parameters of the rule ({first.since}, when "
                         "the 3A090 TPP / density test took effect); give that date or a later one")
    return day, p


def _positive(value: float | None, field_name: str) -> None:
    if value is not None and not (value > 0 and math.isfinite(value)):
        raise InputError(field_name, f"must be a finite number > 0 (got {value:g})")


def _precisions(p: Parameters) -> str:
    from aidf.rules.eccn_3a090 import P as P3A090

    return ", ".join(sorted(p.get(P3A090, "precision_bits")))


def _parse_peaks(raw: list[str], p: Parameters) -> dict[str, float]:
    """`--peak fp8=1978.9` (repeatable) into {precision: dense TOPS}, refusing unknown names and bad numbers."""
    peaks: dict[str, float] = {}
    for text in raw:
        name, sep, number = text.partition("=")
        name = name.strip().lower()
        if not sep or not name or not number.strip():
            raise InputError("--peak", f"must be PRECISION=DENSE_TOPS such as fp8=1978.9 (got {text!r}); "
                             f"precisions: {_precisions(p)}")
        try:
            value = float(number)
        except ValueError:
            raise InputError(f"--peak {name}", f"{number.strip()!r} is not a number (dense TOPS / TFLOPS)") from None
        if not (value > 0 and math.isfinite(value)):
            raise InputError(f"--peak {name}", f"must be a finite number > 0 (got {number.strip()})")
        if name in peaks:
            raise InputError(f"--peak {name}", "given twice")
        peaks[name] = value
    from aidf.rules.eccn_3a090 import tpp_from_peaks

    tpp_from_peaks(peaks, p, "--peak")  # refuses unknown precisions and sparse figures, naming the allowed ones
    return peaks


def _unknown_chip(chip_id: str) -> InputError:
    from aidf.catalog import load_catalog
    from aidf.people import did_you_mean

    ids = sorted(load_catalog())
    hint = (did_you_mean(chip_id, ids) or f"e.g. {', '.join(ids[:4])}, ...") + " "
    return InputError("CHIP_ID", f"unknown catalog id {chip_id!r}; {hint}(`aidf catalog` lists all {len(ids)})")


def _item(chip_id: str | None, tpp: float | None, peaks: list[str], die_area: float | None,
          datacenter: bool | None, computer: int | None, quantity: int, p: Parameters) -> Item:
    from pydantic import ValidationError

    from aidf.catalog import get_chip
    from aidf.model import Item

    has_figures = tpp is not None or bool(peaks)
    if chip_id is not None and has_figures:
        raise InputError("CHIP_ID", "give a catalog id or chip figures (--tpp / --peak), not both")
    if chip_id is None and not has_figures:
        raise InputError("CHIP_ID", "give a catalog id (see `aidf catalog`) or chip figures: --tpp N or "
                         "--peak PRECISION=TOPS (repeatable)")
    if tpp is not None and peaks:
        raise InputError("--tpp", "give --tpp or --peak, not both")
    _positive(tpp, "--tpp")
    _positive(die_area, "--die-area")
    if computer is not None and computer < 1:
        raise InputError("--computer", f"the number of chips per computer must be >= 1 (got {computer})")
    if quantity < 1:
        raise InputError("--quantity", f"must be >= 1 (got {quantity})")
    fields: dict[str, Any] = {"quantity": quantity, "die_area_mm2": die_area, "datacenter": datacenter}
    if chip_id is not None:
        if get_chip(chip_id) is None:
            raise _unknown_chip(chip_id)
        fields["catalog"] = chip_id
    elif tpp is not None:
        fields["tpp"] = tpp
    else:
        fields["peak_dense"] = _parse_peaks(peaks, p)
    if computer is not None:
        fields.update(form="computer", chips_per_unit=computer)
    try:
        return Item.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "item"
        raise InputError(where, err["msg"]) from None


# ---- output ---------------------------------------------------------------------------------------

def label(c: Classification) -> str:
    """One word for the class: the ECCN, 'indeterminate (missing ...)', or 'not 3A090' / 'not 4E091'."""
    if c.eccn:
        return c.eccn
    if c.indeterminate:
        return f"indeterminate (missing {c.indeterminate})"
    return "not 4E091" if c.is_weights else "not 3A090"


def _h100(c: Classification, p: Parameters) -> Fraction | None:
    from aidf.rules.classify import H100

    return None if c.tpp_total is None else c.tpp_total / p.fraction(*H100)


def as_json(c: Classification, day: dt.date, p: Parameters) -> dict[str, Any]:
    out = c.summary()
    h100 = _h100(c, p)
    out.update(classification=label(c), quantity=c.quantity, vendor=c.vendor, as_of=day.isoformat(),
               h100_equivalents=None if h100 is None else round(float(h100), 4))
    return out


def _num(v: Fraction | None, digits: int = 1) -> str:
    from aidf.people import number

    return "n/a" if v is None else number(v, digits)


def _print_table(c: Classification, day: dt.date, p: Parameters) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=False)
    head = Table(title=c.description, show_header=False, title_justify="left")
    head.add_column("field", style="bold")
    head.add_column("value")
    head.add_row("ECCN", label(c))
    head.add_row("prongs", ", ".join(c.prongs) or "-")
    if c.tpp_unit is not None:
        head.add_row("TPP per unit", _num(c.tpp_unit))
        head.add_row(f"TPP total (x {c.quantity})", _num(c.tpp_total))
        head.add_row("performance density", _num(c.performance_density, 4))
        head.add_row("H100-equivalents", _num(_h100(c, p), 2))
        head.add_row("datacenter", {True: "yes", False: "no", None: "unknown"}[c.datacenter])
    head.add_row("as of", day.isoformat())
    console.print(head)
    trace = Table(title="trace", title_justify="left")
    for col in ("rule", "cite", "result", "why"):
        trace.add_column(col, overflow="fold")
    for t in c.trace:
        trace.add_row(t.rule, t.cite, t.result, t.why)
    console.print(trace)
    for w in c.warnings:
        console.print(f"warning: {w}")


def _fail(e: InputError) -> typer.Exit:
    typer.echo(f"error: {e}", err=True)
    return typer.Exit(2)


# ---- commands -------------------------------------------------------------------------------------

def classify(
    chip_id: Annotated[str | None, typer.Argument(metavar="CHIP_ID", show_default=False,
                                                  help="catalog id, e.g. nvidia-h100-sxm5 (see `aidf catalog`)")] = None,
    tpp: Annotated[float | None, typer.Option("--tpp", help="total processing performance of one chip")] = None,
    peak: Annotated[list[str] | None, typer.Option("--peak", metavar="PRECISION=TOPS",
                                                   help="dense datasheet peak, repeatable: --peak fp8=1978.9")] = None,
    die_area: Annotated[float | None, typer.Option("--die-area", help="applicable (logic) die area, mm2")] = None,
    datacenter: Annotated[bool | None, typer.Option("--datacenter/--no-datacenter", show_default=False,
                                                    help="designed or marketed for datacenters (default: "
                                                         "catalog's market, else unknown)")] = None,
    computer: Annotated[int | None, typer.Option("--computer", metavar="N",
                                                 help="a computer carrying N such chips (4A090)")] = None,
    quantity: Annotated[int, typer.Option("--quantity", "-q", help="units (chips or computers)")] = 1,
    date: Annotated[str | None, typer.Option("--date", metavar="YYYY-MM-DD",
                                             help="as-of date for the parameters [default: today]")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="output format")] = Format.table,
) -> None:
    """Classify a chip (catalog id or figures) or a computer carrying it: ECCN, TPP, density, and why."""
    from aidf.rules.classify import classify_item

    try:
        day, p = _as_of(date)
        item = _item(chip_id, tpp, peak or [], die_area, datacenter, computer, quantity, p)
        c = classify_item(item, as_of=day, field_prefix="item")
    except InputError as e:
        raise _fail(e) from None
    if fmt is Format.json:
        typer.echo(json.dumps(as_json(c, day, p), indent=2))
    else:
        _print_table(c, day, p)


def catalog_rows(day: dt.date) -> list[dict[str, Any]]:
    """Every catalog chip with its computed classification beside the class recorded in chips.csv."""
    from aidf.catalog import load_catalog
    from aidf.rules.classify import classify_item

    rows = []
    for chip in load_catalog().values():
        c = classify_item({"catalog": chip.id}, as_of=day)
        computed = label(c)
        rows.append({"id": chip.id, "vendor": chip.vendor, "model": chip.model, "market": chip.market,
                     "tpp": float(chip.tpp),
                     "die_area_mm2": None if chip.die_area_mm2 is None else float(chip.die_area_mm2),
                     "performance_density": None if c.performance_density is None
                     else round(float(c.performance_density), 4),
                     "classification": computed, "prongs": " ".join(c.prongs),
                     "recorded_class": chip.recorded_class, "agrees": computed == chip.recorded_class})
    return rows


def catalog(
    fmt: Annotated[CatalogFormat, typer.Option("--format", help="output format")] = CatalogFormat.table,
    date: Annotated[str | None, typer.Option("--date", metavar="YYYY-MM-DD",
                                             help="as-of date for the parameters [default: today]")] = None,
) -> None:
    """List the built-in accelerator catalog with each chip's computed class and the class recorded in it."""
    try:
        day, _ = _as_of(date)
    except InputError as e:
        raise _fail(e) from None
    rows = catalog_rows(day)
    if fmt is CatalogFormat.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if fmt is CatalogFormat.csv:
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if v is None else v for k, v in r.items()})
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"accelerator catalog, classified as of {day}", title_justify="left")
    for col, justify in (("id", "left"), ("market", "left"), ("TPP", "right"), ("die mm2", "right"),
                         ("PD", "right"), ("computed", "left"), ("prongs", "left"), ("recorded", "left")):
        t.add_column(col, justify=justify, no_wrap=col in ("id", "TPP"))  # type: ignore[arg-type]
    for r in rows:
        mark = "" if r["agrees"] else " (differs)"
        t.add_row(r["id"], r["market"], f"{r['tpp']:,.1f}",
                  "n/a" if r["die_area_mm2"] is None else f"{r['die_area_mm2']:,.1f}",
                  "n/a" if r["performance_density"] is None else f"{r['performance_density']:.3f}",
                  r["classification"] + mark, r["prongs"], r["recorded_class"])
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # piped: wide enough that ids are never cut
    console.print(t)


def register(app: typer.Typer) -> None:
    """Add the classification commands to the main app."""
    app.command("classify")(classify)
    app.command("catalog")(catalog)
