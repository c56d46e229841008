"""Ledger writes over the API that the CLI already has: post or void a reservation (officer), and
decide (or decide and book) a batch of transactions in one call.

Posting and voiding act on a pending transfer id or a transaction id (its whole linked group), all or
none, as `aidf ledger post|void` does. The audit actor is the key id with its owner's name.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from aidf.ledger.base import MILLI
from aidf.ledger.bounds import MAX_LINE_MILLI
from aidf.model import Transaction
from aidf.service.auth import require
from aidf.service.errors import RESPONSES, ApiError
from aidf.service.keys import Principal
from aidf.service.limits import MAX_BATCH

router = APIRouter(prefix="/v1", responses=RESPONSES)
Viewer = Annotated[Principal, Depends(require("viewer"))]
Officer = Annotated[Principal, Depends(require("officer"))]
MAX_BATCH_BODY = MAX_BATCH  # transactions per call (the service's documented limit)


class PostIn(BaseModel):
    tpp: float | None = Field(default=None, ge=1 / MILLI, le=MAX_LINE_MILLI / MILLI,
                              description="post less than reserved (one pending transfer only); the ledger "
                                          "counts whole milli-TPP, so at least 0.001")
    note: str | None = Field(default=None, max_length=2000)


class VoidIn(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class Resolved(BaseModel):
    transfers: list[str]


def actor_of(who: Principal) -> str:
    """The audit actor: key id plus the key owner's name."""
    return f"{who.key_id} ({who.name})"


def _ledger(request: Request):
    return request.app.state.service.ledger


@router.post("/transfers/{transfer_id}/post", response_model=Resolved, tags=["ledger"])
def post_transfer(transfer_id: str, request: Request, who: Officer, body: PostIn | None = None) -> Resolved:
    """Post a reservation (a pending transfer id, or a transaction id for its whole group), officer."""
    body = body or PostIn()
    milli = None if body.tpp is None else round(body.tpp * MILLI)
    done = _ledger(request).post(transfer_id, amount=milli, actor=actor_of(who), note=body.note)
    return Resolved(transfers=done)


@router.post("/transfers/{transfer_id}/void", response_model=Resolved, tags=["ledger"])
def void_transfer(transfer_id: str, request: Request, who: Officer, body: VoidIn | None = None) -> Resolved:
    """Void a reservation (a pending transfer id, or a transaction id for its whole group), officer."""
    body = body or VoidIn()
    return Resolved(transfers=_ledger(request).void(transfer_id, actor=actor_of(who), reason=body.reason))


@router.post("/decisions/batch", tags=["decisions"])
async def post_batch(request: Request, who: Viewer,
                     txs: Annotated[list[Transaction], Body(max_length=MAX_BATCH_BODY)],
                     book: Annotated[bool, Query(description="decide and book in order, in one ledger "
                                                             "transaction (officer role)")] = False) -> Response:
    """Decide transactions in order (analyst); `?book=true` books them in one batch (officer)."""

    from aidf import engine

    need = "officer" if book else "analyst"
    if not who.may(need):
        raise ApiError(403, f"{'booking' if book else 'deciding'} needs the {need} role; key {who.key_id} "
                            f"({who.name}) is {who.role}", "X-API-Key")
    ledger = _ledger(request)
    if book:
        out = await run_in_threadpool(engine.decide_many, txs, ledger, None, actor_of(who))
    else:
        out = await run_in_threadpool(lambda: [engine.decide(t, ledger=ledger) for t in txs])
    text = "[" + ",".join(d.model_dump_json(by_alias=True) for d in out) + "]"
    return Response(text, media_type="application/json")
