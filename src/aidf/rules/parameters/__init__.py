"""Dated parameters of the rule, as YAML files in folders that mirror 15 CFR.

Each value has a history of entries `{since, value, cite, status}`; the entry in force on a date
is the latest whose `since` is on or before it. A file whose entries lack a citation or status is
refused, so no number enters the engine without its source.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import threading
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from aidf.rules.parameters import overlay  # imports nothing of this package: read on every lookup

ROOT = Path(__file__).parent
STATUSES = {"primary", "secondary", "uncertain", "unverified"}
# The safe loader, in C where libyaml is built in (the same documents, ten times faster to start).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A reform's value (policy simulation) carries this status: never a reading of the law in force.
SCENARIO = "scenario"


class ParameterFileError(ValueError):
    pass


@dataclass(frozen=True)
class ParamValue:
    path: str
    name: str
    value: Any
    since: dt.date
    cite: str
    status: str
    description: str
    unit: str

    @property
    def uncertain(self) -> bool:
        return self.status in ("uncertain", "unverified")


def _as_date(v: Any, where: str) -> dt.date:
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError as e:
        raise ParameterFileError(f"{where}: 'since' must be an ISO date, got {v!r}") from e


def _check_value(unit: str, value: Any, where: str) -> None:
    """Country codes must be ISO strings: YAML reads a bare NO (Norway) as false, so it is refused here."""
    if unit == "iso2_list":
        if not isinstance(value, list):
            raise ParameterFileError(f"{where}: an iso2_list value must be a list of codes, got {value!r}")
        codes = value
    elif unit == "iso3166_2_list":
        from aidf.model import ISO_REGIONS

        bad = [r for r in value if r not in ISO_REGIONS] if isinstance(value, list) else [value]
        if bad:
            raise ParameterFileError(f"{where}: {bad!r} are not ISO 3166-2 region codes")
        return
    elif unit == "iso2_map":
        if not isinstance(value, dict):
            raise ParameterFileError(f"{where}: an iso2_map value must map codes to codes, got {value!r}")
        codes = [*value.keys(), *value.values()]
    else:
        return
    from aidf.model import ISO2

    for code in codes:
        if not isinstance(code, str) or (code not in ISO2):
            raise ParameterFileError(f"{where}: {code!r} is not an ISO 3166-1 alpha-2 code (quote NO)")


_LOADING = threading.Lock()


def _files(root: Path | None = None) -> dict[str, dict[str, list[ParamValue]]]:
    """Every parameter file under `root` (default: the packaged parameters), loaded once: threads
    that ask while it loads wait for that load instead of each reading the files again."""
    try:
        return _loaded[root]
    except KeyError:
        pass
    with _LOADING:
        if root not in _loaded:
            if len(_loaded) >= 8:
                _loaded.clear()
            _loaded[root] = _load(root)
        return _loaded[root]


_loaded: dict[Path | None, dict[str, dict[str, list[ParamValue]]]] = {}
_files.cache_clear = _loaded.clear


def _load(root: Path | None) -> dict[str, dict[str, list[ParamValue]]]:
    """Load and check every parameter file under `root`."""
    root = ROOT if root is None else Path(root)
    out: dict[str, dict[str, list[ParamValue]]] = {}
    for file in sorted(root.rglob("*.yaml")):
        path = file.relative_to(root).with_suffix("").as_posix()
        doc = yaml.load(file.read_text(), Loader=_LOADER)
        if not isinstance(doc, dict) or not isinstance(doc.get("values"), dict):
            raise ParameterFileError(f"{path}: needs a 'values' mapping")
        values: dict[str, list[ParamValue]] = {}
        for name, spec in doc["values"].items():
            where = f"{path}:{name}"
            history = spec.get("history") if isinstance(spec, dict) else None
            if not history:
                raise ParameterFileError(f"{where}: needs a non-empty 'history'")
            if not isinstance(history, list):
                raise ParameterFileError(f"{where}: 'history' must be a list of entries")
            entries = []
            for h in history:
                if not isinstance(h, dict):
                    raise ParameterFileError(f"{where}: each history entry must be a mapping")
                for key in ("since", "value", "cite", "status"):
                    if key not in h:
                        raise ParameterFileError(f"{where}: an entry lacks '{key}'")
                if not str(h["cite"]).strip():
                    raise ParameterFileError(f"{where}: empty citation")
                if h["status"] not in STATUSES:
                    raise ParameterFileError(f"{where}: status must be one of {sorted(STATUSES)}")
                _check_value(spec.get("unit", ""), [] if h["value"] is None else h["value"], where)
                entries.append(ParamValue(path, name, h["value"], _as_date(h["since"], where), str(h["cite"]),
                                          h["status"], spec.get("description", ""), spec.get("unit", "")))
            entries.sort(key=lambda e: e.since)
            values[name] = entries
        out[path] = values
    return out


_files.layer_independent = True  # the shipped files: a scenario's layer applies over them, per lookup


class Parameters:
    """The parameters in force on one date."""

    def __init__(self, as_of: dt.date, root: Path | None = None, layer=None, epoch: tuple[int, dict] | None = None):
        self.as_of = as_of
        self.root = root
        self.layer = layer  # a scenario's overrides (None: the parameters as shipped)
        # Dates on which the same entries are in force share one epoch: its number and its memo.
        self.epoch, self._memo = epoch if epoch is not None else (-1, {})

    def memo(self, key: Any, compute):
        """Values derived from this date's parameters, computed once (parameters never change in a run)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    def entry(self, path: str, name: str) -> ParamValue:
        key = ("entry", path, name)  # memo() inlined: every rule reads parameters, many times per decision
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = self._entry(path, name)
            return value

    def _entry(self, path: str, name: str) -> ParamValue:
        try:
            history = _files(self.root)[path][name]
            if self.layer is not None:
                history = self.layer.history(path, name, history)
        except KeyError as e:
            raise KeyError(f"no parameter {path}:{name}") from e
        live = [e for e in history if e.since <= self.as_of]
        if not live:
            raise LookupError(f"parameter {path}:{name} has no value on {self.as_of} (first from {history[0].since})")
        return live[-1]

    def has(self, path: str, name: str) -> bool:
        try:
            self.entry(path, name)
            return True
        except LookupError:
            return False

    def get(self, path: str, name: str) -> Any:
        return self.entry(path, name).value

    def fraction(self, path: str, name: str) -> Fraction:
        """A number, exactly: ints and decimal strings become Fractions (never binary floats)."""
        key = ("fraction", path, name)
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = Fraction(Decimal(str(self.get(path, name))))
            return value

    def countries(self, path: str, name: str) -> frozenset[str]:
        return self.memo(("countries", path, name), lambda: frozenset(self.get(path, name)))


def parameters(as_of: dt.date, root: Path | None = None) -> Parameters:
    """The parameters in force on `as_of`; `root` points at another parameter tree (tests, drafts).

    While a scenario's overrides are active (`aidf.rules.parameters.overlay`), they are read too."""
    return _parameters(as_of, root, overlay.active())


@lru_cache(maxsize=4096)
def _parameters(as_of: dt.date, root: Path | None, layer) -> Parameters:
    return Parameters(as_of, root, layer, _epoch(as_of, root, layer))


_EPOCHS: dict[tuple, tuple[int, dict]] = {}
# Per parameter tree (no scenario): its files, every entry's start date sorted, epochs by bisection.
_STARTS: dict[Path | None, tuple[dict, list[dt.date], dict[int, tuple[int, dict]]]] = {}
_NUMBERS = itertools.count()  # never reused, so a cache keyed by epoch number cannot mistake one for another


def _epoch(as_of: dt.date, root: Path | None, layer) -> tuple[int, dict]:
    """The epoch of `as_of`: which entry of every history is in force then. Values derived from the
    parameters (the memo) are the same on every date of an epoch, so an order book spread over many
    dates derives them once per epoch, not once per date."""
    files = _files(root)
    if layer is not None:
        return _by_signature(as_of, root, layer, files)
    # Without a scenario, dates with as many entry dates on or before them share the signature: the
    # epoch is found by a bisection, and each signature is counted once, not once per date.
    starts = _STARTS.get(root)
    if starts is None or starts[0] is not files:
        if len(_STARTS) >= 8:
            _STARTS.clear()
        since = sorted({e.since for values in files.values() for history in values.values() for e in history})
        starts = _STARTS[root] = (files, since, {})
    at = bisect.bisect_right(starts[1], as_of)
    found = starts[2].get(at)
    if found is None:
        found = starts[2][at] = _by_signature(as_of, root, layer, files)
    return found


def _by_signature(as_of: dt.date, root: Path | None, layer, files: dict) -> tuple[int, dict]:
    signature = []
    for path, values in files.items():
        for name, history in values.items():
            if layer is not None:
                history = layer.history(path, name, history)
            signature.append(sum(1 for e in history if e.since <= as_of))
    key = (root, layer, tuple(signature))
    found = _EPOCHS.get(key)
    if found is None:
        found = _EPOCHS[key] = (next(_NUMBERS), {})
    return found


def _clear_epochs() -> None:
    _EPOCHS.clear()
    _STARTS.clear()


_epoch.cache_clear = _clear_epochs  # dropped with the other per-date caches when a scenario starts or ends


def all_values(root: Path | None = None) -> dict[str, dict[str, list[ParamValue]]]:
    """Every parameter with its whole history (for the parameter browser and `aidf rules`)."""
    return _files(root)
