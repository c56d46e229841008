"""The outermost layer of every request: what holds for all routes alike.

- one `X-API-Key` header at most: two are refused with 400 (never read one way here, another there);
- a body over its limit (limits.body_limit: 1 MiB, an order book upload 64 MiB) is refused with 413
  before it is read;
- security headers on every answer (CSP without inline scripts, nosniff, no referrer, no framing);
- a database that is locked or unreachable answers 503 with Retry-After; any other crash answers a
  500 in the error shape *without* re-raising, so the keep-alive connection stays open for the next
  request (Starlette's outer error layer would re-raise, and the server then drops the connection).
"""

from __future__ import annotations

import json
import logging

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aidf.service import limits

log = logging.getLogger("aidf.service")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
DB_BUSY = (OperationalError, PoolTimeout)


class BodyTooLarge(Exception):
    pass


def error_message(status: int, reason: str, field: str | None, extra: list[tuple[bytes, bytes]] = ()):
    body = json.dumps({"error": {"field": field, "reason": reason}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    return {"type": "http.response.start", "status": status, "headers": headers}, body


class Guard:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        keys = length = 0
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                keys += 1
            elif name == b"content-length":
                length = int(value) if value.isdigit() else 0
        if keys > 1:
            return await _answer(send, 400, f"send one X-API-Key header (got {keys})", "X-API-Key")
        limit = limits.body_limit(scope["path"])
        if length > limit:
            return await _answer(send, 413, _too_large(limit), "body")
        started = False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        try:
            await self.app(scope, _counted(receive, limit), send_secured)
        except Exception as exc:  # answered here, never re-raised: the connection lives on
            if started:
                raise
            await _failed(scope, exc, send, limit)  # _answer adds the security headers itself
        return None


async def _failed(scope: Scope, exc: Exception, send: Send, limit: int) -> None:
    if isinstance(exc, BodyTooLarge):
        return await _answer(send, 413, _too_large(limit), "body")
    if isinstance(exc, DB_BUSY):
        log.warning("database busy on %s %s: %s", scope["method"], scope["path"], exc.__class__.__name__)
        return await _answer(send, 503, "the ledger database is busy or unreachable; try again shortly", None,
                             [(b"retry-after", str(limits.RETRY_AFTER_S).encode())])
    log.error("unhandled error on %s %s", scope["method"], scope["path"], exc_info=exc)
    return await _answer(send, 500, f"internal error ({type(exc).__name__}); "
                         "the request changed nothing it could not undo", None)


def _too_large(limit: int) -> str:
    return f"request body larger than the limit of {limit:,} bytes"


async def _answer(send: Send, status: int, reason: str, field: str | None,
                  extra: list[tuple[bytes, bytes]] = ()) -> None:
    start, body = error_message(status, reason, field, list(extra))
    start["headers"] = start["headers"] + SECURITY_HEADERS
    await send(start)
    await send({"type": "http.response.body", "body": body})


def _counted(receive: Receive, limit: int) -> Receive:
    """A receive() that stops a body sent without (or beyond) its Content-Length at the limit."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge()
        return message

    return counted


def install(app) -> None:
    app.add_middleware(Guard)
