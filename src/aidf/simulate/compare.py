"""`aidf compare`: one book under several scenarios, compared; JSON, CSV, xlsx and an HTML report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from aidf.simulate import summary as sm
from aidf.simulate.run import ScenarioRun, replay
from aidf.simulate.scenario import Scenario

CHANGES_IN_JSON = 1000  # per scenario pair; the CSV and xlsx outputs carry every changed order
VERSION = 1


@dataclass
class Comparison:
    book: str
    runs: list[ScenarioRun]
    summary: dict[str, Any]
    changed: dict[str, pl.DataFrame]  # scenario name -> its changed orders against the first scenario


def unique_names(scenarios: list[Scenario]) -> list[Scenario]:
    """Scenarios keyed by name in the outputs: a repeated name gets a suffix."""
    seen: dict[str, int] = {}
    out = []
    for s in scenarios:
        n = seen.get(s.name, 0)
        seen[s.name] = n + 1
        out.append(s if n == 0 else Scenario(f"{s.name}-{n + 1}", s.rules, s.layer, s.arrangements, s.description))
    return out


def h100_tpp() -> float:
    import datetime as dt

    from aidf.rules.classify import H100
    from aidf.rules.parameters import parameters

    return float(parameters(dt.date.today()).fraction(*H100))


def compare(book: str | Path, scenarios: list[Scenario], seed_from: str | None = None,
            runs: list[ScenarioRun] | None = None) -> Comparison:
    """Replay the book under each scenario (or take runs made elsewhere, e.g. on a cluster) and compare
    every scenario with the first."""
    scenarios = unique_names(scenarios)
    runs = runs if runs is not None else [replay(book, s, seed_from) for s in scenarios]
    h100 = h100_tpp()
    base = runs[0]
    changed = {r.scenario.name: sm.changes(base, r) for r in runs[1:]}
    first = base.lines
    doc: dict[str, Any] = {
        "version": VERSION, "book": {"path": Path(book).name, "lines": first.height,
                                      "transactions": first["transaction_id"].n_unique()},
        "h100_tpp": h100, "baseline": base.scenario.name,
        "scenarios": [sm.scenario_summary(r, h100) for r in runs],
        "changes": [{"from": base.scenario.name, "to": name, "changed_orders": df.height,
                     "orders": sm.change_records(df, base.scenario.name, name, CHANGES_IN_JSON)}
                    for name, df in changed.items()],
    }
    doc["changed_orders"] = sum(c["changed_orders"] for c in doc["changes"])
    return Comparison(str(book), runs, doc, changed)


def write_json(c: Comparison, path: Path) -> None:
    path.write_text(json.dumps(c.summary, indent=2, default=str))


def tables(c: Comparison) -> dict[str, pl.DataFrame]:
    """The summary as flat tables (one per CSV file / xlsx sheet)."""
    def rows(key: str, sub: str | None = None) -> pl.DataFrame:
        recs = [{"scenario": s["name"], **r} for s in c.summary["scenarios"]
                for r in (s[key][sub] if sub else s[key])]
        return pl.DataFrame(recs, infer_schema_length=None) if recs else pl.DataFrame()

    out = {"totals_by_outcome": rows("totals", "by_outcome"), "totals_by_route": rows("totals", "by_route"),
           "routes": rows("routes"), "allocations": rows("allocations")}
    changed = [df.with_columns(pl.lit(c.summary["baseline"]).alias("from"), pl.lit(name).alias("to"))
               for name, df in c.changed.items()]
    out["changed_orders"] = pl.concat(changed) if changed else pl.DataFrame()
    return out


def write_csv(c: Comparison, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables(c).items():
        df.write_csv(folder / f"{name}.csv")


def write_xlsx(c: Comparison, path: Path) -> None:
    import xlsxwriter  # noqa: F401  (polars writes Excel through it)

    with xlsxwriter.Workbook(str(path)) as wb:
        for name, df in tables(c).items():
            if df.width:
                df.write_excel(wb, worksheet=name[:31], autofit=True)
