"""Opaque page cursors: the position after a page's last row, as URL-safe base64 of a JSON list.

A list answer carries the next cursor in the `X-Next-Cursor` header (and a `Link: <...>; rel="next"`),
absent on the last page; the body stays a plain list.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from fastapi import Request, Response

from aidf.service.errors import ApiError


def make(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def read(cursor: str | None) -> list[Any] | None:
    """The position a cursor names; a cursor this service did not make is refused naming `cursor`."""
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or not key or not all(isinstance(k, (int, str)) and not isinstance(k, bool)
                                                       for k in key):
        raise ApiError(422, "not a cursor from this service (use the X-Next-Cursor header of the previous page)",
                       "cursor")
    return key


def link(request: Request, response: Response, key: list[Any] | None) -> None:
    if key is None:
        return
    cursor = make(key)
    response.headers["X-Next-Cursor"] = cursor
    url = request.url.include_query_params(cursor=cursor)
    response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
