"""The REST API under /v1: the decision contract plus the catalog, rules, ledger, licenses and holds."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

import aidf
from aidf.ledger import audit
from aidf.model import MAX_ID, NAME_PATTERN, Day, Decision, Transaction
from aidf.service import cursors, limits, readers
from aidf.service import schemas as m
from aidf.service.auth import require
from aidf.service.core import Service
from aidf.service.errors import RESPONSES, ApiError
from aidf.service.keys import Principal

router = APIRouter(prefix="/v1", responses=RESPONSES)
Viewer = Annotated[Principal, Depends(require("viewer"))]
Analyst = Annotated[Principal, Depends(require("analyst"))]
Officer = Annotated[Principal, Depends(require("officer"))]
Admin = Annotated[Principal, Depends(require("admin"))]
PathId = Annotated[str, Path(min_length=1, max_length=MAX_ID, pattern=NAME_PATTERN)]
PageLimit = Annotated[int, Query(ge=1, le=limits.PAGE_MAX, description="rows per page")]
Cursor = Annotated[str | None, Query(max_length=800, pattern="^[A-Za-z0-9_-]+$",
                                     description="where to continue: the previous page's X-Next-Cursor")]


def svc(request: Request) -> Service:
    return request.app.state.service


@router.get("/health", response_model=m.Health, tags=["service"])
async def health(request: Request) -> m.Health:
    """Liveness, without a key: the service answers (on the event loop, touching no database)."""
    return m.Health(status="ok", version=aidf.__version__, ledger=str(svc(request).label))


TID = {"transaction_id": "$response.body#/transaction_id"}
DECISION_LINKS = {
    "GetDecision": {"operationId": "get_decision_v1_decisions__transaction_id__get", "parameters": TID},
    "GetMemo": {"operationId": "get_memo_v1_memos__transaction_id__get", "parameters": TID},
    "ReleaseHold": {"operationId": "release_hold_v1_holds__transaction_id__release_post", "parameters": TID},
}
KEY_LINKS = {
    "ChangeRole": {"operationId": "patch_key_v1_keys__key_id__patch", "parameters": {"key_id": "$response.body#/key_id"}},
    "RevokeKey": {"operationId": "delete_key_v1_keys__key_id__delete", "parameters": {"key_id": "$response.body#/key_id"}},
}


@router.post("/decisions", response_model=Decision, tags=["decisions"], responses={200: {"links": DECISION_LINKS}})
async def post_decision(tx: Transaction, request: Request, who: Viewer, book: Annotated[bool, Query(description=(
        "reserve the decision's draws in the ledger, keyed by the transaction id (officer role)"))] = False,
        options: Annotated[bool, Query(description="add options[]: changes that would let it go with less")] = False,
        ) -> Response:
    """Decide one transaction against the ledger (analyst); `?book=true` also reserves it, idempotent
    on `id` (officer)."""
    need = "officer" if book else "analyst"
    if not who.may(need):
        what = "booking" if book else "deciding"
        raise ApiError(403, f"{what} needs the {need} role; key {who.key_id} ({who.name}) is {who.role}", "X-API-Key")
    # A booking (it writes and may wait for a lock) and reads from a database server go to the thread
    # pool; a plain decision over a local ledger runs here, saving the hop. The answer is rendered
    # once from the engine's model (no re-validation against the response model, no second encoding).
    check_items(tx)
    service = svc(request)
    if options:
        from aidf.service.options_api import decide_with_options

        decision = await run_in_threadpool(decide_with_options, service, tx, book, who)
    elif book:
        decision = await run_in_threadpool(service.decide, tx, book=True, actor=who)
    elif not inline(service, tx):
        decision = await readers.run(service.decide, tx, book=False, actor=who)
    else:
        decision = service.decide(tx)
    return Response(decision.model_dump_json(by_alias=True), media_type="application/json")


def check_items(tx: Transaction) -> None:
    refused = limits.refusal(tx)
    if refused:
        raise ApiError(422, refused[1], refused[0])


def inline(service: Service, tx: Transaction) -> bool:
    """Whether a plain decision may run on the event loop: a private in-memory ledger, few items."""
    return service.reads_inline and len(tx.items) <= limits.INLINE_ITEMS


@router.get("/decisions", response_model=list[m.BookedDecision], tags=["decisions"],
            responses={200: {"headers": m.NEXT_HEADERS}})
def list_decisions(request: Request, response: Response, _: Viewer, limit: PageLimit = limits.PAGE_DEFAULT,
                   cursor: Cursor = None) -> list[dict]:
    """Booked decisions by transaction id, a page at a time (next page: the `X-Next-Cursor` header)."""
    rows, nxt = svc(request).decisions_page(limit, cursors.read(cursor))
    cursors.link(request, response, nxt)
    return rows


@router.get("/decisions/{transaction_id}", response_model=Decision, tags=["decisions"])
def get_decision(transaction_id: PathId, request: Request, _: Viewer) -> Decision:
    """The decision booked under a transaction id."""
    return svc(request).stored(transaction_id)[0]


@router.post("/classify", response_model=m.Classified, tags=["decisions"])
def post_classify(body: m.ClassifyRequest, _: Viewer) -> m.Classified:
    """Classify one item (3A090 / 4A090 / 4E091) with the working shown."""
    from aidf.rules.ruleset import get_ruleset

    if body.as_of is not None:
        get_ruleset("ai-diffusion-2025").check_date(body.as_of)  # InputError names `date`: no 3A090 test before then
    return m.Classified(**aidf.classify(body.item, as_of=body.as_of).summary())


@router.get("/catalog", response_model=list[m.Chip], tags=["reference"])
def get_catalog(_: Viewer) -> list[m.Chip]:
    from aidf.catalog import load_catalog

    return [m.Chip(**c.row()) for c in load_catalog().values()]


@router.get("/catalog/{chip_id}", response_model=m.Chip, tags=["reference"])
def get_chip(chip_id: PathId, _: Viewer) -> m.Chip:
    from aidf.catalog import get_chip as find

    chip = find(chip_id)
    if chip is None:
        raise ApiError(404, f"unknown catalog id {chip_id!r}", "chip_id")
    return m.Chip(**chip.row())


@router.get("/rulesets", response_model=list[m.RuleSetOut], tags=["reference"])
def get_rulesets(_: Viewer, on: Annotated[Day | None, Query(description="date whose status to report; default today")] = None,
                 ) -> list[m.RuleSetOut]:
    from aidf.rules.ruleset import RULESETS, resolve

    day = on or dt.date.today()
    default = resolve(None, day).ruleset.id  # the set the default timeline (as-written) applies on the day
    out = []
    for rid, rs in RULESETS.items():
        ref, _w = rs.ref(day)
        out.append(m.RuleSetOut(**ref.model_dump(exclude={"timeline"}), default=rid == default))
    return out


@router.get("/parameters", response_model=list[str], tags=["reference"])
def list_parameters(_: Viewer) -> list[str]:
    """Every parameter file (paths mirror 15 CFR)."""
    from aidf.rules.parameters import all_values

    return sorted(all_values())


@router.get("/parameters/{path:path}", response_model=m.ParameterFile, tags=["reference"])
def get_parameters(path: PathId, _: Viewer) -> m.ParameterFile:
    """Values of one parameter file, each with its dates and citations."""
    from aidf.rules.parameters import all_values

    values = all_values().get(path.strip("/"))
    if values is None:
        raise ApiError(404, f"no parameter file {path!r} (GET /v1/parameters lists them)", "path")
    params = []
    for name, history in values.items():
        first = history[0]
        params.append(m.Parameter(name=name, description=first.description, unit=first.unit, history=[
            m.ParameterValue(since=h.since, value=h.value, cite=h.cite, status=h.status) for h in history]))
    return m.ParameterFile(path=path.strip("/"), parameters=params)


@router.get("/accounts", response_model=list[m.Account], tags=["ledger"])
def get_accounts(request: Request, _: Viewer, kind: Annotated[str | None, Query(max_length=64, pattern=NAME_PATTERN)] = None,
                 country: Annotated[str | None, Query(max_length=8, pattern=NAME_PATTERN)] = None) -> list[dict]:
    """Ledger accounts with balances: posted, reserved (pending), used, limit and left, in TPP."""
    rows = svc(request).accounts(kind)
    return [r for r in rows if country is None or r.get("country") == country.upper()]


@router.get("/accounts/{account_id}", response_model=m.Account, tags=["ledger"])
def get_account(account_id: PathId, request: Request, _: Viewer) -> dict:
    return svc(request).account(account_id)


@router.get("/accounts/{account_id}/history", response_model=list[m.Transfer], tags=["ledger"],
            responses={200: {"headers": m.NEXT_HEADERS}})
def get_history(account_id: PathId, request: Request, response: Response, _: Viewer,
                limit: PageLimit = limits.PAGE_DEFAULT, cursor: Cursor = None) -> list[dict]:
    """Transfers on the account, oldest first, a page at a time."""
    rows, nxt = svc(request).history_page(account_id, limit, cursors.read(cursor))
    cursors.link(request, response, nxt)
    return rows


@router.get("/licenses", response_model=list[m.License], tags=["ledger"], responses={200: {"headers": m.NEXT_HEADERS}})
def get_licenses(request: Request, response: Response, _: Viewer, limit: PageLimit = limits.PAGE_DEFAULT,
                 cursor: Cursor = None) -> list[dict]:
    """Recorded licenses by number, a page at a time."""
    rows, nxt = svc(request).licenses_page(limit, cursors.read(cursor))
    cursors.link(request, response, nxt)
    return rows


@router.post("/licenses", response_model=m.License, status_code=201, tags=["ledger"])
def post_license(body: m.LicenseIn, request: Request, who: Officer) -> dict:
    """Record an individual license (officer); the same content again is a no-op."""
    if body.valid_to < body.valid_from:
        raise ApiError(422, "valid_to is before valid_from", "valid_to")
    return svc(request).record_license(body.number, body.tpp, body.valid_from, body.valid_to,
                                       body.parties, body.conditions, who)


@router.get("/holds", response_model=list[m.Hold], tags=["ledger"], responses={200: {"headers": m.NEXT_HEADERS}})
def get_holds(request: Request, response: Response, _: Viewer, status: Literal["open", "released", "all"] = "open",
              limit: PageLimit = limits.PAGE_DEFAULT, cursor: Cursor = None) -> list[dict]:
    """Shipments held because they need a license or review, oldest first, a page at a time."""
    rows, nxt = svc(request).holds_page(status, limit, cursors.read(cursor))
    cursors.link(request, response, nxt)
    return rows


@router.post("/holds/{transaction_id}/release", response_model=m.Hold, tags=["ledger"])
def release_hold(transaction_id: PathId, body: m.ReleaseIn, request: Request,
                 who: Officer) -> dict:
    """Release a hold by a recorded license or by an override with a written reason (officer)."""
    if (body.license is None) == (body.reason is None):
        raise ApiError(422, "give exactly one of: license (a recorded license number) or reason (an override)", "license")
    return svc(request).release(transaction_id, who, license=body.license, reason=body.reason,
                                shipped_on=body.shipped_on)


@router.get("/audit", response_model=list[m.AuditEntry], tags=["ledger"], responses={200: {"headers": m.NEXT_HEADERS}})
def get_audit(request: Request, response: Response, _: Officer, limit: Annotated[int, Query(ge=1, le=5000)] = 200,
              cursor: Cursor = None) -> list[dict]:
    """The ledger's audit log, newest `limit` entries (newest last); `cursor` pages back to older ones."""
    rows, nxt = svc(request).audit_page(limit, cursors.read(cursor))
    cursors.link(request, response, nxt)
    return rows


Head = Annotated[str | None, Query(pattern=audit.HEAD_PATTERN, max_length=100,
                                   description="SEQ:HASH kept from an earlier verify: detects truncation")]


@router.get("/audit/verify", response_model=m.Verify, tags=["ledger"])
def verify_audit(request: Request, _: Officer, expect_head: Head = None, expect_keys_head: Head = None) -> m.Verify:
    """Recompute the ledger's keyed audit chain (every record, the balances) and the API keys' chain."""
    service = svc(request)
    report = service.ledger.verify(expect_head)
    keys = service.keys.verify(expect_keys_head)
    return m.Verify(ok=report.ok and keys.ok, entries=report.entries, report=str(report), head=report.head,
                    keys=m.ChainCheck(ok=keys.ok, entries=keys.entries, report=str(keys), head=keys.head))


MemoFormat = Annotated[str, Query(pattern="^(html|pdf)$", description="html or pdf")]


@router.get("/memos/{transaction_id}", tags=["memos"], response_class=Response,
            responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def get_memo(transaction_id: PathId, request: Request, _: Viewer, format: MemoFormat = "html") -> Response:
    """Determination memo of a booked transaction."""
    from aidf.memo import memo_for_booked

    memo = memo_for_booked(svc(request), transaction_id)
    return _memo_response(memo, format)


@router.post("/memos", tags=["memos"], response_class=Response,
             responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def post_memo(tx: Transaction, request: Request, who: Analyst, format: MemoFormat = "html") -> Response:
    """Determination memo for a transaction decided now and not booked."""
    from aidf.memo import memo_for_decision

    check_items(tx)
    decision = svc(request).decide(tx, book=False)
    memo = memo_for_decision(decision, tx.model_dump(mode="json", exclude_none=True),
                             {"decided_by": who.name, "booked": False})
    return _memo_response(memo, format)


def _memo_response(memo, format: str) -> Response:
    if format == "pdf":
        return Response(memo.pdf(), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{memo.filename}.pdf"'})
    return HTMLResponse(memo.html)


@router.get("/keys", response_model=list[m.KeyOut], tags=["access"])
def get_keys(request: Request, _: Admin) -> list[dict]:
    return svc(request).keys.list()


@router.post("/keys", response_model=m.NewKey, status_code=201, tags=["access"], responses={201: {"links": KEY_LINKS}})
def post_key(body: m.KeyIn, request: Request, who: Admin) -> dict:
    """Make a key (admin); the key is in this answer only."""
    try:
        key, row = svc(request).keys.create(body.name, body.role, actor=who.name)
    except ValueError as e:  # an empty name or one with control characters
        raise ApiError(422, str(e), "role" if "role" in str(e) else "name") from None
    return row | {"key": key}


@router.delete("/keys/{key_id}", status_code=204, tags=["access"])
def delete_key(key_id: PathId, request: Request, who: Admin) -> Response:
    """Revoke a key (admin): every request and dashboard session with it is refused from now on.
    The last live admin key cannot be revoked (409)."""
    from aidf.service.keys import LastAdminError

    try:
        revoked = svc(request).keys.revoke(key_id, actor=f"{who.key_id} ({who.name})")
    except LastAdminError as e:
        raise ApiError(409, str(e), "key_id") from None
    if not revoked:
        raise ApiError(404, f"no live key {key_id!r}", "key_id")
    return Response(status_code=204)


@router.patch("/keys/{key_id}", response_model=m.KeyOut, tags=["access"])
def patch_key(key_id: PathId, body: m.KeyRole, request: Request, who: Admin) -> dict:
    """Change a live key's role (admin); requests and sessions with it follow within seconds.
    The last live admin key keeps its role (409)."""
    from aidf.service.keys import LastAdminError

    try:
        row = svc(request).keys.set_role(key_id, body.role, actor=f"{who.key_id} ({who.name})")
    except LastAdminError as e:
        raise ApiError(409, str(e), "key_id") from None
    if row is None:
        raise ApiError(404, f"no live key {key_id!r}", "key_id")
    return row
