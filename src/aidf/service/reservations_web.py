"""The reservations page of the dashboard (issue 10): bookings whose draws are still reserved, a page at a
time, with the officer's Post and Void (a signed form like the holds page; a void needs a reason).

Posting moves a transaction's reservations from reserved to used (the shipment went); voiding gives the
room back (it will not go). Both act on the transaction's whole linked group, all or none, and the
ledger audits them under the officer's key id and name, as the API does.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from aidf.ledger import LedgerError
from aidf.service import views
from aidf.service.transfers import actor_of
from aidf.service.web import PageNo, PathId, _form, _signed, page

router = APIRouter(include_in_schema=False)
MAX_REASON = 2000  # as the API's void body


@router.get("/reservations", response_class=HTMLResponse)
def reservations_page(request: Request, message: Annotated[str | None, Query(max_length=500)] = None,
                      page_no: PageNo = 1):
    return _page(request, message, page_no)


def _page(request: Request, message: str | None = None, page_no: int = 1, code: int = 200):
    """The page; `code` is the status of a refusal shown on it (403, 409, 422)."""
    queue = views.reservation_rows(request.app.state.service, page_no)
    return page(request, "reservations.html", {"queue": queue, "rows": queue["rows"], "message": message,
                                               "anchor": "reservations"},
                status=code if code in (403, 409, 422) else 200)


@router.post("/reservations/{transaction_id}/{how}")
async def resolve(request: Request, transaction_id: PathId, how: str):
    return await run_in_threadpool(_resolve, request, transaction_id, how, await _form(request))


def _resolve(request: Request, transaction_id: str, how: str, form: dict[str, Any]):
    if how not in ("post", "void"):
        return _page(request, message=f"Unknown action {how!r}: post or void.", code=422)
    who, refused = _signed(request, form, "officer", lambda f, e: _page(request, message=str(e), code=403))
    if refused is not None:
        return refused
    reason = (form.get("reason") or "").strip() or None
    if how == "void" and reason is None:
        return _page(request, message=f"Not voided: give a reason for voiding {transaction_id}.", code=422)
    if reason is not None and len(reason) > MAX_REASON:
        return _page(request, message=f"Not done: the reason is longer than {MAX_REASON:,} characters.", code=422)
    try:
        done = request.app.state.service.resolve(transaction_id, how, actor_of(who), reason)
    except LedgerError as e:
        return _page(request, message=f"Not {'posted' if how == 'post' else 'voided'}: {e}", code=409)
    n = len(done)
    words = (f"Posted {transaction_id}: {n} reservation{'s' if n != 1 else ''} now count as used."
             if how == "post" else
             f"Voided {transaction_id}: {n} reservation{'s' if n != 1 else ''} released back to the allocation "
             f"(reason: {_short(reason or '')}).")
    return RedirectResponse("/reservations?" + urlencode({"message": words}), status_code=303)


def _short(text: str, n: int = 200) -> str:
    """The notice travels in the page's address (at most 500 characters): a long reason is cut there;
    the audit log keeps it whole."""
    return text if len(text) <= n else text[:n - 1] + "…"
