"""Scenario overrides: a reform's parameter values, layered over the shipped ones while a scenario runs.

A layer never touches the shipped files. Each override is checked against the parameter it replaces
(the path and name must exist; the value must have the same shape), and enters the parameter's
history as an entry of status `scenario` from its date, so every rule reads it through the same
`Parameters` lookups as the law itself. Derived values cached per date are dropped when a layer is
switched on or off, so no answer computed under one scenario leaks into another.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from aidf.errors import InputError

NUMBER_UNITS = {"tpp", "ratio", "bits", "days", "months", "operations", "gbps", "tpp_per_mm2"}
_ACTIVE: Layer | None = None


@dataclass(frozen=True)
class Override:
    path: str
    name: str
    since: dt.date
    value_json: str  # hashable forms of the new and the shipped value
    original_json: str
    cite: str

    @property
    def value(self) -> Any:
        return json.loads(self.value_json)

    @property
    def original(self) -> Any:
        return json.loads(self.original_json)


@dataclass(frozen=True)
class Layer:
    """A named set of overrides (hashable, so per-date caches can key on it)."""

    name: str
    overrides: tuple[Override, ...]

    def history(self, path: str, name: str, shipped: list) -> list:
        mine = [o for o in self.overrides if o.path == path and o.name == name]
        if not mine:
            return shipped
        from aidf.rules.parameters import SCENARIO, ParamValue

        base = shipped[0]
        added = [ParamValue(path, name, o.value, o.since, f"scenario {self.name}: reform of {o.cite}", SCENARIO,
                            base.description, base.unit) for o in mine]
        return sorted([*shipped, *added], key=lambda e: (e.since, e.status == SCENARIO))

    def describe(self) -> list[dict[str, Any]]:
        """Every override with the value it replaces and that value's citation (for reports)."""
        return [{"path": o.path, "name": o.name, "since": o.since.isoformat(), "value": o.value,
                 "original": o.original, "original_cite": o.cite} for o in self.overrides]


def active() -> Layer | None:
    return _ACTIVE


@contextlib.contextmanager
def use(layer: Layer | None) -> Iterator[None]:
    """Run with `layer` over the shipped parameters (None: as shipped); restores the previous layer."""
    global _ACTIVE
    before = _ACTIVE
    _ACTIVE = layer
    _drop_caches()
    try:
        yield
    finally:
        _ACTIVE = before
        _drop_caches()


def _drop_caches() -> None:
    """Forget values derived from parameters (cached per date) in every loaded aidf module."""
    for mod_name, mod in list(sys.modules.items()):
        if mod is None or not (mod_name == "aidf" or mod_name.startswith("aidf.")):
            continue
        for obj in list(vars(mod).values()):
            clear = getattr(obj, "cache_clear", None)
            if callable(clear) and getattr(obj, "__module__", "") == mod_name \
                    and not getattr(obj, "layer_independent", False):
                clear()


def build(name: str, spec: Any, where: str = "overrides") -> Layer:
    """Check a scenario's `overrides` mapping ({path: {name: value | {value, since}}}) against the
    shipped parameters and make a layer; a path, name or value that does not fit is refused, named."""
    from aidf.rules.parameters import all_values

    if spec is None:
        return Layer(name, ())
    if not isinstance(spec, dict):
        raise InputError(where, "must map parameter paths (e.g. part740/lpp) to {name: value}")
    shipped = all_values()
    out = []
    for path, values in spec.items():
        if path not in shipped:
            raise InputError(f"{where}.{path}", f"no parameter file {path!r}; see `aidf rules`")
        if not isinstance(values, dict):
            raise InputError(f"{where}.{path}", "must map parameter names to values")
        for pname, raw in values.items():
            at = f"{where}.{path}.{pname}"
            if pname not in shipped[path]:
                raise InputError(at, f"no parameter {pname!r} in {path}; known: {', '.join(sorted(shipped[path]))}")
            out.append(_override(at, path, pname, raw, shipped[path][pname]))
    return Layer(name, tuple(out))


def _override(at: str, path: str, name: str, raw: Any, history: list) -> Override:
    since = history[0].since
    value = raw
    if isinstance(raw, dict) and "value" in raw and set(raw) <= {"value", "since"}:
        value = raw["value"]
        if "since" in raw:
            try:
                since = dt.date.fromisoformat(str(raw["since"]))
            except ValueError:
                raise InputError(f"{at}.since", f"must be an ISO date, got {raw['since']!r}") from None
    latest = history[-1]
    value = _checked(at, value, latest.value, latest.unit)
    as_json = lambda v: json.dumps(v, sort_keys=True, default=str)  # noqa: E731
    return Override(path, name, since, as_json(value), as_json(latest.value), latest.cite)


def _checked(at: str, value: Any, current: Any, unit: str) -> Any:
    """The override in the shape of the value it replaces: numbers stay non-negative numbers (kept
    exact as decimal strings where the shipped value is one), lists stay lists, mappings keep keys."""
    if unit in NUMBER_UNITS or isinstance(current, (int, float)) and not isinstance(current, bool):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise InputError(at, f"must be a number ({unit or 'number'}), got {value!r}")
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            raise InputError(at, f"must be a number ({unit or 'number'}), got {value!r}") from None
        if not d.is_finite() or d < 0:
            raise InputError(at, f"must be a finite number >= 0, got {value!r}")
        if isinstance(current, str):
            return str(d)
        return int(d) if d == d.to_integral_value() and not isinstance(current, float) else float(d)
    if isinstance(current, list):
        if not isinstance(value, list):
            raise InputError(at, f"must be a list like the shipped value {current!r}")
        from aidf.rules.parameters import ParameterFileError, _check_value

        try:
            _check_value(unit, value, at)
        except ParameterFileError as e:
            raise InputError(at, str(e).split(": ", 1)[-1]) from None
        return value
    if isinstance(current, dict):
        if not isinstance(value, dict) or (set(value) - set(current) and unit != "quarter_tpp_map"):
            raise InputError(at, f"must be a mapping with the keys of the shipped value ({', '.join(map(str, current))})")
        return {**current, **value}
    if not isinstance(value, type(current)):
        raise InputError(at, f"must be a {type(current).__name__} like the shipped value {current!r}")
    return value
