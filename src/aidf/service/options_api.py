"""POST /v1/options: what would let a transaction go with less, each option decided by the engine
against the service's ledger; nothing is booked. Also the `?options=true` half of POST /v1/decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from aidf.model import Authorization, Decision, Option, Outcome, ReviewPolicy, Transaction
from aidf.service.auth import require
from aidf.service.errors import RESPONSES
from aidf.service.keys import Principal

router = APIRouter(prefix="/v1", responses=RESPONSES)
Analyst = Annotated[Principal, Depends(require("analyst"))]


class OptionsAnswer(BaseModel):
    transaction_id: str
    outcome: Outcome
    authorization: Authorization | None = None
    review_policy: ReviewPolicy | None = None
    options: list[Option]
    note: str | None = None  # why no options are given (an id already booked)


def study(service, tx: Transaction) -> tuple[Decision, list[Option]]:
    from aidf.options import study as study_one
    from aidf.options.probe import Scratch

    return study_one(tx, Scratch(service.ledger))


def decide_with_options(service, tx: Transaction, book: bool, actor: Principal | None) -> Decision:
    """The decision (booked if asked) with the options of the transaction as it stood before booking."""
    _, options = study(service, tx)
    decision = service.decide(tx, book=book, actor=actor)
    return decision.model_copy(update={"options": options})


@router.post("/options", response_model=OptionsAnswer, tags=["decisions"])
async def post_options(tx: Transaction, request: Request, _: Analyst) -> OptionsAnswer:
    """Changes to the transaction (quantity, date, parties, weights, missing facts) that would let it go
    under an authorization or need less, in order: NLR, then the least draw, then a better review policy."""
    from aidf.options import BOOKED
    from aidf.service.api import check_items

    check_items(tx)
    base, options = await run_in_threadpool(study, request.app.state.service, tx)
    return OptionsAnswer(transaction_id=base.transaction_id, outcome=base.outcome, authorization=base.authorization,
                         review_policy=base.review_policy, options=options,
                         note=BOOKED if BOOKED in base.warnings else None)
