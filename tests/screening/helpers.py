"""The synthetic list fixture (CSL layout, invented names only) and transactions to screen."""

from __future__ import annotations

import csv
from pathlib import Path

from aidf.screening import store
from aidf.screening.lists import read_list

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "csl_fixture.csv"


def load_fixture(ledger, path: Path = FIXTURE, actor: str = "tester") -> store.Version:
    entries, digest = read_list(path)
    return store.load_version(ledger, entries, digest, str(path), "csv", actor=actor)


def edited_fixture(tmp: Path, entry_id: str, **changes: str) -> Path:
    """A copy of the fixture with one entry's fields changed (a later publication of the list)."""
    rows = list(csv.DictReader(FIXTURE.open()))
    for r in rows:
        if r["_id"] == entry_id:
            r.update(changes)
    out = tmp / "csl_edited.csv"
    with out.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out


def tx(name: str, country: str, dest: str | None = None, chip: str = "nvidia-b200", qty: int = 16,
       id: str = "S1", **parties) -> dict:
    return {"id": id, "date": "2025-07-01", "action": "export", "destination": dest or country,
            "items": [{"catalog": chip, "quantity": qty}],
            "parties": {"ultimate_consignee": {"name": name, "country": country, "private_sector": True}} | parties}
