"""Codes in words, for people: the one place that renders outcomes, authorizations, accounts, countries,
numbers and line numbers for CLI tables, dashboard pages, memos and replay reports.

Programs keep reading the contract's codes (JSON, API, decision files); only texts meant for people
pass through here. Lines are counted from 0 in the contract and from 1 in everything people read.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache
from typing import Any

from aidf.cite import ACM, AIA, LPP, NAC_ACA, VEU

OUTCOMES = {
    "NLR": "No license required",
    "LICENSE_EXCEPTION": "License exception",
    "VEU": "Validated end user",
    "LICENSE_REQUIRED": "License required",
    "NEEDS_REVIEW": "Needs review",
}

REVIEW_POLICIES = {
    "presumption_of_approval": "presumption of approval",
    "case_by_case": "case-by-case review",
    "presumption_of_denial": "presumption of denial",
    "denial": "policy of denial",  # Part 746 embargoes and sanctions
}

# Authorization code -> (its name, the section that grants it).
AUTHORIZATIONS = {
    "AIA": ("Artificial Intelligence Authorization (AIA)", AIA),
    "ACM": ("Advanced Compute Manufacturing (ACM)", ACM),
    "LPP": ("Low Processing Performance (LPP)", LPP),
    "ACA": ("Advanced Computing Authorized (ACA)", NAC_ACA),
    "NAC": ("Notified Advanced Computing (NAC)", NAC_ACA),
    "UVEU": ("Universal validated end user (UVEU)", VEU),
    "NVEU": ("National validated end user (NVEU)", VEU),
}

END_USES = {
    "data_center": "Data center",
    "development": "Development",
    "production": "Production",
    "storage": "Storage",
    "frontier_training": "Training of a frontier model",
}

ACCOUNT_KINDS = {
    "country_allocation": "country allocation",
    "lpp_annual": "LPP annual limit",
    "aia_cumulative": "AIA cumulative total",
    "uveu_share": "UVEU share limit",
    "nveu_cap": "NVEU installed-base cap",
    "license": "license",
}

ACTIONS = {"export": "Export", "reexport": "Reexport", "transfer": "Transfer (in-country)"}

TRANSFER_KINDS = {"pending": "reserved", "post": "posted", "void": "voided", "expire": "expired",
                  "direct": "posted directly"}


def _code(v: Any) -> str | None:
    return None if v is None else str(getattr(v, "value", v))


# ---- numbers ------------------------------------------------------------------------------------

def number(v: Any, digits: int = 2) -> str:
    """Thousands separators, at most `digits` decimals, and no trailing zeros: 31,662,400 not 31,662,400.0."""
    if v is None or v == "":
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, Fraction):
        v = Decimal(v.numerator) / Decimal(v.denominator)
    try:
        d = Decimal(str(v))
    except ArithmeticError:
        return str(v)
    if not d.is_finite():
        return str(v)
    with localcontext() as ctx:
        ctx.prec = 60  # operations counts reach 10^26 and more
        text = f"{d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP):,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def operations(v: Any) -> str:
    """Training operations as people write them: '3.5 × 10^25 operations'."""
    if v is None:
        return "—"
    d = Decimal(str(v))
    if d.is_finite() and abs(d) >= Decimal(10) ** 15:
        exp = d.adjusted()
        return f"{number(d.scaleb(-exp), 3)} × 10^{exp} operations"
    return f"{number(d)} operations"


@lru_cache(maxsize=64)
def h100_tpp(on: dt.date | None = None) -> Fraction:
    """TPP of one H100, the display unit (parameter display/h100)."""
    from aidf.rules.parameters import parameters

    return parameters(on or dt.date.today()).fraction("display/h100", "h100_tpp")


def h100(tpp: Any, on: dt.date | None = None) -> Fraction | None:
    if tpp is None:
        return None
    return Fraction(Decimal(str(tpp))) / h100_tpp(on)


def tpp(v: Any, on: dt.date | None = None, *, equivalents: bool = True) -> str:
    """'31,662,400 TPP (2,000 H100-equivalents)': TPP with the H100-equivalents beside it."""
    if v is None:
        return "—"
    text = f"{number(v, 1)} TPP"
    if equivalents:
        text += f" ({number(h100(v, on), 1)} H100-equivalents)"
    return text


# ---- countries ----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    import pycountry

    return {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries} | {"XK": "Kosovo"}


def country_name(code: str | None) -> str:
    if not code:
        return "—"
    return country_names().get(str(code).upper(), str(code))


def country(code: str | None) -> str:
    """'India (IN)': the name with the code beside it."""
    if not code:
        return "—"
    name = country_name(code)
    return name if name == code else f"{name} ({str(code).upper()})"


def is_country(code: str) -> bool:
    return str(code).upper() in country_names()


# ---- outcomes and authorizations ----------------------------------------------------------------

def authorization(code: Any, long: bool = False) -> str:
    """'LPP, 15 CFR 740.29'; with `long`, 'Low Processing Performance (LPP), 15 CFR 740.29'."""
    c = _code(code)
    if not c:
        return "—"
    name, section = AUTHORIZATIONS.get(c, (c, ""))
    label = name if long else c
    return f"{label}, {section}" if section else label


def authorization_long(code: Any) -> str:
    """'Low Processing Performance (LPP), 15 CFR 740.29'."""
    return authorization(code, long=True)


def review_policy(code: Any) -> str:
    c = _code(code)
    return REVIEW_POLICIES.get(c or "", (c or "").replace("_", " "))


def outcome(code: Any, authorization_code: Any = None, policy: Any = None) -> str:
    """'License required — presumption of denial', 'License exception — LPP, 15 CFR 740.29'."""
    c = _code(code) or ""
    text = OUTCOMES.get(c, c.replace("_", " ").capitalize())
    if authorization_code:
        text += f" — {authorization(authorization_code)}"
    if policy:
        text += f" — {review_policy(policy)}"
    return text


def decision_outcome(d: Any) -> str:
    """The outcome line of a decision (model or dict)."""
    get = d.get if isinstance(d, dict) else (lambda k: getattr(d, k, None))
    return outcome(get("outcome"), get("authorization"), get("review_policy"))


def end_use(code: str | None) -> str:
    if not code:
        return "not stated"
    return END_USES.get(code, code.replace("_", " ").capitalize())


def transfer_kind(code: str | None) -> str:
    """A ledger transfer's kind as people say it: a pending transfer is a reservation."""
    return TRANSFER_KINDS.get(code or "", (code or "—").replace("_", " "))


def action(code: Any) -> str:
    c = _code(code) or ""
    return ACTIONS.get(c, c)


# ---- accounts -----------------------------------------------------------------------------------

def _window(text: str) -> str:
    return re.sub(r"(\d{4})-(\d{4})", r"\1–\2", text)


def _account_fields(ref: Any) -> dict[str, str]:
    if isinstance(ref, str):
        kind, *rest = ref.split(":")
        fields = dict(p.split("=", 1) for p in rest if "=" in p)
        return {"kind": kind} | fields
    data = ref.model_dump(exclude_none=True) if hasattr(ref, "model_dump") else dict(ref)
    return {k: str(v) for k, v in data.items() if v is not None and k != "id"}


def account(ref: Any) -> str:
    """'India — country allocation 2025–2027', 'LPP annual limit — Lyon Calcul, 2025', 'license L-1'."""
    f = _account_fields(ref)
    kind = f.get("kind", "")
    what = ACCOUNT_KINDS.get(kind, kind.replace("_", " "))
    if kind == "license" and f.get("license"):
        return f"License {f['license']}"
    details = [x for x in (f.get("consignee"), f.get("veu"), f.get("year")) if x]
    if f.get("window"):
        what += f" {_window(f['window'])}"
    head = country_name(f["country"]) if f.get("country") else None
    tail = f"{what}" + (f": {', '.join(details)}" if details else "")
    return f"{head} — {tail}" if head else tail[:1].upper() + tail[1:]


# ---- lines --------------------------------------------------------------------------------------

def line(index: int | None) -> str:
    """The contract counts lines from 0; people count from 1."""
    return "" if index is None else str(int(index) + 1)


_LINE_REF = re.compile(r"\b([Ll]ines? )(\d+)\b")
_SPURIOUS_ZERO = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)\.0\b(?!\.?\d)")
RESULTS = {"not_eligible": "not eligible", "needs_review": "needs review"}
_SCIENTIFIC_OPS = re.compile(r"\b(\d+(?:\.\d+)?)e\+?(\d+) operations\b")


def text(s: str | None) -> str:
    """A warning or reason text with its line references counted from 1 and its codes in words."""
    if not s:
        return ""
    s = _LINE_REF.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", s)
    s = _SPURIOUS_ZERO.sub(r"\1", s)
    s = _SCIENTIFIC_OPS.sub(lambda m: operations(Decimal(f"{m.group(1)}e{m.group(2)}")), s)
    for code, words in RESULTS.items():
        s = s.replace(code, words)
    for code, words in REVIEW_POLICIES.items():
        if "_" in code:  # 'denial' is also a plain word in texts
            s = s.replace(code, words)
    return s


def yes_no(v: bool | None) -> str:
    return {True: "yes", False: "no"}.get(v, "unknown")  # type: ignore[arg-type]


# ---- parameter values ---------------------------------------------------------------------------

_LIST_UNITS = {"iso2_list"}


def parameter_value(value: Any, unit: str = "") -> str:
    """A parameter value formatted by its type: numbers, windows, lists, country sets as names."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (int, float, Decimal, Fraction)):
        return number(value, 4)
    if isinstance(value, str):
        try:
            return number(Decimal(value), 4) if unit in ("tpp", "ratio", "tpp_per_mm2", "operations") else value
        except ArithmeticError:
            return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        if not value:
            return "none"
        if unit in _LIST_UNITS:
            return ", ".join(country(c) for c in value)
        return ", ".join(parameter_value(v) for v in value)
    if isinstance(value, dict):
        return _parameter_map(value, unit)
    return str(value)


def _parameter_map(value: dict, unit: str) -> str:
    if not value:
        return "none"
    if {"first_year", "last_year"} <= set(value):
        return f"{value['first_year']}–{value['last_year']}"
    if unit == "iso2_map":
        return "; ".join(f"{country(k)} treated as {country(v)}" for k, v in value.items())
    return "; ".join(f"{k}: {parameter_value(v)}" for k, v in value.items())


# ---- suggestions --------------------------------------------------------------------------------

def suggest(given: str, choices: Any, n: int = 4) -> list[str]:
    """The known ids nearest to `given`, nearest first (containment first, then string similarity)."""
    import difflib

    key = str(given).strip().lower()
    if not key:
        return []

    def score(c: str) -> float:
        low = c.lower()
        ratio = difflib.SequenceMatcher(None, key, low).ratio()
        return ratio + (1.0 if low.startswith(key) or key in low else 0.0)

    ranked = sorted(((score(c), c) for c in choices), key=lambda sc: (-sc[0], sc[1]))
    return [c for s, c in ranked[:n] if s >= 0.5]


def did_you_mean(given: str, choices: Any, n: int = 4) -> str:
    """'did you mean a, b?' or '' when nothing is near."""
    close = suggest(given, choices, n)
    return f"did you mean {', '.join(close)}?" if close else ""


def hold_reason(reason: str | None) -> str:
    """A hold's stored reason ('LICENSE_REQUIRED: presumption_of_denial') in words."""
    if not reason:
        return "—"
    code, _, rest = reason.partition(":")
    rest = rest.strip()
    if code.strip() in OUTCOMES:
        words = OUTCOMES[code.strip()]
        return f"{words} — {review_policy(rest)}" if rest and rest != "review" else words
    return text(reason)


def assumed(a: Any) -> str:
    """One default the engine applied (a text, or a record with field / value / why), in words."""
    if isinstance(a, str):
        return text(a)
    get = a.get if isinstance(a, dict) else (lambda k, default=None: getattr(a, k, default))
    field, value, why = get("fact") or get("field"), get("value"), get("why") or get("reason")  # contract: fact
    head = f"{fact(field)}: {_assumed_value(field, value)}" if field is not None and value is not None else fact(field)
    if head and why:
        return f"{head} ({text(why)})"  # the fact already counts lines from 1
    return head or text(why) or str(a)


_ROLES = {"ultimate_consignee": "ultimate consignee", "end_user": "end user", "purchaser": "purchaser",
          "intermediate_consignee": "intermediate consignee"}
_FACTS = {"headquarters": "headquarters", "ultimate_parent_headquarters": "ultimate parent's headquarters",
          "direct_to_consignee": "shipped directly to the consignee", "rules": "rule set",
          "form": "item form", "end_user": "end user"}


def fact(path: str | None) -> str:
    """A dotted fact of the contract in words: 'parties.ultimate_consignee.headquarters' ->
    "Ultimate consignee's headquarters"; lines counted from 1."""
    if not path:
        return ""
    parts = [x for x in str(path).split(".") if x != "parties"]
    words = []
    for i, x in enumerate(parts):
        if x.isdigit() and i and parts[i - 1] == "items":
            words[-1] = f"line {int(x) + 1}"
        elif x in _ROLES:
            words.append(_ROLES[x] + ("'s" if i < len(parts) - 1 else ""))
        else:
            words.append(_FACTS.get(x, x.replace("_", " ")))
    out = " ".join(words)
    return out[:1].upper() + out[1:]


def _assumed_value(field: str | None, value: Any) -> str:
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, str) and len(value) == 2 and value.isupper() and str(field).endswith("headquarters"):
        return country(value)
    if str(field).endswith(".form"):
        return {"ic": "chips", "computer": "computers (4A090)"}.get(str(value), str(value))
    return str(value)
