"""The decision contract: what a caller sends (Transaction) and what comes back (Decision).

Field names follow ../shared/contract (README.md and the JSON Schemas); the pinned fields keep
their names and meanings, further fields are additions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from aidf.jsontext import sorted_ascii

# ISO 3166-1 alpha-2 codes; YAML 1.1 reads a bare NO (Norway) as false, so codes are
# validated as strings and booleans are refused with a message naming the field.
ISO2 = {c.alpha_2 for c in pycountry.countries}


def check_country(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO 3166-1 alpha-2 code such as 'FR' (got {value!r}; quote NO in YAML)")
    code = value.strip().upper()
    if code not in ISO2:
        raise ValueError(f"unknown ISO 3166-1 alpha-2 country code {value!r}")
    return code


Country = Annotated[str, Field(min_length=2, max_length=2)]

# ---- input bounds ---------------------------------------------------------------------------------
# Not rule numbers: the range of input the engine accepts, so absurd values are refused with the
# field named instead of overflowing a meter or a database column. Documented in README (Limits).
DATE_MIN = dt.date(1990, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
MAX_QUANTITY = 10_000_000  # units per item line
MAX_CHIPS_PER_UNIT = 10_000
MAX_TPP = 1e10  # per chip (an H100 is about 16,000)
MAX_LINE_TPP = 1e15  # per item line (quantity x chips per unit x TPP), so a meter's milli-TPP fits 64 bits
MAX_TOPS = 1e8  # peak dense TOPS per precision
MAX_FIGURE = 1e15  # any other figure (die area, installed base TPP)
MAX_OPERATIONS = 1e40  # training operations of model weights (4E091 counts from 1e26)
MAX_ID = 400  # characters of an id (the ledger keys bookings by it)
MAX_TEXT = 2000  # characters of a name or free text


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def check_text(value: str) -> str:
    """Refuse NUL and other control characters: they cannot be stored (PostgreSQL) or shown safely."""
    bad = CONTROL.search(value)
    if bad:
        raise ValueError(f"contains the control character {bad.group()!r}; remove it")
    return value


def check_name(value: str) -> str:
    """An id or a name: no control characters at all, and not only spaces."""
    if not value.strip():
        raise ValueError("must not be empty or only spaces")
    if any(ch in value for ch in "\t\n\r"):
        raise ValueError("must be on one line (no tab or line break)")
    return check_text(value)


def at_most(bound: float) -> AfterValidator:
    """Refuse finite numbers above `bound`; infinities and NaN are left to the rule that reads the
    figure, which refuses them naming the field (rules/classify.py)."""
    def check(value: float | None) -> float | None:
        if value is not None and math.isfinite(value) and value > bound:
            raise ValueError(f"must be at most {bound:g} (got {value:g})")
        return value
    return AfterValidator(check)


def whole(value: Any) -> Any:
    """JSON's 3.0 is the integer 3 (as JSON Schema says); true, "3" and 3.5 stay refused (strict)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def count(bound: int, **field: Any) -> Any:
    """A strict whole number from 1 to `bound`."""
    return Annotated[int, Field(ge=1, le=bound, strict=True, **field), BeforeValidator(whole)]


def figure(bound: float, **field: Any) -> Any:
    """A strict number up to `bound`, the bound also published as the schema's maximum."""
    return Annotated[float, Field(strict=True, json_schema_extra={"maximum": bound}, **field), at_most(bound)]


def check_day(value: dt.date) -> dt.date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(f"must be between {DATE_MIN} and {DATE_MAX} (got {value})")
    return value


# The same rules as patterns, for the published schema (validation uses the checks above, whose
# messages say what is wrong).
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
NAME_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"

# Reusable validated types: text without control characters, ids, bounded dates and numbers.
Text = Annotated[str, Field(max_length=MAX_TEXT, json_schema_extra={"pattern": TEXT_PATTERN}),
                 AfterValidator(check_text)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_TEXT, json_schema_extra={"pattern": NAME_PATTERN}),
                 AfterValidator(check_name)]
Id = Annotated[str, Field(min_length=1, max_length=MAX_ID, json_schema_extra={"pattern": NAME_PATTERN}),
               AfterValidator(check_name)]
Day = Annotated[dt.date, Field(json_schema_extra={"formatMinimum": DATE_MIN.isoformat(),
                                                  "formatMaximum": DATE_MAX.isoformat()}),
                AfterValidator(check_day)]
StrictBool = Annotated[bool, Field(strict=True)]
Precision = Annotated[str, Field(min_length=1, max_length=32, json_schema_extra={"pattern": NAME_PATTERN}),
                      AfterValidator(check_name)]
Tops = Annotated[float, Field(strict=True, json_schema_extra={"maximum": MAX_TOPS, "exclusiveMinimum": 0}),
                at_most(MAX_TOPS)]  # > 0 and finite are checked where read (Item._peaks, classify)
Figure = figure(MAX_FIGURE)
Operations = figure(MAX_OPERATIONS, ge=0)


class Action(StrEnum):
    export = "export"
    reexport = "reexport"
    transfer = "transfer"


class Outcome(StrEnum):
    NLR = "NLR"
    LICENSE_EXCEPTION = "LICENSE_EXCEPTION"
    VEU = "VEU"
    LICENSE_REQUIRED = "LICENSE_REQUIRED"
    NEEDS_REVIEW = "NEEDS_REVIEW"


# Most restrictive last: a transaction's outcome is the maximum over its lines.
OUTCOME_ORDER = [Outcome.NLR, Outcome.LICENSE_EXCEPTION, Outcome.VEU, Outcome.LICENSE_REQUIRED, Outcome.NEEDS_REVIEW]

Authorization = Literal["AIA", "LPP", "ACM", "ACA", "NAC", "UVEU", "NVEU"]
# `denial`: a policy of denial (Part 746 embargoes and sanctions; a Denied Persons List party),
# stricter than a presumption of denial.
ReviewPolicy = Literal["presumption_of_approval", "case_by_case", "presumption_of_denial", "denial"]
REVIEW_ORDER = ["presumption_of_approval", "case_by_case", "presumption_of_denial", "denial"]

# ECCNs whose ".z" paragraphs hold items that meet the 3A090/4A090 parameters (774 Supp. 1; spec 2.3).
LISTED_ECCNS = ("3A001", "4A003", "4A004", "4A005", "5A002", "5A004", "5A992")
ISO_REGIONS = {s.code for s in pycountry.subdivisions}


def check_region(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.strip().upper() not in ISO_REGIONS:
        raise ValueError(f"must be an ISO 3166-2 region code such as 'UA-43' (got {value!r})")
    return value.strip().upper()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VEUStatus(Strict):
    type: Literal["UVEU", "NVEU"]
    id: Id
    installed_base_tpp: dict[str, Figure] | None = None

    @field_validator("installed_base_tpp")
    @classmethod
    def _base(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        out = {}
        for k, tpp in v.items():
            code = check_country(k)
            if tpp < 0:
                raise ValueError(f"installed_base_tpp[{k}] must be >= 0")
            out[code] = tpp
        return out


class Party(Strict):
    name: Name
    id: Id | None = Field(default=None, description="stable party id; defaults to the name")
    country: str
    headquarters: str | None = None
    ultimate_parent_headquarters: str | None = None
    private_sector: StrictBool | None = None
    veu: VEUStatus | None = None

    @field_validator("country", "headquarters", "ultimate_parent_headquarters", mode="before")
    @classmethod
    def _country(cls, v: Any) -> Any:
        return None if v is None else check_country(v)

    @property
    def hq(self) -> str:
        return self.headquarters or self.country

    @property
    def parent_hq(self) -> str:
        return self.ultimate_parent_headquarters or self.hq

    @property
    def unknown_headquarters(self) -> list[str]:
        """Headquarters fields given explicitly as null: the caller does not know them, so they are not defaulted."""
        return [f for f in ("headquarters", "ultimate_parent_headquarters")
                if f in self.model_fields_set and getattr(self, f) is None]

    @property
    def key(self) -> str:
        """Identity of the party for per-consignee meters (LPP): its id, else its normalized name."""
        return self.id or " ".join(self.name.split()).casefold()


class Parties(Strict):
    ultimate_consignee: Party
    end_user: Party | None = None
    purchaser: Party | None = None
    intermediate_consignee: Party | None = None

    def entities(self) -> list[tuple[str, Party]]:
        out = [("ultimate_consignee", self.ultimate_consignee)]
        if self.end_user is not None:
            out.append(("end_user", self.end_user))
        return out

    def screened(self) -> list[tuple[str, Party]]:
        """Every party that is screened against the restricted-party lists (748.5 roles)."""
        extra = [(role, getattr(self, role)) for role in ("purchaser", "intermediate_consignee")]
        return self.entities() + [(role, p) for role, p in extra if p is not None]


class ModelWeights(Strict):
    training_operations: Operations
    published: StrictBool
    base_model_published: StrictBool | None = None
    extra_training_operations: Operations | None = None
    storage_meets_supp10_14_15_18: StrictBool | None = None


# Stands for a quantity the request did not give on a chip or computer line: refused, never taken as 1.
_NO_QUANTITY = object()


class Item(Strict):
    quantity: count(MAX_QUANTITY) | None = None
    catalog: Id | None = None
    tpp: figure(MAX_TPP, gt=0) | None = None
    peak_dense: Annotated[dict[Precision, Tops], Field(json_schema_extra={  # keys must match the pattern
        "minProperties": 1, "additionalProperties": False})] | None = None
    die_area_mm2: figure(MAX_FIGURE, gt=0) | None = None
    datacenter: StrictBool | None = None
    form: Literal["ic", "computer"] = "ic"
    chips_per_unit: count(MAX_CHIPS_PER_UNIT) | None = None
    model_weights: ModelWeights | None = None
    description: Text | None = None
    listed_eccn: Literal[LISTED_ECCNS] | None = Field(  # type: ignore[valid-type]
        default=None, description="the ECCN the item is otherwise specified in; meeting 3A090/4A090 makes it '.z'")

    @model_validator(mode="before")
    @classmethod
    def _quantity_given(cls, data: Any) -> Any:
        """Every chip or computer line states its quantity (model weights have none)."""
        if isinstance(data, dict) and data.get("model_weights") is None and data.get("quantity") in (None, ""):
            return {**data, "quantity": _NO_QUANTITY}
        return data

    @field_validator("quantity", mode="before")
    @classmethod
    def _quantity(cls, v: Any) -> Any:
        if v is _NO_QUANTITY:
            raise ValueError("quantity is required on every chip or computer line (never assumed to be 1)")
        return v

    @field_validator("tpp")
    @classmethod
    def _tpp_bound(cls, v: float | None) -> float | None:
        from aidf.bounds import check_tpp_value  # the ledger's bound on amounts, checked where made

        return check_tpp_value(v)

    @field_validator("peak_dense")
    @classmethod
    def _peaks(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("peak_dense needs at least one precision")
        for k, tops in v.items():
            if not isinstance(tops, (int, float)) or tops <= 0:
                raise ValueError(f"peak_dense[{k}] must be a number > 0")
            from aidf.bounds import check_tpp_value

            check_tpp_value(tops, f"peak_dense[{k}]")
        return v

    @model_validator(mode="after")
    def _one_kind(self) -> Item:
        kinds = [self.catalog is not None, self.tpp is not None or self.peak_dense is not None,
                 self.model_weights is not None]
        if sum(kinds) != 1:
            raise ValueError("an item is exactly one of: catalog id, chip figures (tpp or peak_dense), model_weights")
        if self.tpp is not None and self.peak_dense is not None:
            raise ValueError("give tpp or peak_dense, not both")
        if self.form == "computer" and self.chips_per_unit is None:
            raise ValueError("chips_per_unit is required when form is 'computer'")
        if self.model_weights is not None and (self.form != "ic" or self.chips_per_unit is not None):
            raise ValueError("model_weights take no form or chips_per_unit")
        if self.model_weights is not None and self.listed_eccn is not None:
            raise ValueError("listed_eccn is for chip and computer lines, not model_weights")
        per_chip = self.tpp or 0.0
        if self.peak_dense:  # an upper estimate: 2 x TOPS x the widest bit length (64)
            per_chip = 128 * max(self.peak_dense.values())
        total = (self.quantity or 1) * (self.chips_per_unit or 1) * per_chip
        if math.isfinite(total) and total > MAX_LINE_TPP:
            raise ValueError(f"the line's TPP (quantity x chips per unit x TPP) must be at most {MAX_LINE_TPP:g}")
        return self


class UnitItem(Item):
    """An item classified by itself (aidf classify, POST /v1/classify): without a quantity it describes
    one unit, not a shipment. Transaction lines are `Item`s and always state their quantity."""

    @model_validator(mode="before")
    @classmethod
    def _quantity_given(cls, data: Any) -> Any:
        return data


class Transaction(Strict):
    id: Id
    date: Day
    action: Action
    destination: str
    destination_region: Annotated[str, Field(max_length=16, json_schema_extra={"pattern": NAME_PATTERN}),
                                  AfterValidator(check_name)] | None = Field(
        default=None, description="ISO 3166-2 region where the law differs by region (746.6)")
    items: list[Item] = Field(min_length=1)
    parties: Parties
    end_use: Text | None = None
    direct_to_consignee: StrictBool = True
    rules: Annotated[str, Field(max_length=64)] | None = None

    @field_validator("destination", mode="before")
    @classmethod
    def _dest(cls, v: Any) -> str:
        return check_country(v)

    @field_validator("destination_region", mode="before")
    @classmethod
    def _region(cls, v: Any, info: ValidationInfo) -> str | None:
        region = check_region(v)
        dest = info.data.get("destination")
        if region and dest and not region.startswith(dest + "-"):
            raise ValueError(f"region {region} is not in destination {dest}")
        return region

    def content_hash(self) -> str:
        """Hash of the request's content, for idempotency: same id + same hash = same request."""
        body = self.__pydantic_serializer__.to_python(self, mode="json", exclude_none=True)  # model_dump's own call
        unknown = [f"{role}.{f}" for role, party in self.parties.entities() for f in party.unknown_headquarters]
        if unknown:  # an explicit null means "not known", which is not the same request as a default
            body["unknown"] = unknown
        return hashlib.sha256(request_text(body)).hexdigest()


def request_text(body: dict[str, Any]) -> bytes:
    """The hashed text of a request: json.dumps(body, sort_keys=True, separators=(",", ":")), ASCII
    escapes included; orjson writes it when that gives the same bytes (tests/test_request_hash.py)."""
    text = sorted_ascii(body)
    return _CANONICAL.encode(body).encode() if text is None else text


# What json.dumps(body, sort_keys=True, separators=(",", ":")) uses, made once rather than per hash.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


# ---- answer -------------------------------------------------------------------------------------

class Built(BaseModel):
    """A part of the answer the engine builds for every decision from values it typed itself (trace steps,
    duties, lines, effects, assumed facts, the rule set). `model_construct` here is pydantic's, less its per-field alias search: these models
    declare no alias, default factory or post-init, so the result (values, defaults, fields set) is the same."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        try:
            spec = _plain_spec(cls)
        except TypeError:
            spec = None  # a model Built cannot build: model_construct says why when asked
        type.__setattr__(cls, "_built_spec", spec)
        # A frozen model's fields set is never changed (assignment is refused, copies copy it), so objects made
        # from the same field names share one: a set per trace step held about 1 KB per decision.
        type.__setattr__(cls, "_shared_sets", {} if cls.model_config.get("frozen") else None)

    @classmethod
    def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Any:
        spec, shared = cls._built_spec, cls._shared_sets
        template, names, required = spec if spec is not None else _plain_spec(cls)
        fields_set = None if shared is None else shared.get(tuple(values))
        if fields_set is not None:  # these names were checked when the set was made
            d = template | values
        else:
            d, fields_set = _fields(cls, values, template, names, required)
        m = _new(cls)
        _set(m, "__dict__", d)
        _set(m, "__pydantic_fields_set__", fields_set if _fields_set is None else _fields_set)
        _set(m, "__pydantic_extra__", None)
        _set(m, "__pydantic_private__", None)
        return m

    def but(self, **changes: Any) -> Any:
        """`model_copy(update=changes)` for these flat models: a new object, the original untouched."""
        m = _new(type(self))
        _set(m, "__dict__", self.__dict__ | changes)
        _set(m, "__pydantic_fields_set__", self.__pydantic_fields_set__ | changes.keys())
        _set(m, "__pydantic_extra__", None)
        _set(m, "__pydantic_private__", None)
        return m


# Steps, duties, assumed facts and rule-set references are values: never changed once made, so answers share them.
_SHARED = ConfigDict(frozen=True)
_new, _set = object.__new__, object.__setattr__  # what pydantic's own model_construct calls
_REQUIRED = object()  # a required field has no default: left unset when not given, as pydantic does


def _fields(cls: type[Built], values: dict[str, Any], template: dict[str, Any], names: frozenset[str],
            required: frozenset[str]) -> tuple[dict[str, Any], set[str]]:
    """The fields (declared order) and fields set of a Built model made from `values`, as pydantic makes them."""
    fields_set = set(values)
    if fields_set <= names and fields_set >= required:
        if cls._shared_sets is not None:
            cls._shared_sets[tuple(values)] = fields_set
        return template | values, fields_set  # keeps the fields' declared order
    # an unknown name is dropped, a required field not given left unset
    return {k: v for k, v in (template | values).items() if k in names and v is not _REQUIRED}, fields_set & names


def _plain_spec(cls: type[BaseModel]) -> tuple[dict[str, Any], frozenset[str], frozenset[str]]:
    """Each field and its default (a sentinel when required), the field names and the required ones;
    refuses what `Built` does not handle."""
    out = {}
    for name, f in cls.model_fields.items():
        if f.alias or f.validation_alias or f.default_factory is not None or cls.__pydantic_post_init__ \
                or cls.model_config.get("extra") == "allow":
            raise TypeError(f"{cls.__name__}.{name}: Built handles plain fields only")
        if isinstance(f.default, (list, dict, set)):  # pydantic copies a mutable default per object; this would share it
            raise TypeError(f"{cls.__name__}.{name}: Built handles immutable defaults only")
        out[name] = _REQUIRED if f.is_required() else f.default
    return out, frozenset(out), frozenset(k for k, v in out.items() if v is _REQUIRED)


class RuleSetRef(Built):
    model_config = _SHARED

    id: str
    title: str
    status: str
    in_force: bool | None = None
    enforced: bool | None = None
    timeline: str | None = None  # as-written | as-enforced when a timeline chose the set; None when named


class Assumed(Built):
    """A fact the engine supplied because the request did not state it."""

    model_config = _SHARED

    fact: str
    value: Any = None
    why: str


class TraceStep(Built):
    model_config = _SHARED

    rule: str
    cite: str
    result: str
    why: str = ""
    line: int | None = None


class Duty(Built):
    model_config = _SHARED

    what: str
    cite: str
    when: str | None = None
    kind: str | None = None
    line: int | None = None


class AccountKey(BaseModel):
    """The keys that name a meter: its kind and whichever of country, consignee, year, VEU, window, license apply."""

    kind: str
    country: str | None = None
    consignee: str | None = None
    year: int | None = None
    veu: str | None = None
    window: str | None = None
    license: str | None = None


_KEY_FIELDS = tuple(k for k in AccountKey.model_fields if k != "kind")


class AccountRef(AccountKey):
    model_config = ConfigDict(frozen=True)

    @property
    def id(self) -> str:
        """kind:field=value:... over the fields that are set, in declaration order (the ids stored in ledgers)."""
        d = self.__dict__
        return ":".join([self.kind, *(f"{k}={d[k]}" for k in _KEY_FIELDS if d.get(k) is not None)])


class LedgerEffect(Built):
    account: AccountRef
    tpp: float
    limit_tpp: float | None = None
    line: int | None = None


class ItemDecision(Built):
    line: int
    description: str
    eccn: str | None
    classification: str | None = None
    tpp: float | None = None
    tpp_total: float | None = None
    performance_density: float | None = None
    h100_equivalents: float | None = None
    outcome: Outcome
    authorization: Authorization | None = None
    review_policy: ReviewPolicy | None = None
    license_required: bool


class Option(BaseModel):
    """A change to the transaction and the answer the engine gives to the changed transaction."""

    kind: str  # quantity | date | parties | weights | missing_fact | arrangement | license
    change: dict[str, Any]
    outcome: Outcome
    authorization: Authorization | None = None
    review_policy: ReviewPolicy | None = None
    ledger_effects: list[LedgerEffect] = []
    why: str
    cite: str
    range: dict[str, Any] | None = None  # missing facts: the values of the fact this answer holds for
    after: dict[str, Any] | None = None  # a change assumed shipped first, whose draws this answer counts
    warnings: list[str] = []  # readings and missing facts this answer rests on that the original did not


class ScreeningMatch(BaseModel):
    """One list entry a party resembles, with the features that made the score."""

    list: str
    entry_id: str
    name: str
    score: float
    features: dict[str, Any] = {}
    source: str | None = None
    federal_register_notice: str | None = None
    license_requirement: str | None = None
    license_policy: str | None = None
    programs: list[str] = []
    matched_name: str | None = None
    kind: Literal["match", "possible_match"] | None = None
    cleared: bool = False
    countries: list[str] = []


class ScreeningResult(BaseModel):
    party: str
    status: Literal["clear", "possible_match", "match", "cleared_by_officer"]
    matches: list[ScreeningMatch] = []
    list_version: str | None = None


class Decision(BaseModel):
    transaction_id: str
    date: dt.date | None = None
    rules: RuleSetRef
    destination_tier: Literal[1, 2, 3]
    outcome: Outcome
    authorization: Authorization | None = None
    review_policy: ReviewPolicy | None = None
    items: list[ItemDecision]
    ledger_effects: list[LedgerEffect] = []
    duties: list[Duty] = []
    trace: list[TraceStep] = []
    warnings: list[str] = []
    assumed: list[Assumed] = []
    screening: list[ScreeningResult] = []
    request_hash: str | None = None
    options: list[Option] | None = None  # on request: changes that would let it go with less (aidf.options)

    @classmethod
    def assembled(cls, **values: Any) -> Decision:
        """The engine's answer from parts it typed itself, as validation would leave it (the fields given are
        the fields set; a list not given is a new empty one), without walking every step and duty again."""
        template, required, lists = _DECISION
        if not required <= values.keys():
            raise TypeError(f"Decision.assembled needs {sorted(required - values.keys())}")
        d = template | values  # keeps the fields' declared order
        for name in lists:
            if name not in values:
                d[name] = []
        m = _new(cls)
        _set(m, "__dict__", d)
        _set(m, "__pydantic_fields_set__", set(values))
        _set(m, "__pydantic_extra__", None)
        _set(m, "__pydantic_private__", None)
        return m


# Decision's fields with their defaults (a sentinel when required), the required ones, those whose default is [].
_DECISION = ({n: _REQUIRED if f.is_required() else f.default for n, f in Decision.model_fields.items()},
             frozenset(n for n, f in Decision.model_fields.items() if f.is_required()),
             tuple(n for n, f in Decision.model_fields.items() if f.default == []))
