"""REST API of screening: `POST /v1/screen` (analyst), list versions, and clearances (officer)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from aidf.errors import InputError
from aidf.model import ISO2, NAME_PATTERN
from aidf.service.auth import require
from aidf.service.errors import RESPONSES, ApiError
from aidf.service.keys import Principal

router = APIRouter(prefix="/v1", responses=RESPONSES, tags=["screening"])
Viewer = Annotated[Principal, Depends(require("viewer"))]
Analyst = Annotated[Principal, Depends(require("analyst"))]
Officer = Annotated[Principal, Depends(require("officer"))]


# The country as the schema states it: one of the ISO 3166-1 alpha-2 codes, upper case.
CountryCode = Literal[tuple(sorted(ISO2))]  # type: ignore[valid-type]


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=500, description="the party's name, in any script")
    country: CountryCode | None = Field(default=None, description="ISO 3166-1 alpha-2 code of the party's country")
    threshold: float | None = Field(default=None, gt=0, le=1, description="review threshold (default from parameters)")


class ClearRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    party: str = Field(min_length=1, max_length=500, pattern=NAME_PATTERN,
                       description="the party's name: some visible text, no control characters")
    country: CountryCode | None = None
    entry_id: str = Field(min_length=1, max_length=300)
    version: int | None = Field(default=None, ge=1, description="list version number (default: the newest)")
    reason: str = Field(min_length=1, max_length=2000)


def _ledger(request: Request):
    return request.app.state.service.ledger


# Refusals that depend on the ledger's state, not on the request's form: no list loaded (409), an
# unknown list version or entry (404). Other refusals stay 422 naming the field.
STATE_FIELDS = {"list": 409, "version": 404, "entry_id": 404}


async def _call(fn, *args):
    try:
        return await run_in_threadpool(fn, *args)
    except InputError as e:
        if e.field in STATE_FIELDS:
            raise ApiError(STATE_FIELDS[e.field], e.reason, e.field) from None
        raise


@router.post("/screen")
async def post_screen(body: ScreenRequest, request: Request, _: Analyst) -> dict[str, Any]:
    """Screen one name against the newest list version; every match comes with its features and weights."""
    from aidf.screening.check import lookup

    return await _call(lookup, _ledger(request), body.name, body.country, body.threshold)


@router.get("/lists")
async def get_lists(request: Request, _: Viewer) -> list[dict[str, Any]]:
    """The list versions loaded, newest first."""
    from aidf.screening import store

    return [v.row() for v in await run_in_threadpool(store.versions, _ledger(request))]


@router.get("/screen/clearances")
async def get_clearances(request: Request, _: Viewer) -> list[dict[str, Any]]:
    """Officers' clearances, newest first."""
    from aidf.screening import store

    return await run_in_threadpool(store.clearance_log, _ledger(request))


@router.post("/screen/clearances", status_code=201)
async def post_clearance(body: ClearRequest, request: Request, who: Officer) -> dict[str, Any]:
    """Clear a false positive (officer): the party is not this entry; audited, and holds while the entry
    stays the same in later list versions."""
    from aidf.screening import store
    from aidf.screening.check import country_of

    country = country_of(body.country)
    return await _call(store.clear, _ledger(request), body.party, country, body.entry_id, body.version,
                       body.reason, who.name)
