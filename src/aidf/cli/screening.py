"""Restricted-party screening: `aidf lists load|status|clear` and `aidf screen NAME | --file parties.csv`."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from aidf.cli.ledger_args import ActorOpt, LedgerOpt, actor_name, guarded, opened
from aidf.errors import InputError

lists_app = typer.Typer(no_args_is_help=True, help="Restricted-party lists: load versions, show them, clear false positives.")
console = Console()
STATUS_WORDS = {"clear": "clear", "possible_match": "possible match", "match": "match",
                "cleared_by_officer": "cleared by an officer"}


def register(app: typer.Typer) -> None:
    app.add_typer(lists_app, name="lists")
    app.command("screen")(guarded(screen))


@lists_app.command("load")
@guarded
def load(file: Path, ledger: LedgerOpt = None, actor: ActorOpt = None) -> None:
    """Load a list file (CSL CSV or JSON as published, or FollowTheMoney JSON lines) as a new version."""
    from aidf.screening import store
    from aidf.screening.lists import read_list

    entries, digest = read_list(file)
    fmt = {".csv": "csv", ".json": "json"}.get(file.suffix.lower(), "ftm" if file.suffix.lower() in
                                                (".jsonl", ".ndjson", ".ftm") else "auto")
    v = store.load_version(opened(ledger), entries, digest, str(file), fmt, actor=actor_name(actor))
    lists = ", ".join(f"{k} {n:,}" for k, n in v.lists.items())
    console.print(f"loaded list version {v.label}: {v.entry_count:,} entries ({lists}) from {file.name}")


@lists_app.command("status")
@guarded
def status(ledger: LedgerOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False,
           stale_days: Annotated[int | None, typer.Option("--stale-days", min=0,
                                 help="warn when the newest version is older (default from parameters)")] = None) -> None:
    """The list versions loaded, newest first, with their age; warns when the newest is stale."""
    from aidf.ledger.common import to_us
    from aidf.screening import store
    from aidf.screening.settings import settings

    led = opened(ledger)
    now = to_us(dt.datetime.now(dt.UTC))
    found = store.versions(led)
    rows = [v.row() | {"age_days": round((now - v.loaded_us) / 86_400e6, 2)} for v in found]
    limit = stale_days if stale_days is not None else settings().stale_after_days
    warning = None
    if not rows:
        warning = "no list is loaded: decisions are not screened (aidf lists load FILE)"
    elif now - found[0].loaded_us > limit * 86_400_000_000:
        warning = (f"the newest list version is older than {limit} days ({rows[0]['age_days']:.1f} days): "
                   "load a fresh list")
    if as_json:
        typer.echo(json.dumps({"versions": rows, "stale_after_days": limit, "warning": warning}, indent=2))
    else:
        t = Table("version", "loaded", "age (days)", "entries", "lists", "file", "by", title="list versions")
        for r in rows:
            t.add_row(r["version"], r["loaded_at"], f"{r['age_days']:.1f}", f"{r['entries']:,}",
                      ", ".join(f"{k} {n:,}" for k, n in r["lists"].items()), r["file_name"], r["loaded_by"])
        console.print(t)
    if warning:
        typer.echo(f"warning: {warning}", err=True)


@lists_app.command("clear")
@guarded
def clear(party: str, entry: Annotated[str, typer.Option("--entry", help="the list entry id (e.g. EL:abc123)")],
          reason: Annotated[str, typer.Option("--reason", help="why the party is not this entry")],
          country: Annotated[str | None, typer.Option("--country")] = None,
          version: Annotated[int | None, typer.Option("--version", help="list version number (default: newest)")] = None,
          ledger: LedgerOpt = None, actor: ActorOpt = None) -> None:
    """Clear a false positive (officer): PARTY is not ENTRY; holds while the entry stays the same."""
    from aidf.screening import store

    country = _country(country)
    c = store.clear(opened(ledger), party, country, entry, version, reason, actor_name(actor))
    console.print(f"cleared {c['party']!r} against {c['list']} entry {c['entry_name']!r} ({c['entry_id']}) "
                  f"in list version {c['version']}: {c['reason']}")


def _country(country: str | None) -> str | None:
    from aidf.screening.check import country_of

    return country_of(country, "--country")


def screen(name: Annotated[str | None, typer.Argument(help="a name to screen")] = None,
           country: Annotated[str | None, typer.Option("--country", help="ISO country code of the party")] = None,
           file: Annotated[Path | None, typer.Option("--file", help="CSV of parties (columns name, country)")] = None,
           fmt: Annotated[str, typer.Option("--format", help="json | table")] = "table",
           threshold: Annotated[float | None, typer.Option("--threshold", help="review threshold (0-1]; default "
                                                           "from parameters or $AIDF_SCREEN_REVIEW_THRESHOLD")] = None,
           ledger: LedgerOpt = None) -> None:
    """Screen a name (or a file of parties) against the newest list version, with each match explained."""
    from aidf.screening.check import lookup

    if fmt not in ("json", "table"):
        raise InputError("--format", "must be json or table")
    if (name is None) == (file is None):
        raise InputError("name", "give a NAME or --file, not both")
    if threshold is not None and not 0 < threshold <= 1:
        raise InputError("--threshold", "must be a number between 0 and 1")
    led = opened(ledger)
    if file is not None:
        return _screen_file(led, file, fmt, threshold)
    res = lookup(led, name, _country(country), review=threshold)
    if fmt == "json":
        typer.echo(json.dumps(res, indent=2, ensure_ascii=False))
        return
    _print_result(res)


def _print_result(res: dict) -> None:
    forms = f"; legal forms stripped: {', '.join(res['legal_forms'])}" if res["legal_forms"] else ""
    console.print(f"[bold]{res['name']}[/bold] ({res['country'] or 'no country'}): "
                  f"{STATUS_WORDS[res['status']]} — list version {res['list_version']}; folded: {res['normalized']}{forms}")
    for m in res["matches"]:
        state = "cleared by an officer" if m["cleared"] else m["kind"].replace("_", " ")
        console.print(f"  {m['list']} {m['name']!r} ({m['entry_id']}) score {m['score']:.2f}: {state}"
                      f"{'; FR ' + m['federal_register_notice'] if m['federal_register_notice'] else ''}")
        t = Table("feature", "value", "weight", "adds", box=None, padding=(0, 1))
        for k, f in m["features"].items():
            bar = ("█" if f["contribution"] >= 0 else "░") * round(abs(f["contribution"]) * 20)
            t.add_row(k.replace("_", " "), f"{f['value']:.2f}", f"{f['weight']:+.2f}",
                      f"{f['contribution']:+.3f} {bar}")
        console.print(t)


def _screen_file(led, file: Path, fmt: str, threshold: float | None) -> None:
    from rich.progress import track

    from aidf.screening.check import lookup

    try:
        rows = list(csv.DictReader(file.read_text(encoding="utf-8-sig").splitlines()))
    except OSError as e:
        raise InputError("--file", f"cannot read {file}: {e.strerror or e}") from None
    if rows and "name" not in rows[0]:
        raise InputError("--file", "needs a column 'name' (and optionally 'country')")
    parties = []
    for i, r in enumerate(rows, start=2):
        if not (r.get("name") or "").strip():
            raise InputError(f"--file line {i}.name", "empty name")
        try:
            parties.append((r["name"].strip(), _country(r.get("country"))))
        except InputError as e:
            raise InputError(f"--file line {i}.country", e.reason) from None
    seen: dict = {}
    for p in track(parties, description="screening", console=Console(stderr=True), disable=fmt == "json"):
        if p not in seen:  # each distinct party once
            seen[p] = lookup(led, p[0], p[1], review=threshold)
    out = [seen[p] for p in parties]
    if fmt == "json":
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    t = Table("party", "country", "status", "best match", "list", "score", title=f"{len(out):,} parties screened")
    for r in out:
        best = r["matches"][0] if r["matches"] else None
        t.add_row(r["name"], r["country"] or "", STATUS_WORDS[r["status"]], best["name"] if best else "",
                  best["list"] if best else "", f"{best['score']:.2f}" if best else "")
    console.print(t)
