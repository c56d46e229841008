"""Readers for the published lists: the US Consolidated Screening List (CSV and JSON, as data.trade.gov
publishes them) and OpenSanctions FollowTheMoney JSON lines.

CSL fields used: `_id`/`id`, `source`, `entity_number`, `type`, `programs`, `name`, `alt_names`,
`addresses` (each with a country), `federal_register_notice`, `start_date`, `end_date`,
`license_requirement`, `license_policy`, `source_list_url`. In the CSV, lists within a cell are
separated by semicolons and an address is `street, city, state, postal code, country`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pycountry

from aidf.errors import InputError
from aidf.model import ISO2

# The list code in the CSL `source`, e.g. "Entity List (EL) - Bureau of Industry and Security".
_CODE = re.compile(r"\(([A-Z][A-Z0-9-]{1,9})\)")
NAMED_SOURCES = {"entity list": "EL", "denied persons": "DPL", "specially designated nationals": "SDN",
                 "unverified list": "UVL", "military end user": "MEU"}
# FollowTheMoney datasets that are one of the CSL's lists.
FTM_DATASETS = {"us_ofac_sdn": "SDN", "us_bis_denied": "DPL", "us_trade_csl": "CSL"}
FTM_TYPES = {"Person": "Individual", "Company": "Entity", "Organization": "Entity", "LegalEntity": "Entity",
             "Vessel": "Vessel", "Airplane": "Aircraft"}


@dataclass(frozen=True)
class Entry:
    """One list entry, as the list states it."""

    entry_id: str
    list: str
    name: str
    alt_names: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    type: str | None = None
    programs: tuple[str, ...] = ()
    source: str | None = None
    entity_number: str | None = None
    federal_register_notice: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    license_requirement: str | None = None
    license_policy: str | None = None
    source_list_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @property
    def content_hash(self) -> str:
        """Hash of what the entry says: a clearance holds while this stays the same."""
        from aidf.ledger.common import canonical, sha256  # the ledger's hash, loaded with the first list

        return sha256(canonical(self.as_dict()))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entry:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k != "extra"})


def list_code(source: str) -> str:
    m = _CODE.search(source or "")
    if m:
        return m.group(1)
    low = (source or "").lower()
    for words, code in NAMED_SOURCES.items():
        if words in low:
            return code
    return (source or "OTHER").strip().upper()[:20] or "OTHER"


def country_code(text: Any) -> str | None:
    """An ISO code from a code or a country name (the CSV writes either)."""
    if not isinstance(text, str) or not text.strip():
        return None
    t = text.strip()
    if t.upper() in ISO2:
        return t.upper()
    try:
        return pycountry.countries.lookup(t).alpha_2
    except LookupError:
        return None


def _split(cell: Any) -> tuple[str, ...]:
    if isinstance(cell, list):
        return tuple(str(x).strip() for x in cell if str(x).strip())
    if not isinstance(cell, str):
        return ()
    return tuple(p.strip() for p in cell.split(";") if p.strip())


def _addr_countries(addresses: Any) -> tuple[str, ...]:
    out: list[str] = []
    if isinstance(addresses, list):
        cells = [a.get("country") for a in addresses if isinstance(a, dict)]
    else:
        cells = [a.rsplit(",", 1)[-1] for a in _split(addresses)]
    for c in cells:
        code = country_code(c)
        if code and code not in out:
            out.append(code)
    return tuple(out)


def _text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def csl_entry(row: dict[str, Any], where: str) -> Entry:
    """One CSL record (a CSV row or a JSON result) as an Entry."""
    name = _text(row.get("name"))
    if not name:
        raise InputError(f"{where}.name", "a list entry needs a name")
    source = _text(row.get("source")) or ""
    code = list_code(source)
    number = _text(row.get("entity_number"))
    rid = _text(row.get("_id")) or _text(row.get("id"))
    if not rid:
        rid = number or hashlib.sha256(name.encode()).hexdigest()[:16]
    countries = _addr_countries(row.get("addresses"))
    for key in ("nationalities", "citizenships"):
        countries += tuple(c for c in map(country_code, _split(row.get(key))) if c and c not in countries)
    return Entry(entry_id=f"{code}:{rid}", list=code, name=name, alt_names=_split(row.get("alt_names")),
                 countries=countries, type=_text(row.get("type")), programs=_split(row.get("programs")),
                 source=source or None, entity_number=number,
                 federal_register_notice=_text(row.get("federal_register_notice")),
                 start_date=_text(row.get("start_date")), end_date=_text(row.get("end_date")),
                 license_requirement=_text(row.get("license_requirement")),
                 license_policy=_text(row.get("license_policy")),
                 source_list_url=_text(row.get("source_list_url")))


def read_csl_csv(text: str) -> Iterator[Entry]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "name" not in reader.fieldnames or "source" not in reader.fieldnames:
        raise InputError("file", "not a Consolidated Screening List CSV (needs columns 'source' and 'name')")
    for i, row in enumerate(reader, start=2):
        yield csl_entry(row, f"line {i}")


def read_csl_json(doc: Any) -> Iterator[Entry]:
    rows = doc.get("results") if isinstance(doc, dict) else doc
    if not isinstance(rows, list):
        raise InputError("file", "not a Consolidated Screening List JSON (needs a 'results' list)")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise InputError(f"results[{i}]", "each result must be an object")
        yield csl_entry(row, f"results[{i}]")


def ftm_entry(obj: dict[str, Any], where: str) -> Entry | None:
    """A FollowTheMoney entity (OpenSanctions) as an Entry; non-party schemata are skipped."""
    schema = obj.get("schema")
    if schema not in FTM_TYPES:
        return None
    props = obj.get("properties") or {}
    names = _split(props.get("name"))
    if not names or not obj.get("id"):
        raise InputError(f"{where}", "a FollowTheMoney entity needs an id and a name")
    datasets = [d for d in obj.get("datasets") or [] if isinstance(d, str)]
    code = next((FTM_DATASETS[d] for d in datasets if d in FTM_DATASETS), (datasets or ["FTM"])[0].upper())
    countries = tuple(dict.fromkeys(c for c in map(country_code, _split(props.get("country"))
                                                   + _split(props.get("nationality"))) if c))
    return Entry(entry_id=f"{code}:{obj['id']}", list=code, name=names[0],
                 alt_names=names[1:] + _split(props.get("alias")) + _split(props.get("weakAlias")),
                 countries=countries, type=FTM_TYPES[schema], programs=_split(props.get("programId")),
                 source=", ".join(datasets) or None, entity_number=str(obj["id"]),
                 start_date=_text((props.get("createdAt") or [None])[0]) if props.get("createdAt") else None)


def read_ftm(text: str) -> Iterator[Entry]:
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise InputError(f"line {i}", f"not JSON: {e}") from None
        entry = ftm_entry(obj, f"line {i}") if isinstance(obj, dict) else None
        if entry is not None:
            yield entry


def read_list(path: str | Path) -> tuple[list[Entry], str]:
    """Read a list file (format from its content); returns the entries and the file's SHA-256."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputError("file", f"cannot read {path}: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("file", f"{path} is not UTF-8 text") from None
    return parse_list(text), hashlib.sha256(raw).hexdigest()


def parse_list(text: str) -> list[Entry]:
    head = text.lstrip()[:1]
    if head in ("{", "["):
        first = text.lstrip().splitlines()[0]
        if head == "{" and '"schema"' in first and first.rstrip().endswith("}"):
            entries: Iterable[Entry] = read_ftm(text)
        else:
            try:
                doc = json.loads(text)
            except ValueError as e:
                raise InputError("file", f"not valid JSON: {e}") from None
            entries = read_csl_json(doc)
    else:
        entries = read_csl_csv(text)
    out = _unique(entries)
    if not out:
        raise InputError("file", "the list has no entries")
    return out


def _unique(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per id: a repeated id with other content gets a numbered id (the CSL repeats a few)."""
    seen: dict[str, Entry] = {}
    for e in entries:
        if e.entry_id in seen:
            if seen[e.entry_id] == e:
                continue
            n = 2
            while f"{e.entry_id}#{n}" in seen:
                n += 1
            e = Entry(**{**e.__dict__, "entry_id": f"{e.entry_id}#{n}"})
        seen[e.entry_id] = e
    return list(seen.values())
