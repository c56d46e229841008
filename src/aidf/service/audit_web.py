"""The audit page of the dashboard (issue 10): both keyed audit chains recomputed on request, in words.

The ledger's chain seals every booking, transfer, license, hold and release; the API keys' chain seals
every key created, changed or revoked. Each check names the first entry that differs. A head (SEQ:HASH)
kept outside the database and entered here also catches a log cut at its end or rewound.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from aidf.ledger import audit
from aidf.service.web import page, session

router = APIRouter(include_in_schema=False)
HEAD = re.compile(audit.HEAD_PATTERN)
HeadField = Annotated[str | None, Query(max_length=100)]


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, expect_head: HeadField = None, expect_keys_head: HeadField = None):
    """Officers see both chains checked; a kept head that is not SEQ:HASH is named and nothing is checked."""
    s = session(request)
    if s is not None and not s.who.may("officer"):
        return page(request, "audit.html", {"refused": f"Checking the audit chains needs the officer role; "
                                                        f"you are signed in as {s.who.role}."}, status=403)
    kept = {"expect_head": (expect_head or "").strip() or None, "expect_keys_head": (expect_keys_head or "").strip() or None}
    bad = [name for name, v in kept.items() if v is not None and not HEAD.match(v)]
    if bad:
        return page(request, "audit.html", {"kept": kept, "refused": "Not checked: "
                    + " and ".join(_LABEL[b] for b in bad) + " must be SEQ:HASH, as the page printed it "
                    "(digits, a colon, 64 lowercase hexadecimal characters)."}, status=422)
    service = request.app.state.service
    ledger = service.ledger.verify(kept["expect_head"])
    keys = service.keys.verify(kept["expect_keys_head"])
    return page(request, "audit.html", {"kept": kept, "chains": [
        {"id": "ledger-chain", "title": "Ledger audit chain", "field": "expect_head", "report": ledger,
         "covers": "bookings with their decisions and requests, transfers, licenses, holds, releases and arrangements"},
        {"id": "keys-chain", "title": "API keys audit chain", "field": "expect_keys_head", "report": keys,
         "covers": "every API key created, given another role or revoked"}]})


_LABEL = {"expect_head": "the ledger head", "expect_keys_head": "the keys head"}
