"""One error shape for every refusal: {"error": {"field": dotted.path | null, "reason": text}}.

Callers fix their input by the field name, so validation errors keep pydantic's location as a
dotted path (items.0.quantity) and nothing a caller sends turns into a 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from aidf.errors import InputError
from aidf.ledger import HoldError, IdempotencyConflict, LedgerError, LimitExceeded, UnknownError

log = logging.getLogger("aidf.service")


class ErrorDetail(BaseModel):
    field: str | None = None
    reason: str


class ErrorBody(BaseModel):
    error: ErrorDetail
    errors: list[ErrorDetail] | None = None


class ApiError(Exception):
    """Raised by handlers to refuse a request with a status, a field and a reason."""

    def __init__(self, status: int, reason: str, field: str | None = None):
        self.status, self.reason, self.field = status, reason, field
        super().__init__(reason)


def body(status: int, reason: str, field: str | None = None, more: list[dict] | None = None) -> JSONResponse:
    content: dict = {"error": {"field": field, "reason": reason}}
    if more:
        content["errors"] = more
    return JSONResponse(content, status_code=status)


def dotted(loc: tuple | list, drop_source: bool = True) -> str:
    parts = list(loc)
    if drop_source and parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def validation_items(errors: list[dict], drop_source: bool = True) -> list[dict]:
    out = []
    for e in errors:
        loc = e.get("loc", ())
        if e.get("type") == "json_invalid":
            out.append({"field": "body", "reason": f"malformed JSON: {e.get('ctx', {}).get('error', e.get('msg'))}"})
            continue
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        out.append({"field": dotted(loc, drop_source), "reason": msg})
    return out


RESPONSES = {
    401: {"model": ErrorBody, "description": "missing or unknown API key"},
    403: {"model": ErrorBody, "description": "the key's role may not do this"},
    404: {"model": ErrorBody, "description": "no such thing"},
    409: {"model": ErrorBody, "description": "conflicts with what the ledger holds"},
    413: {"model": ErrorBody, "description": "request body over the size limit"},
    422: {"model": ErrorBody, "description": "bad input; `field` names it"},
    503: {"model": ErrorBody, "description": "the ledger database is busy; retry after the Retry-After seconds"},
}


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _request_validation(_: Request, exc: RequestValidationError):
        items = validation_items(list(exc.errors()))
        first = items[0] if items else {"field": None, "reason": "invalid request"}
        return body(422, first["reason"], first["field"], items)

    @app.exception_handler(ValidationError)
    async def _validation(_: Request, exc: ValidationError):
        items = validation_items(exc.errors(), drop_source=False)
        return body(422, items[0]["reason"], items[0]["field"], items)

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError):
        return body(422, exc.reason, exc.field)

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError):
        return body(exc.status, exc.reason, exc.field)

    @app.exception_handler(IdempotencyConflict)
    async def _conflict(_: Request, exc: IdempotencyConflict):
        return body(409, str(exc), "id")

    @app.exception_handler(LimitExceeded)
    async def _limit(_: Request, exc: LimitExceeded):
        return body(409, str(exc), "items")

    @app.exception_handler(UnknownError)
    async def _unknown(_: Request, exc: UnknownError):
        return body(404, str(exc))

    @app.exception_handler(HoldError)
    async def _hold(_: Request, exc: HoldError):
        return body(409, str(exc))

    @app.exception_handler(LedgerError)
    async def _ledger(_: Request, exc: LedgerError):
        return body(422, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException):
        return body(exc.status_code, str(exc.detail), headers_field(exc))

    # Anything else (a crash, a busy database) is answered by guard.py, which keeps the connection open.


def headers_field(exc: HTTPException) -> str | None:
    return "X-API-Key" if exc.status_code in (401, 403) else None
