"""`aidf rules [PATH]`: the rule sets, or one parameter file's dated values formatted for people."""

from __future__ import annotations

import json
from enum import StrEnum

import typer

from aidf.errors import InputError


class Format(StrEnum):
    json = "json"
    table = "table"


def _rulesets(on, fmt: Format) -> None:
    from aidf.cli.common import console, table
    from aidf.rules.ruleset import RULESETS, TIMELINES, resolve

    rows = []
    for r in RULESETS.values():
        status, in_force, enforced, _ = r.status(on)
        rows.append({"id": r.id, "title": r.title, "status": status, "in_force": in_force, "enforced": enforced})
    for name in TIMELINES:  # a timeline names the set in force on the date
        ref, _ = resolve(name, on).ref(on)
        rows.append({"id": name, "title": f"timeline: applies {ref.id} on {on}", "status": ref.status,
                     "in_force": ref.in_force, "enforced": ref.enforced})
    if fmt == Format.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    t = table("id", "title", "status", title=f"Rule sets on {on}")
    for row in rows:
        t.add_row(row["id"], row["title"], row["status"])
    console().print(t)


def _values(path: str, on) -> list[dict]:
    from aidf.people import did_you_mean
    from aidf.rules.parameters import all_values

    files = all_values()
    if path not in files:
        hint = did_you_mean(path, files) or f"known: {', '.join(sorted(files))}"
        raise InputError("PATH", f"unknown parameter file {path!r}; {hint}")
    rows = []
    for name, hist in files[path].items():
        current = max((x for x in hist if x.since <= on), key=lambda x: x.since, default=None)
        rows += [{"name": name, "since": str(e.since), "value": e.value, "unit": e.unit, "cite": e.cite,
                  "status": e.status, "in_force": e is current} for e in hist]
    return rows


def rules(
    path: str = typer.Argument(None, help="a parameter file, e.g. part740/lpp; none lists the rule sets"),
    date: str = typer.Option(None, "--date", help="as-of date for the values (default today)"),
    format: Format = typer.Option(Format.table, "--format"),
) -> None:
    """List the rule sets, or a parameter file's values with their dates and citations."""
    import datetime as dt

    try:
        on = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise InputError("--date", f"must be a date as YYYY-MM-DD (got {date!r})") from None
    if path is None:
        return _rulesets(on, format)
    rows = _values(path, on)
    if format == Format.json:
        typer.echo(json.dumps([{k: v for k, v in r.items() if k != "unit"} for r in rows], indent=2, default=str))
        return
    from aidf import people
    from aidf.cli.common import console, table

    t = table("name", "since", "value", "status", "citation", title=f"{path} (values in force on {on} marked *)")
    for r in rows:
        t.add_row(("* " if r["in_force"] else "  ") + r["name"], r["since"],
                  people.parameter_value(r["value"], r["unit"]), r["status"], r["cite"])
    console().print(t)


def register(app: typer.Typer) -> None:
    app.command("rules")(rules)
