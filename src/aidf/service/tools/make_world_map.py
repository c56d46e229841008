"""Generate static/world.json (ISO alpha-2 -> SVG path) from a Natural Earth TopoJSON file.

The dashboard colours countries by tier without any network access, so the shapes ship with the
package. Source: the `world-atlas` package (Natural Earth, public domain; TopoJSON by M. Bostock,
ISC). Run once when the map should change:

    python -m aidf.service.tools.make_world_map countries-50m.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parent.parent / "static" / "world.json"
WIDTH, TOP, BOTTOM = 1000.0, 84.0, -58.0  # drop Antarctica; equirectangular
SCALE = WIDTH / 360.0
EPS = 0.6  # pixels
EXTRA = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Undo TopoJSON delta encoding and quantization: arcs as lon/lat points."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring(arcs: list, idx: list[int]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in idx:
        seg = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(seg if not pts else seg[1:])
    return pts


def project(lon: float, lat: float) -> tuple[float, float]:
    lat = max(BOTTOM, min(TOP, lat))
    return round((lon + 180) * SCALE, 1), round((TOP - lat) * SCALE, 1)


def simplify(pts: list[tuple[float, float]], eps: float = EPS) -> list[tuple[float, float]]:
    """Ramer-Douglas-Peucker: drop points closer than `eps` pixels to the line they sit on."""
    if len(pts) < 4:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = pts[a], pts[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5 or 1e-9
        best, idx = 0.0, -1
        for i in range(a + 1, b):
            px, py = pts[i]
            dist = abs(dy * (px - ax) - dx * (py - ay)) / norm if (dx or dy) else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if dist > best:
                best, idx = dist, i
        if best > eps:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(pts, keep, strict=True) if k]


def unwrap(r: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Rings that cross the antimeridian (Russia, Fiji) continue east past 180 instead of jumping back."""
    if all(abs(a[0] - b[0]) < 180 for a, b in zip(r, r[1:], strict=False)):
        return r
    return [(lon + 360 if lon < 0 else lon, lat) for lon, lat in r]


def path_of(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for r in map(unwrap, rings):
        pts, last = [], None
        for lon, lat in r:
            p = project(lon, lat)
            if p != last:
                pts.append(p)
                last = p
        pts = simplify(pts)
        if len(pts) < 3:
            continue
        parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in pts) + "Z")
    return "".join(parts)


def iso2(geom: dict) -> str | None:
    name = geom.get("properties", {}).get("name", "")
    if name in EXTRA:
        return EXTRA[name]
    c = pycountry.countries.get(numeric=str(geom.get("id", "")).zfill(3))
    return c.alpha_2 if c else None


def build(src: Path) -> dict:
    topo = json.loads(src.read_text())
    arcs = decode_arcs(topo)
    shapes: dict[str, str] = {}
    for g in topo["objects"]["countries"]["geometries"]:
        code = iso2(g)
        if code is None or code == "AQ" or g.get("arcs") is None:
            continue
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        d = path_of([ring(arcs, r) for poly in polys for r in poly])
        if d:
            shapes[code] = shapes.get(code, "") + d
    return {"width": WIDTH, "height": round((TOP - BOTTOM) * SCALE, 1),
            "source": "Natural Earth (public domain) via world-atlas", "shapes": shapes}


def main(argv: list[str]) -> None:
    data = build(Path(argv[0]))
    OUT.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True))
    print(f"{len(data['shapes'])} countries -> {OUT.name} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(sys.argv[1:])
