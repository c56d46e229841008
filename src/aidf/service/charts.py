"""Inline SVG charts and the tier map, drawn on the server so the dashboard needs no script library."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from html import escape
from pathlib import Path

STATIC = Path(__file__).parent / "static"
TIER_NAMES = {1: "Tier 1", 2: "Tier 2", 3: "Tier 3"}


@lru_cache(maxsize=1)
def world() -> dict:
    return json.loads((STATIC / "world.json").read_text())


def tier_map(tier_of, names: dict[str, str], link_tier2: bool = True) -> str:
    """The world with each country filled by its tier; Tier 2 countries link to their allocation."""
    w = world()
    parts = [f'<svg class="worldmap" viewBox="0 0 {w["width"]:g} {w["height"]:g}" role="img" '
             f'aria-label="World map of destination tiers">']
    for code, d in sorted(w["shapes"].items()):
        tier = tier_of(code)
        title = escape(f"{names.get(code, code)} ({code}): {TIER_NAMES[tier]}")
        shape = f'<path d="{d}" class="t{tier}" data-iso="{code}"><title>{title}</title></path>'
        if tier == 2 and link_tier2:
            shape = f'<a href="/allocations/{code}">{shape}</a>'
        parts.append(shape)
    parts.append("</svg>")
    return "".join(parts)


def step_chart(points: list[tuple[dt.date, float, float]], limit: float | None, unit: str = "TPP",
               width: int = 640, height: int = 220) -> str:
    """Cumulative used (solid) and of it reserved-or-posted split as two steps, against the limit."""
    if not points:
        return '<p class="muted">No draws yet.</p>'
    pad_l, pad_r, pad_t, pad_b = 70, 12, 12, 28
    x0, x1 = points[0][0], points[-1][0]
    if x1 == x0:
        x1 = x0 + dt.timedelta(days=1)
    top = max(max(p[1] for p in points), limit or 0) * 1.05 or 1.0
    span = (x1 - x0).days

    def x(d: dt.date) -> float:
        return pad_l + (width - pad_l - pad_r) * (d - x0).days / span

    def y(v: float) -> float:
        return pad_t + (height - pad_t - pad_b) * (1 - v / top)

    def steps(idx: int) -> str:
        out, prev = [], 0.0
        for d, *vals in points:
            v = vals[idx]
            out.append(f"L{x(d):.1f},{y(prev):.1f}L{x(d):.1f},{y(v):.1f}")
            prev = v
        return f"M{x(points[0][0]):.1f},{y(0):.1f}" + "".join(out) + f"L{x(x1):.1f},{y(prev):.1f}"

    svg = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="cumulative draws over time">']
    for frac in (0, 0.5, 1):
        v = top / 1.05 * frac
        svg.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>'
                   f'<text x="{pad_l - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{_short(v)}</text>')
    if limit:
        svg.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y(limit):.1f}" y2="{y(limit):.1f}" class="limit"/>'
                   f'<text x="{width - pad_r}" y="{y(limit) - 3:.1f}" text-anchor="end" class="limit">limit {_short(limit)} {unit}</text>')
    svg.append(f'<path d="{steps(0)}" class="used"/><path d="{steps(1)}" class="posted"/>')
    svg.append(f'<text x="{pad_l}" y="{height - 8}">{x0.isoformat()}</text>'
               f'<text x="{width - pad_r}" y="{height - 8}" text-anchor="end">{x1.isoformat()}</text></svg>')
    return "".join(svg)


def bar(used: float, reserved: float, limit: float | None) -> str:
    """A one-line bar: posted, reserved, and what is left of the limit."""
    if not limit:
        return ""
    posted = max(used - reserved, 0)
    a, b = min(posted / limit, 1) * 100, min(reserved / limit, 1) * 100
    return (f'<div class="bar" title="posted {posted:,.0f}, reserved {reserved:,.0f} of {limit:,.0f} TPP">'
            f'<span class="posted" style="width:{a:.2f}%"></span><span class="reserved" style="width:{b:.2f}%"></span></div>')


def _short(v: float) -> str:
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:,.1f}{suffix}"
    return f"{v:,.0f}"
