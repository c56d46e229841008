"""A short road for the busiest call, POST /v1/decisions without `book`: the same answer, less framework.

The framework's routing and dependency resolution cost more per request than the decision itself.
This middleware answers the common case directly: a JSON body of at most FAST_MAX_BODY bytes, from
a key verified moments ago (the key cache of keys.py) whose role may decide. It validates the body
as the route does (json.loads, then the Transaction model), decides over the same Service and
renders the Decision once. Anything else - no or unknown key, a role too low, another content type,
a body that does not validate, a decision that raises - goes down the ordinary route with the body
it already read, so every refusal keeps its status and shape (errors.py) and is audited the same.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aidf.model import Transaction
from aidf.service import readers
from aidf.service.guard import DB_BUSY
from aidf.service.limits import INLINE_ITEMS, refusal

PATH = "/v1/decisions"
FAST_MAX_BODY = 1 << 20  # never more than limits.MAX_BODY_BYTES: guard.py refuses larger bodies first


class DecisionFastPath:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST" or scope["query_string"]:
            return await self.app(scope, receive, send)
        key = ctype = None
        length, keys = -1, 0
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                key = value.decode("latin-1")
                keys += 1
            elif name == b"content-type":
                ctype = value
            elif name == b"content-length":
                length = int(value) if value.isdigit() else -1
        service = scope["app"].state.service
        who = service.keys.cached(key)
        if (keys != 1 or who is None or not who.may("analyst") or not 0 < length <= FAST_MAX_BODY
                or ctype is None or ctype.split(b";", 1)[0].strip().lower() != b"application/json"):
            return await self.app(scope, receive, send)

        chunks, more, size = [], True, 0
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            more = message.get("more_body", False)
            if size > FAST_MAX_BODY:
                break
        body = b"".join(chunks)
        if more:
            return await self.app(scope, _replay(body, receive, more=True), send)
        try:
            tx = Transaction.model_validate(json.loads(body))
            if refusal(tx):
                raise ValueError("over a limit")  # the route refuses it, naming the field
            if service.reads_inline and len(tx.items) <= INLINE_ITEMS:
                decision = service.decide(tx)  # a private in-memory ledger: nothing to wait for
            else:
                decision = await readers.run(service.decide, tx)
            payload = decision.model_dump_json(by_alias=True).encode()
        except DB_BUSY:
            raise  # 503 from guard.py; deciding again would only wait again
        except Exception:  # the ordinary route decides again and answers in its own shape
            return await self.app(scope, _replay(body, receive), send)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})
        return None


def _replay(body: bytes, receive: Receive, *, more: bool = False) -> Receive:
    """A receive() that hands out what was already read, then carries on with the client's."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replayed


def install(app: Any) -> None:
    app.add_middleware(DecisionFastPath)
