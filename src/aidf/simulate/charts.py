"""Charts of a comparison, as Vega-Lite (Altair) and Vega specs rendered offline to SVG by vl-convert."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from aidf.simulate import summary as sm

ROUTE_COLOURS = ["#9e9e9e", "#1b5e20", "#2e7d32", "#00695c", "#00838f", "#558b2f", "#7cb342", "#1565c0",
                 "#f9a825", "#c62828"]
WORLD = Path(__file__).resolve().parent.parent / "service" / "static" / "world.json"


def svg(spec: alt.TopLevelMixin | dict) -> str:
    """Render a chart to SVG text, with no network access."""
    import vl_convert as vlc

    if isinstance(spec, dict) and spec.get("$schema", "").endswith("vega/v5.json"):
        return vlc.vega_to_svg(spec)
    return vlc.vegalite_to_svg(spec.to_dict() if not isinstance(spec, dict) else spec)


def routes_chart(doc: dict[str, Any]) -> alt.Chart:
    """Compute by route per scenario, in H100-equivalents (stacked bars)."""
    rows = [{"scenario": s["name"], "route": sm.ROUTE_WORDS[r["route"]], "h100": r["h100_equivalents"]}
            for s in doc["scenarios"] for r in s["totals"]["by_route"]]
    words = [sm.ROUTE_WORDS[r] for r in sm.ROUTES]
    data = alt.Data(values=rows)
    return alt.Chart(data, title="Compute by route (H100-equivalents)").mark_bar().encode(
        x=alt.X("h100:Q", title="H100-equivalents", axis=alt.Axis(format=",.0f")),
        y=alt.Y("scenario:N", title=None, sort=[s["name"] for s in doc["scenarios"]]),
        color=alt.Color("route:N", title="route", scale=alt.Scale(domain=words, range=ROUTE_COLOURS),
                        legend=alt.Legend(orient="bottom", columns=4, labelLimit=260)),
        order=alt.Order("route_order:Q"),
        tooltip=["scenario:N", "route:N", alt.Tooltip("h100:Q", format=",.0f")],
    ).transform_calculate(route_order=f"indexof({json.dumps(words)}, datum.route)").properties(width=640)


def burn_chart(burn: pl.DataFrame, allocations: list[dict[str, Any]], title: str, start, top: int = 8) -> alt.LayerChart:
    """Allocation left per Tier 2 country over time from the book's first date, exhaustion marked."""
    limits = {a["country"]: a["limit_tpp"] for a in allocations}
    used = sorted(allocations, key=lambda a: -a["used_tpp"])[:top]
    keep = [a["country"] for a in used if a["used_tpp"] > 0]
    rows = [{"country": c, "date": start.isoformat(), "left": limits[c]} for c in keep]
    rows += [{"country": c, "date": d.isoformat(), "left": limits[c] - drawn}
             for c, d, _t, drawn in burn.filter(pl.col("destination").is_in(keep)).iter_rows() if c in limits]
    marks = [{"country": a["country"], "date": a["exhausted_on"]} for a in used if a["exhausted_on"]]
    base = alt.Chart(alt.Data(values=rows), title=title)
    lines = base.mark_line(interpolate="step-after").encode(
        x=alt.X("date:T", title=None), y=alt.Y("left:Q", title="allocation left (TPP)", axis=alt.Axis(format="~s")),
        color=alt.Color("country:N", legend=alt.Legend(orient="right")))
    # The exhaustion date: a dashed rule in the country's colour, and a dot where its line meets zero.
    rules = alt.Chart(alt.Data(values=marks)).mark_rule(strokeDash=[4, 3]).encode(
        x="date:T", color=alt.Color("country:N"), tooltip=["country:N", alt.Tooltip("date:T", title="exhausted on")])
    dots = alt.Chart(alt.Data(values=marks)).mark_point(filled=True, size=40).encode(
        x="date:T", y=alt.datum(0), color=alt.Color("country:N"))
    return alt.layer(lines, rules, dots).properties(width=640, height=260)


@lru_cache(maxsize=1)
def _world() -> dict[str, str]:
    return json.loads(WORLD.read_text())


def world_diff_map(delta: dict[str, float], title: str) -> dict[str, Any]:
    """A Vega spec: each country's change in authorized compute between two scenarios (H100-eq)."""
    world = _world()
    values = [{"iso": k, "path": v, "delta": delta.get(k)} for k, v in world["shapes"].items()]
    top = max([abs(v) for v in delta.values() if v] or [1.0])
    return {
        "$schema": "https://vega.github.io/schema/vega/v5.json", "width": world["width"],
        "height": world["height"], "padding": 4,
        "title": {"text": title, "anchor": "start"},
        "data": [{"name": "countries", "values": values}],
        "scales": [{"name": "c", "type": "linear", "domain": [-top, top], "range": {"scheme": "redblue"},
                    "zero": True}],
        "legends": [{"fill": "c", "title": "change (H100-eq)", "format": ",.0f", "orient": "bottom-left"}],
        "marks": [{"type": "path", "from": {"data": "countries"}, "encode": {"enter": {
            "path": {"field": "path"}, "stroke": {"value": "#ffffff"}, "strokeWidth": {"value": 0.3},
            "fill": [{"test": "datum.delta == null", "value": "#e6e6e6"}, {"scale": "c", "field": "delta"}],
            "tooltip": {"signal": "{'country': datum.iso, 'change': format(datum.delta || 0, ',.0f')}"}}}}],
    }


def authorized_by_country(scenario: dict[str, Any]) -> dict[str, float]:
    """H100-equivalents authorized (not under review or denied) per destination."""
    out: dict[str, float] = {}
    for r in scenario["routes"]:
        if r["route"] not in ("under-review", "presumed-denied"):
            out[r["destination"]] = out.get(r["destination"], 0.0) + r["h100_equivalents"]
    return out


def band_chart(bands: list[dict[str, Any]], title: str) -> alt.LayerChart:
    """Ensemble results: median and 5-95 % band per country and scenario."""
    base = alt.Chart(alt.Data(values=bands), title=title)
    y = alt.Y("country:N", title=None)
    band = base.mark_rule(strokeWidth=6, opacity=0.35).encode(
        x=alt.X("p05:Q", title="authorized compute (H100-equivalents)", axis=alt.Axis(format="~s")), x2="p95:Q",
        y=y, color=alt.Color("scenario:N"), yOffset="scenario:N")
    median = base.mark_tick(thickness=2, size=10).encode(x="median:Q", y=y, color="scenario:N", yOffset="scenario:N")
    return alt.layer(band, median).properties(width=640)
