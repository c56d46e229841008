"""Render a determination memo: inputs, classification working, outcome, each rule with its citation,
duties, ledger effects, the rule set and its status, who decided and when, and a content hash.

The hash is sha256 over the canonical decision JSON (sorted keys, no spaces, UTF-8), so anyone can
check that the memo describes exactly the decision the ledger holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from aidf.ledger import LedgerError
from aidf.model import Decision, Option

HERE = Path(__file__).parent


def canonical_decision(decision: Decision) -> str:
    return json.dumps(decision.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(decision: Decision) -> str:
    return hashlib.sha256(canonical_decision(decision).encode()).hexdigest()


def _change_words(change: dict) -> str:
    from aidf.options.words import change_words

    return change_words(change)


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.filters["num"] = lambda v, d=1: "" if v is None else f"{v:,.{d}f}"
    env.filters["change_words"] = _change_words
    return env


@dataclass
class Memo:
    decision: Decision
    html: str
    sha256: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.decision.transaction_id)
        return f"memo-{safe}"

    def pdf(self) -> bytes:
        from weasyprint import HTML

        return HTML(string=self.html, base_url=str(HERE)).write_pdf()

    def write(self, out_dir: str | Path) -> tuple[Path, Path]:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        html_path, pdf_path = out / f"{self.filename}.html", out / f"{self.filename}.pdf"
        html_path.write_text(self.html, encoding="utf-8")
        pdf_path.write_bytes(self.pdf())
        return html_path, pdf_path


def _lines(decision: Decision) -> list[dict[str, Any]]:
    """Per line: the item decision and the trace steps that worked it out."""
    out = []
    for it in decision.items:
        steps = [t for t in decision.trace if t.line == it.line]
        out.append({"item": it, "steps": steps})
    return out


def memo_for_decision(decision: Decision, transaction: dict[str, Any] | None,
                      meta: dict[str, Any] | None = None, options: list[Option] | None = None) -> Memo:
    """The memo; `options` (aidf.options) are shown beside the decision, outside its content hash."""
    meta = dict(meta or {})
    meta.setdefault("generated_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    digest = content_hash(decision)
    html = _env().get_template("memo.html").render(
        d=decision, tx=transaction, meta=meta, sha256=digest, lines=_lines(decision),
        general=[t for t in decision.trace if t.line is None],
        effects_by_account=[(e.account.id, e) for e in decision.ledger_effects], options=options)
    return Memo(decision, html, digest, meta)


def memo_for_booked(service: Any, transaction_id: str) -> Memo:
    """The memo of a transaction booked in the service's ledger (UnknownError if none)."""
    decision, meta = service.stored(transaction_id)
    meta["booked"] = True
    meta.setdefault("decided_by", meta.get("booked_by"))
    try:
        meta["hold"] = service.ledger.hold(transaction_id)
    except (LedgerError, AttributeError):  # no hold on this transaction, or a ledger without holds
        meta["hold"] = None
    return memo_for_decision(decision, meta.get("transaction"), meta)
