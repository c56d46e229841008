"""Response and request bodies of the REST API (so /openapi.json says exactly what comes back)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aidf.model import NAME_PATTERN, AccountKey, Day, Name, Text, UnitItem

NEXT_HEADERS = {
    "X-Next-Cursor": {"description": "cursor of the next page (absent on the last page)", "schema": {"type": "string"}},
    "Link": {"description": 'the next page\'s URL, rel="next"', "schema": {"type": "string"}},
}


class BookedDecision(BaseModel):
    transaction_id: str
    date: str | None = None
    outcome: str | None = None
    authorization: str | None = None
    destination_tier: int | None = None
    booked_at: str | None = None
    booked_by: str | None = None


class KeyRole(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["viewer", "analyst", "officer", "admin"]


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    ledger: str


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: UnitItem
    as_of: Day | None = Field(default=None, description="date whose parameters apply; default today")


class Classified(BaseModel):
    description: str
    eccn: str | None
    level: str | None = None
    prongs: list[str] = []
    tpp: float | None = None
    tpp_total: float | None = None
    performance_density: float | None = None
    datacenter: bool | None = None
    indeterminate: str | None = None
    trace: list[dict[str, Any]] = []
    warnings: list[str] = []


class Chip(BaseModel):
    id: str
    vendor: str
    model: str
    market: str
    precision: str
    dense_tops: float
    bit_length: int
    tpp: float
    die_area_mm2: float | None = None
    recorded_class: str
    sources: list[str]


class RuleSetOut(BaseModel):
    id: str
    title: str
    status: str
    in_force: bool | None = None
    enforced: bool | None = None
    default: bool = False


class ParameterValue(BaseModel):
    since: dt.date
    value: Any
    cite: str
    status: str


class Parameter(BaseModel):
    name: str
    description: str
    unit: str
    history: list[ParameterValue]


class ParameterFile(BaseModel):
    path: str
    parameters: list[Parameter]


class Account(AccountKey):
    id: str
    posted_tpp: float
    reserved_tpp: float
    used_tpp: float
    limit_tpp: float | None = None
    left_tpp: float | None = None


class Transfer(BaseModel):
    id: str
    transaction_id: str
    account_id: str
    kind: str
    tpp: float
    limit_tpp: float | None = None
    pending_id: str | None = None
    as_of: str | None = None
    at: str | None = None
    actor: str | None = None
    note: str | None = None


class License(BaseModel):
    number: str
    tpp: float
    used_tpp: float
    remaining_tpp: float
    parties: dict[str, Any] = {}
    valid_from: str
    valid_to: str
    conditions: list[str] = []
    recorded_at: str | None = None
    recorded_by: str | None = None


class LicenseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
    tpp: float = Field(ge=0.001, le=1e13, strict=True, allow_inf_nan=False,
                       description="TPP the license authorizes (at least 0.001: the ledger counts milli-TPP)")
    valid_from: Day
    valid_to: Day
    parties: dict[Annotated[str, Field(max_length=64, pattern=NAME_PATTERN)], Name] | None = Field(
        default=None, max_length=50, json_schema_extra={"additionalProperties": False})
    conditions: list[Text] | None = Field(default=None, max_length=100)


class Hold(BaseModel):
    transaction_id: str
    reason: str
    status: str
    placed_at: str | None = None
    placed_by: str | None = None
    outcome: str | None = None
    review_policy: str | None = None
    date: str | None = None
    tpp_total: float = 0
    release: dict[str, Any] | None = None


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    license: Annotated[str, Field(min_length=1, max_length=100, pattern=NAME_PATTERN)] | None = Field(
        default=None, description="release against this recorded license (draws the shipment on it)")
    reason: Name | None = Field(default=None, description="or: release by override, with this written reason")
    shipped_on: Day | None = Field(default=None, description="date the license is drawn on; default the decision's date")


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=NAME_PATTERN)]
    role: Literal["viewer", "analyst", "officer", "admin"]


class KeyOut(BaseModel):
    key_id: str
    name: str
    role: str
    created_at: str
    revoked_at: str | None = None


class NewKey(KeyOut):
    key: str = Field(description="shown once; only its salted hash is kept")


class AuditEntry(BaseModel):
    seq: int
    at: str | None
    actor: str
    action: str
    subject: str
    hash: str


class ChainCheck(BaseModel):
    """One keyed audit chain, recomputed: intact or the first entry that differs."""
    ok: bool
    entries: int
    report: str
    head: str | None = Field(None, description="SEQ:HASH to keep elsewhere and pass back as expect_head")


class Verify(BaseModel):
    ok: bool = Field(description="both chains intact: the ledger's and the API keys'")
    entries: int
    report: str
    head: str | None = Field(None, description="the ledger chain's head, SEQ:HASH")
    keys: ChainCheck | None = Field(None, description="the API keys' audit chain (its own keyed chain)")
