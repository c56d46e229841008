"""Who may call what: every /v1 request but health carries an X-API-Key whose role is high enough.

Missing or unknown key -> 401; a known key whose role is too low -> 403 naming the role needed.
The check runs on the event loop when the key was verified moments ago (an in-memory look-up) and
in the thread pool otherwise (a database read), so a request pays no thread hop for its key.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from aidf.service.errors import ApiError
from aidf.service.keys import Principal

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="an API key made with `aidf keys create --role ROLE --name NAME`")


def require(role: str) -> Callable[..., Principal]:
    """A dependency that yields the caller if their key has at least `role`."""

    async def dependency(request: Request, key: str | None = Depends(api_key_header)) -> Principal:
        keys = request.app.state.service.keys
        who = keys.cached(key)
        if who is None and key:
            who = await run_in_threadpool(keys.check, key)
        if who is None:
            reason = "missing X-API-Key header" if not key else "unknown or revoked API key"
            raise ApiError(401, reason, "X-API-Key")
        if not who.may(role):
            raise ApiError(403, f"this needs the {role} role; key {who.key_id} ({who.name}) is {who.role}", "X-API-Key")
        return who

    dependency.__name__ = f"require_{role}"
    return dependency
