"""Screening in a decision: every party (consignee, end user, purchaser, intermediate consignee) is
screened against the newest list version in the ledger, and each hit has the consequence its list's
provision gives it (entity_list.py, denied_persons.py, sdn.py; a possible match is held for review).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aidf.model import Party, ScreeningMatch, ScreeningResult
from aidf.screening.consequence import Consequence, other_list, possible_match
from aidf.screening.denied_persons import denied_person
from aidf.screening.entity_list import entity_list
from aidf.screening.sdn import sdn
from aidf.screening.settings import Settings, settings

if TYPE_CHECKING:
    # The store (and SQLAlchemy) is loaded only when a ledger is screened against, and the index (the
    # name matchers and their Unicode tables) only when a list is: a decision with no list loaded,
    # a replay's people columns among them, never pays for them.
    from aidf.screening import store
    from aidf.screening.index import Hit, ListIndex

PROVISIONS = {"EL": entity_list, "DPL": denied_person, "SDN": sdn}
OUT_OF_FORCE = None  # a consequence with no outcome: only its warning and trace step
NO_LIST = ("no restricted-party list is loaded in this ledger: the parties were not screened "
           "(load the Consolidated Screening List with `aidf lists load`)")

_INDEXES: OrderedDict[tuple, ListIndex] = OrderedDict()
_LOCK = threading.Lock()


def index_for(ledger: Any, version: store.Version, s: Settings) -> ListIndex:
    """The folded, blocked index of a list version, built once per process."""
    from aidf.screening import store
    from aidf.screening.index import ListIndex

    key = (str(store.base(ledger).engine.url), version.seq, version.file_hash, s.key)
    with _LOCK:
        if key in _INDEXES:
            _INDEXES.move_to_end(key)
            return _INDEXES[key]
    ix = ListIndex(store.entries(ledger, version.seq), s)
    with _LOCK:
        _INDEXES[key] = ix
        while len(_INDEXES) > 4:
            _INDEXES.popitem(last=False)
    return ix


@dataclass
class PartyScreen:
    result: ScreeningResult
    hits: list[tuple[str, Hit]]     # (match | possible_match, hit), not cleared


def kind_of(hit: Hit, s: Settings) -> str:
    """`match`: an exact folded name or alias with an agreeing country, or a score at the match threshold."""
    return "match" if (hit.exact and hit.country_agrees) or hit.score >= s.match else "possible_match"


def screen_party(ledger: Any, version: store.Version, ix: ListIndex, role: str, name: str,
                 country: str | None) -> PartyScreen:
    s = ix.settings
    hits = ix.screen(name, country)
    from aidf.screening import store

    done = store.cleared(ledger, store.party_key(name, country, s)) if hits else {}
    matches, open_hits = [], []
    for h in hits:
        kind = kind_of(h, s)
        is_cleared = h.entry.content_hash in done.get(h.entry.entry_id, ())
        if not is_cleared:
            open_hits.append((kind, h))
        matches.append(_match(h, kind, is_cleared))
    if not hits:
        status = "clear"
    elif not open_hits:
        status = "cleared_by_officer"
    else:
        status = "match" if any(k == "match" for k, _ in open_hits) else "possible_match"
    return PartyScreen(ScreeningResult(party=role, status=status, matches=matches, list_version=version.label),
                       open_hits)


def _match(h: Hit, kind: str, is_cleared: bool) -> ScreeningMatch:
    e = h.entry
    return ScreeningMatch(list=e.list, entry_id=e.entry_id, name=e.name, score=h.score,
                          features=h.features, source=e.source, federal_register_notice=e.federal_register_notice,
                          license_requirement=e.license_requirement, license_policy=e.license_policy,
                          programs=list(e.programs), matched_name=h.matched_name, kind=kind, cleared=is_cleared,
                          countries=list(e.countries))


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def out_of_force(hit: Hit, on: dt.date) -> str | None:
    """Why an entry did not apply on the transaction's date (listed later, or its end date passed)."""
    start, end = _date(hit.entry.start_date), _date(hit.entry.end_date)
    if start is not None and on < start:
        return f"listed on {start}, after the transaction date {on}"
    if end is not None and end < on:
        return f"its listing ended on {end}, before the transaction date {on}"
    return None


def consequence(role: str, kind: str, hit: Hit, on: dt.date, s: Settings) -> Consequence:
    """What an open hit does to the decision, by its list's provision (or a hold for review)."""
    lapsed = out_of_force(hit, on)
    if lapsed:
        return Consequence(OUT_OF_FORCE, "restricted-party screening: entry not in force", "engine: list dates",
                           f"the {role} resembles {hit.entry.list} entry {hit.entry.name!r}, {lapsed}",
                           warning=f"the {role} resembles {hit.entry.list} entry {hit.entry.name!r} "
                                   f"({hit.entry.entry_id}), {lapsed}: not applied")
    if kind == "possible_match":
        return possible_match(role, hit.entry, hit.score, s.review)
    provision = PROVISIONS.get(hit.entry.list)
    return provision(role, hit.entry, on) if provision else other_list(role, hit.entry, hit.score)


def screen_parties(parties: Iterable[tuple[str, Party]], ledger: Any, on: dt.date,
                   s: Settings | None = None) -> tuple[list[ScreeningResult], list[Consequence], str | None]:
    """Screen parties: their results, the consequences of open hits, and a warning when no list is loaded."""
    if ledger is None:  # no ledger, no list: and no database library to load for saying so
        return [], [], NO_LIST
    from aidf.screening import store

    version = store.latest(ledger)
    if version is None:
        return [], [], NO_LIST
    s = s or settings(on)
    ix = index_for(ledger, version, s)
    results, out = [], []
    for role, party in parties:
        ps = screen_party(ledger, version, ix, role, party.name, party.country)
        results.append(ps.result)
        out += [consequence(role, kind, hit, on, s) for kind, hit in ps.hits]
    return results, out, None


def screen_distinct(parties: Iterable[tuple[str, str | None]], ledger: Any,
                    on: dt.date | None = None) -> dict[tuple[str, str | None], ScreeningResult]:
    """Screen each distinct (name, country) once, for replay and bulk files: the same party on many
    lines is one look-up. Empty when no list is loaded."""
    from aidf.screening import store

    version = store.latest(ledger)
    if version is None:
        return {}
    ix = index_for(ledger, version, settings(on))
    out: dict[tuple[str, str | None], ScreeningResult] = {}
    for name, country in parties:
        if (name, country) not in out:
            out[(name, country)] = screen_party(ledger, version, ix, "party", name, country).result
    return out


def lookup(ledger: Any, name: str, country: str | None = None, review: float | None = None,
           on: dt.date | None = None) -> dict[str, Any]:
    """Screen one name for a person to read (CLI, API, dashboard): the folded name, the legal forms
    stripped, the status and every match with its features. Raises InputError when no list is loaded."""
    from aidf.errors import InputError
    from aidf.screening import store
    from aidf.screening.normalize import normalize

    if not isinstance(name, str) or not name.strip():
        raise InputError("name", "give a name to screen")
    if len(name) > 500:
        raise InputError("name", "at most 500 characters")
    country = country_of(country)
    version = store.latest(ledger)
    if version is None:
        raise InputError("list", NO_LIST)
    s = settings(on, review=review)
    ps = screen_party(ledger, version, index_for(ledger, version, s), "party", name.strip(), country)
    n = normalize(name.strip(), s.legal_forms_cjk)
    return {"name": name.strip(), "country": country, "normalized": n.key, "legal_forms": list(n.legal_forms),
            "status": ps.result.status, "list_version": version.label, "review_threshold": s.review,
            "match_threshold": s.match, "matches": [m.model_dump() for m in ps.result.matches]}


def country_of(value: Any, field: str = "country") -> str | None:
    """A party's country as an ISO code (None when not given); a bad code is refused naming `field`."""
    from aidf.errors import InputError
    from aidf.model import check_country

    if value is None or not str(value).strip():
        return None
    try:
        return check_country(value)
    except ValueError as e:
        raise InputError(field, str(e)) from None
