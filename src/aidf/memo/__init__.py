"""Determination memos: one decision written up for the file, as HTML and PDF.

`memo_for_decision` renders any decision; `memo_for_booked` reads a booked one (and the request
the service kept) from the ledger.
"""

from aidf.memo.render import Memo, content_hash, memo_for_booked, memo_for_decision

__all__ = ["Memo", "content_hash", "memo_for_booked", "memo_for_decision"]
