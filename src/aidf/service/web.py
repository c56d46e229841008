"""The dashboard: server-rendered pages over the same Service the API uses.

Sign-in is by API key. The session (sessions.py, in the database so every worker shares it) keeps
the key's id, not its role: each request asks the key store who the key is now, so revocation and
role changes reach signed-in browsers too. Handlers that read the session or the ledger run in the
thread pool (plain `def`, or an async handler that only awaits the form and hands over).
With `local_dashboard`, a browser on this machine is signed in as the local officer without a key;
that mode is only switched on for a loopback bind, and requests must also name a loopback Host
(so a web page elsewhere cannot reach it by DNS rebinding). Every form carries a CSRF token.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from aidf import people
from aidf.errors import InputError
from aidf.ledger import IdempotencyConflict, LedgerError
from aidf.model import DATE_MAX, DATE_MIN, MAX_ID, NAME_PATTERN, Day, Transaction
from aidf.screening.words import screening_rows
from aidf.service import charts, limits, views
from aidf.service.core import Service, h100_tpp
from aidf.service.keys import Principal
from aidf.service.options_api import decide_with_options
from aidf.service.options_web import options_view
from aidf.service.sessions import Session, SessionStore

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["num"] = lambda v, d=0: "" if v is None else people.number(v, d)
templates.env.globals["people"] = people
templates.env.globals["screening_rows"] = screening_rows
templates.env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, sort_keys=True, default=str)
router = APIRouter(include_in_schema=False)
PageNo = Annotated[int, Query(alias="page", ge=1, le=10**6)]
COOKIE = "aidf_session"
LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}
LOCAL = Principal("local-dashboard", "officer", "local")
ITEM_ROWS = 3
OVERVIEW_ROWS = 50  # holds and licenses listed on the overview (the holds page pages through all)
PathId = Annotated[str, PathParam(min_length=1, max_length=MAX_ID, pattern=NAME_PATTERN)]


class NeedLogin(Exception):
    pass


@dataclass
class Signed:
    """Who this request is signed in as: looked up afresh from the key behind the session."""

    who: Principal
    csrf: str
    rules: str | None = None
    stored: Session | None = None  # None: a local session not yet stored (page() stores it)


def _store(request: Request) -> SessionStore:
    return request.app.state.service.keys.sessions


def _host_is_loopback(request: Request) -> bool:
    host = (request.headers.get("host") or "").rsplit(":", 1)[0].strip("[]")
    client = request.client.host if request.client else ""
    return host in LOOPBACK and client in LOOPBACK


def session(request: Request) -> Signed | None:
    """The signed-in session of this request (read once per request; database reads: call off the loop).

    A stored session stands for its key *now*: a revoked key ends it, a changed role applies."""
    if "signed" not in request.state._state:
        request.state.signed = _load(request)
    return request.state.signed


def _load(request: Request) -> Signed | None:
    store, cookie = _store(request), request.cookies.get(COOKIE)
    stored = store.get(cookie)
    if stored is not None:
        who = _principal(request, stored.key_id)
        if who is not None:
            return Signed(who, stored.csrf, stored.rules, stored)
        store.end(cookie)  # the key was revoked: the session ends with it
    if request.app.state.local_dashboard and _host_is_loopback(request):
        return Signed(LOCAL, secrets.token_urlsafe(24))
    return None


def _principal(request: Request, key_id: str) -> Principal | None:
    if key_id == LOCAL.key_id:  # the keyless local officer, only while that mode is on and for loopback
        return LOCAL if request.app.state.local_dashboard and _host_is_loopback(request) else None
    return request.app.state.service.keys.principal(key_id)


def _set_cookie(resp: Response, sid: str) -> None:
    resp.set_cookie(COOKIE, sid, httponly=True, samesite="strict", max_age=limits.SESSION_MAX_S)


def page(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    s = session(request)
    if s is None:
        return RedirectResponse("/login", status_code=303)
    service: Service = request.app.state.service
    base = {"who": s.who, "csrf": s.csrf, "ledger": service.label, "today": dt.date.today(),
            "rules_pick": s.rules}
    resp = templates.TemplateResponse(request, name, base | ctx, status_code=status)
    if s.stored is None:
        sid, s.stored = _store(request).start(s.who.key_id, s.csrf)
        _set_cookie(resp, sid)
    return resp


def _check(request: Request, csrf: str, role: str = "viewer") -> Principal:
    s = session(request)
    if s is None or s.stored is None or not secrets.compare_digest(csrf or "", s.csrf):
        raise NeedLogin()
    if not s.who.may(role):
        raise PermissionError(f"this needs the {role} role; you are signed in as {s.who.role}")
    return s.who


async def _form(request: Request) -> dict[str, Any]:
    return dict((await request.form()).items())


async def _signed_form(request: Request, role: str, refuse):
    """The posted form, who posted it and the answer for a refusal; the session is read off the loop."""
    form = await _form(request)
    who, refused = await run_in_threadpool(_signed, request, form, role, refuse)
    return form, who, refused


def _signed(request: Request, form: dict[str, Any], role: str, refuse):
    """Who posted the form, or the answer for a missing sign-in or a role too low (403)."""
    try:
        return _check(request, form.get("csrf", ""), role), None
    except NeedLogin:
        return None, RedirectResponse("/login", status_code=303)
    except PermissionError as e:
        return None, refuse(form, e)


# ---- sign-in -----------------------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, error: str | None = None):
    return templates.TemplateResponse(request, "login.html", {"error": error})


@router.post("/login")
def login(request: Request, key: str = Form(..., max_length=200)):
    who = request.app.state.service.keys.check(key)
    if who is None:
        return templates.TemplateResponse(request, "login.html", {"error": "unknown or revoked API key"},
                                          status_code=401)
    resp = RedirectResponse("/", status_code=303)
    _store(request).end(request.cookies.get(COOKIE))  # a new sign-in replaces the old session
    _set_cookie(resp, _store(request).start(who.key_id)[0])
    return resp


@router.post("/logout")
def logout(request: Request):
    """Sign out: the session ends on the server, so its cookie is worthless from now on."""
    _store(request).end(request.cookies.get(COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


# ---- overview ----------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def overview(request: Request, on: Annotated[Day | None, Query()] = None,
             year: Annotated[int | None, Query(ge=DATE_MIN.year, le=DATE_MAX.year)] = None,
             start: Annotated[Day | None, Query()] = None, end: Annotated[Day | None, Query()] = None,
             page_no: PageNo = 1):
    service: Service = request.app.state.service
    if session(request) is None:
        return RedirectResponse("/login", status_code=303)
    day = on or dt.date.today()
    years = views.lpp_years(service)
    year = year or (years[0] if years else day.year)
    allocs = views.allocations(service, day)
    return page(request, "overview.html", {
        "on": day, "map": charts.tier_map(views.tier_function(day), views.country_names()),
        "allocations": allocs, "bar": charts.bar, "lpp": views.lpp_top(service, year), "year": year,
        "years": years, "queue": views.hold_rows(service, "open", page_no),
        "licenses": service.licenses(limit=OVERVIEW_ROWS), "bookings": views.latest(service, 15), "h100": h100_tpp(day),
        "counts": views.counts(service, start, end), "start": start, "end": end})


@router.get("/allocations/{country}", response_class=HTMLResponse)
def allocation(request: Request, country: str):
    service: Service = request.app.state.service
    code = country.strip().upper()
    if len(code) != 2 or not people.is_country(code):
        return page(request, "message.html", {"title": "Not a country",
                                              "message": f"{country!r} is not an ISO 3166-1 country code."}, 404)
    day = dt.date.today()
    rows = [a for a in views.allocations(service, day) if a.get("country") == code]
    charts_html = [(a, charts.step_chart(views.series(service, a["id"]), a["limit_tpp"])) for a in rows]
    tier, says = views.tier_says(code, day)
    return page(request, "allocation.html", {"code": code, "name": people.country_name(code), "rows": charts_html,
                                             "h100": h100_tpp(), "tier": tier, "says": says, "on": day})


# ---- decisions ---------------------------------------------------------------------------------

def _form_context(request: Request, values: dict[str, Any] | None = None, error: dict | None = None) -> dict:
    from aidf.catalog import load_catalog
    from aidf.rules.ruleset import DEFAULT_RULES, RULE_IDS

    s = session(request)
    v = {"id": f"WEB-{dt.datetime.now():%Y%m%d-%H%M%S}", "date": dt.date.today().isoformat(), "action": "export",
         "rules": (s.rules if s else None) or DEFAULT_RULES, "direct": "on"} | (values or {})
    chips = sorted(load_catalog().values(), key=lambda c: (c.vendor, c.model))
    from aidf.model import LISTED_ECCNS

    return {"v": v, "chips": chips, "rulesets": {rid: rid for rid in RULE_IDS}, "error": error, "rows": range(ITEM_ROWS),
            "listed_eccns": LISTED_ECCNS, "end_use_words": people.end_use}


@router.get("/decide", response_class=HTMLResponse)
def decide_form(request: Request):
    # An option's link fills the form with the changed transaction (see options_web.py).
    return page(request, "decide.html", _form_context(request, dict(request.query_params) or None))


def transaction_from_form(f: dict[str, Any]) -> dict[str, Any]:
    """The contract transaction a filled-in form stands for (validation is left to the model)."""
    def party(prefix: str) -> dict[str, Any] | None:
        name = (f.get(f"{prefix}_name") or "").strip()
        if not name:
            return None
        p: dict[str, Any] = {"name": name, "country": (f.get(f"{prefix}_country") or "").strip().upper()}
        for key in ("headquarters", "ultimate_parent_headquarters"):
            val = (f.get(f"{prefix}_{key}") or "").strip().upper()
            if val:
                p[key] = val
        sector = f.get(f"{prefix}_sector")
        if sector in ("private", "public"):
            p["private_sector"] = sector == "private"
        if prefix == "uc" and f.get("veu_type") in ("UVEU", "NVEU"):
            p["veu"] = {"type": f["veu_type"], "id": (f.get("veu_id") or "").strip()}
        return p

    items = []
    for i in range(ITEM_ROWS):
        chip, qty = f.get(f"chip_{i}"), (f.get(f"qty_{i}") or "").strip()
        if chip:
            item: dict[str, Any] = {"catalog": chip}
            if qty:  # a blank quantity is refused by the model, naming items.N.quantity; never taken as 1
                item["quantity"] = _int(qty, None)
            if f.get(f"form_{i}") == "computer":
                item |= {"form": "computer", "chips_per_unit": _int(f.get(f"cpu_{i}"), 8)}
            if f.get(f"listed_{i}"):
                item["listed_eccn"] = f[f"listed_{i}"]
            items.append(item)
    ops = (f.get("weights_ops") or "").strip()
    if ops:
        items.append({"model_weights": {"training_operations": _num(ops), "published": f.get("weights_published") == "on"}})
    tx: dict[str, Any] = {"id": (f.get("id") or "").strip(), "date": f.get("date"), "action": f.get("action"),
                          "destination": (f.get("destination") or "").strip().upper(), "items": items,
                          "parties": {"ultimate_consignee": party("uc")},
                          "direct_to_consignee": f.get("direct") == "on"}
    eu = party("eu")
    if eu:
        tx["parties"]["end_user"] = eu
    if f.get("end_use"):
        tx["end_use"] = f["end_use"]
    region = (f.get("destination_region") or "").strip().upper()
    if region:
        tx["destination_region"] = region
    if f.get("rules"):
        tx["rules"] = f["rules"]
    return tx


def _int(v: Any, default: int) -> Any:
    try:
        return int(str(v).strip()) if str(v).strip() else default
    except ValueError:
        return v  # let the model name the field


def _num(v: str) -> Any:
    try:
        return float(v)
    except ValueError:
        return v


@router.post("/decide", response_class=HTMLResponse)
async def decide_submit(request: Request):
    return await run_in_threadpool(_decide_submit, request, await _form(request))


def _decide_submit(request: Request, form: dict[str, Any]):
    who, refused = _signed(request, form, "analyst", lambda form, e: page(
        request, "decide.html", _form_context(request, form, {"field": "role", "reason": str(e)}), 403))
    if refused is not None:
        return refused
    book = form.get("book") == "on"
    s = session(request)
    if form.get("rules") and s is not None and s.stored is not None and form["rules"] != s.rules:
        _store(request).set_rules(s.stored, str(form["rules"])[:64])
        s.rules = s.stored.rules
    try:
        if book and not who.may("officer"):
            raise PermissionError("booking needs the officer role")
        tx = Transaction.model_validate(transaction_from_form(form))
        refused_items = limits.refusal(tx)
        if refused_items:
            raise InputError(*refused_items)
        decision = decide_with_options(request.app.state.service, tx, book, who)
    except ValidationError as e:
        err = e.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "transaction"
        reason = str(err["msg"]).removeprefix("Value error, ")
        return page(request, "decide.html", _form_context(request, form, {"field": field, "reason": reason}), 422)
    except InputError as e:
        return page(request, "decide.html", _form_context(request, form, {"field": e.field, "reason": e.reason}), 422)
    except IdempotencyConflict as e:
        return page(request, "decide.html", _form_context(request, form, {"field": "id", "reason": str(e)}), 409)
    except PermissionError as e:
        return page(request, "decide.html", _form_context(request, form, {"field": "role", "reason": str(e)}), 403)
    except LedgerError as e:
        return page(request, "decide.html", _form_context(request, form, {"field": None, "reason": str(e)}), 409)
    tx_json = tx.model_dump(mode="json", exclude_none=True)
    return page(request, "answer.html", {"d": decision, "tx": tx_json, "booked": book,
                                         "tx_text": json.dumps(tx_json, sort_keys=True),
                                         "options": options_view(decision, tx.model_dump(mode="json", exclude_unset=True))})


@router.get("/decisions/{transaction_id}", response_class=HTMLResponse)
def decision_page(request: Request, transaction_id: PathId):
    service: Service = request.app.state.service
    try:
        decision, meta = service.stored(transaction_id)
    except LedgerError:
        return page(request, "message.html", {"title": "Not found",
                                              "message": f"No booked transaction {transaction_id!r}."}, 404)
    tx = meta.get("transaction")
    return page(request, "answer.html", {"d": decision, "tx": tx, "booked": True, "meta": meta,
                                         "tx_text": json.dumps(tx, sort_keys=True) if tx else ""})


# ---- memos -------------------------------------------------------------------------------------

@router.get("/memo/{transaction_id}.{ext}")
def memo_booked(request: Request, transaction_id: PathId, ext: str):
    from aidf.memo import memo_for_booked

    if session(request) is None:
        return RedirectResponse("/login", status_code=303)
    if ext not in ("pdf", "html"):
        return Response("memo format is pdf or html", status_code=404)
    try:
        memo = memo_for_booked(request.app.state.service, transaction_id)
    except LedgerError:
        return Response(f"no booked transaction {transaction_id!r}", status_code=404)
    return _memo(memo, ext)


@router.post("/memo")
async def memo_unbooked(request: Request):
    return await run_in_threadpool(_memo_unbooked, request, await _form(request))


def _memo_unbooked(request: Request, form: dict[str, Any]):
    from aidf.memo import memo_for_decision

    who, refused = _signed(request, form, "analyst", lambda form, e: Response(str(e), status_code=403))
    if refused is not None:
        return refused
    try:
        tx = Transaction.model_validate_json(form.get("transaction") or "")
        refused_items = limits.refusal(tx)
        if refused_items:
            raise InputError(*refused_items)
        decision = decide_with_options(request.app.state.service, tx, False, who)
    except (ValidationError, InputError) as e:
        return Response(f"cannot make a memo of this transaction: {e}", status_code=422)
    options, decision = decision.options, decision.model_copy(update={"options": None})
    memo = memo_for_decision(decision, tx.model_dump(mode="json", exclude_none=True),
                             {"decided_by": who.name, "booked": False}, options=options)
    return _memo(memo, form.get("format", "pdf"))


def _memo(memo, ext: str) -> Response:
    if ext == "html":
        return HTMLResponse(memo.html)
    return Response(memo.pdf(), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{memo.filename}.pdf"'})


# ---- holds and licenses ------------------------------------------------------------------------

@router.get("/holds", response_class=HTMLResponse)
def holds_page(request: Request, status: str = "open", message: Annotated[str | None, Query(max_length=500)] = None,
               page_no: PageNo = 1):
    return _holds(request, status, message, page_no)


def _holds(request: Request, status: str = "open", message: str | None = None, page_no: int = 1, code: int = 200):
    """The holds page; `code` is the status of a refusal shown on it (403, 409, 422)."""
    service: Service = request.app.state.service
    status = status if status in ("open", "released", "all") else "open"
    queue = views.hold_rows(service, status, page_no)
    return page(request, "holds.html", {"queue": queue, "holds": queue["rows"], "status": status,
                                        "licenses": service.licenses(limit=limits.PAGE_MAX), "message": message},
                status=code if code in (403, 409, 422) else 200)


def _refused_here(request: Request):
    """The holds page, answered 403, for a role too low to release or record."""
    return lambda form, e: _holds(request, message=str(e), code=403)


@router.post("/holds/{transaction_id}/release")
async def release(request: Request, transaction_id: PathId):
    return await run_in_threadpool(_release, request, transaction_id, await _form(request))


def _release(request: Request, transaction_id: str, form: dict[str, Any]):
    who, refused = _signed(request, form, "officer", _refused_here(request))
    if refused is not None:
        return refused
    license = (form.get("license") or "").strip() or None
    reason = (form.get("reason") or "").strip() or None
    if (license is None) == (reason is None):
        return _holds(request, message="Give a recorded license number or an override reason (one of the two).",
                      code=422)
    try:
        request.app.state.service.release(transaction_id, who, license=license, reason=reason)
    except LedgerError as e:
        return _holds(request, message=f"Not released: {e}", code=409)
    return RedirectResponse(f"/holds?message=Released+{transaction_id}", status_code=303)


@router.post("/licenses")
async def add_license(request: Request):
    return await run_in_threadpool(_add_license, request, await _form(request))


def _add_license(request: Request, form: dict[str, Any]):
    who, refused = _signed(request, form, "officer", _refused_here(request))
    if refused is not None:
        return refused
    try:
        request.app.state.service.record_license(
            form.get("number", "").strip(), float(form.get("tpp") or 0), dt.date.fromisoformat(form.get("valid_from", "")),
            dt.date.fromisoformat(form.get("valid_to", "")), None, None, who)
    except (ValueError, LedgerError) as e:
        return _holds(request, message=f"License not recorded: {e}", code=422)
    return RedirectResponse("/holds?message=License+recorded", status_code=303)


# ---- reference -----------------------------------------------------------------------------------

@router.get("/parameters", response_class=HTMLResponse)
def parameters_page(request: Request, path: str | None = None):
    from aidf.rules.parameters import all_values

    files = all_values()
    chosen = path if path in files else None
    return page(request, "parameters.html", {"files": sorted(files), "path": chosen,
                                             "values": files.get(chosen or "", {}),
                                             "shown": people.parameter_value})


@router.get("/rulesets", response_class=HTMLResponse)
def rulesets_page(request: Request, on: Annotated[Day | None, Query()] = None):
    from aidf.rules.ruleset import RULESETS, resolve

    day = on or dt.date.today()
    rows = [(rs, rs.status(day)) for rs in RULESETS.values()]
    # The default is the as-written timeline: the set it applies on this date is marked.
    return page(request, "rulesets.html", {"rows": rows, "on": day, "default": resolve(None, day).ruleset.id})


@router.post("/rulesets")
async def pick_ruleset(request: Request):
    return await run_in_threadpool(_pick_ruleset, request, await _form(request))


def _pick_ruleset(request: Request, form: dict[str, Any]):
    from aidf.rules.ruleset import RULE_IDS

    try:
        _check(request, form.get("csrf", ""))
    except (NeedLogin, PermissionError):
        return RedirectResponse("/login", status_code=303)
    s = session(request)
    if s is not None and s.stored is not None and form.get("rules") in RULE_IDS:
        _store(request).set_rules(s.stored, form["rules"])
    return RedirectResponse("/decide", status_code=303)
