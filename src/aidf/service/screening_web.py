"""The screening page of the dashboard: a search box, the matches with a bar per feature, and the
officer's clear button (a signed form; no inline script, so the page runs under a strict CSP)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from aidf.errors import InputError
from aidf.ledger import LedgerError
from aidf.service.web import _signed_form, page

router = APIRouter(include_in_schema=False)


@router.get("/screen", response_class=HTMLResponse)
def screen_page(request: Request, q: str = Query("", max_length=500), country: str = Query("", max_length=8),
                message: str | None = Query(None, max_length=500)):
    """A plain (threadpool) handler: the session, the list and the look-up all read the database."""
    from aidf.screening import store
    from aidf.screening.check import lookup

    ledger = request.app.state.service.ledger
    result, error = None, None
    if q.strip():
        try:
            result = lookup(ledger, q, country or None)
        except InputError as e:
            error = str(e)
    versions = store.versions(ledger)
    return page(request, "screen.html", {"q": q, "country": country, "result": result, "error": error,
                                         "message": message, "version": versions[0].row() if versions else None,
                                         "clearances": store.clearance_log(ledger, 20)})


@router.post("/screen/clear")
async def clear(request: Request):
    from aidf.screening import store
    from aidf.screening.check import country_of

    form, who, refused = await _signed_form(
        request, "officer", lambda form, e: RedirectResponse("/screen?" + urlencode({"message": str(e)}), 303))
    if refused is not None:
        return refused
    q, country = form.get("party", ""), form.get("country") or ""
    back = {"q": q, "country": country}
    try:
        c = await run_in_threadpool(store.clear, request.app.state.service.ledger, q, country_of(country),
                                    form.get("entry_id", ""), None, form.get("reason", ""), who.name)
        back["message"] = f"Cleared {c['party']} against {c['list']} entry {c['entry_name']} ({c['entry_id']})."
    except (InputError, LedgerError) as e:
        back["message"] = f"Not cleared: {e}"
    return RedirectResponse("/screen?" + urlencode(back), status_code=303)
