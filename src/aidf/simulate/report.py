"""The self-contained HTML report of a comparison: charts inline as SVG, no external host."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from aidf import people
from aidf.simulate import charts
from aidf.simulate import summary as sm
from aidf.simulate.compare import Comparison

CHANGES_SHOWN = 200


def answer(a: dict[str, Any]) -> str:
    """An order's answer in words: "License required — presumption of denial"."""
    return people.outcome(a.get("outcome"), a.get("authorization"), a.get("review_policy"))


def chart_svgs(c: Comparison) -> dict[str, Any]:
    doc = c.summary
    out: dict[str, Any] = {"routes": Markup(charts.svg(charts.routes_chart(doc))), "burn": [], "maps": []}
    for run, s in zip(c.runs, doc["scenarios"], strict=True):
        if not any(a["used_tpp"] > 0 for a in s["allocations"]):
            out["burn"].append(None)  # no allocation was drawn under this scenario: nothing to chart
            continue
        lines = sm.with_routes(run.lines, doc["h100_tpp"])
        chart = charts.burn_chart(sm.burn(lines), s["allocations"], f"Allocation left — {s['name']}",
                                  lines["date"].min())
        out["burn"].append(Markup(charts.svg(chart)))
    base = charts.authorized_by_country(doc["scenarios"][0])
    for s in doc["scenarios"][1:]:
        other = charts.authorized_by_country(s)
        delta = {k: other.get(k, 0.0) - base.get(k, 0.0) for k in set(base) | set(other)}
        title = f"Authorized compute: {s['name']} minus {doc['baseline']}"
        out["maps"].append(Markup(charts.svg(charts.world_diff_map(delta, title))))
    return out


def _env() -> Environment:
    env = Environment(loader=PackageLoader("aidf.simulate", "templates"), autoescape=select_autoescape())
    env.filters["country"] = people.country_name
    env.filters["num"] = lambda v: "" if v is None else people.number(v, 0)
    env.filters["answer"] = answer
    env.filters["outcome"] = people.outcome
    env.filters["route"] = lambda v: sm.ROUTE_WORDS.get(v, v)
    return env


def render(c: Comparison, name: str = "report.html") -> str:
    """The whole report page, or (`results.html`) its body for the dashboard's /simulate page."""
    return _env().get_template(name).render(doc=c.summary, svgs=chart_svgs(c), shown=CHANGES_SHOWN,
                                            routes=sm.ROUTES, outcomes=list(people.OUTCOMES))


def write(c: Comparison, path: Path) -> None:
    path.write_text(render(c))
