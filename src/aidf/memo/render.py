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

from aidf import people
from aidf.ledger import LedgerError
from aidf.model import Decision, Option
from aidf.screening.words import screening_rows

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
    env.filters["num"] = lambda v, d=1: "" if v is None else people.number(v, d)
    env.filters["change_words"] = _change_words
    env.globals["people"] = people
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


PASSING = ("not_eligible", "not eligible", "does not apply", "not assessed", "resolved", "does not change the answer")


def _lines(decision: Decision) -> list[dict[str, Any]]:
    """Per line: the item decision and the steps that carried its answer (the full trace is the appendix)."""
    out = []
    for it in decision.items:
        steps = [t for t in decision.trace if t.line == it.line]
        decisive = [t for t in steps if str(t.result).lower() not in PASSING][-4:]
        out.append({"item": it, "steps": steps, "decisive": decisive})
    return out


def _items(decision: Decision, transaction: dict[str, Any] | None) -> list[dict[str, str]]:
    """Items as a table: catalog name, quantity, TPP per unit and total, ECCN; weights show their operations."""
    asked = (transaction or {}).get("items") or []
    rows = []
    for it in decision.items:
        req = asked[it.line] if it.line < len(asked) else {}
        weights = req.get("model_weights")
        note = ""
        if weights:
            note = f"trained with {people.operations(weights.get('training_operations'))}"
            note += "; published" if weights.get("published") else "; unpublished"
        elif req.get("form") == "computer":
            note = f"computer with {req.get('chips_per_unit')} chips each"
        rows.append({"line": people.line(it.line), "name": it.description, "note": note,
                     "quantity": people.number(req.get("quantity", 1), 0),
                     "tpp_unit": "—" if it.tpp is None else people.number(it.tpp, 1),
                     "tpp_total": "—" if it.tpp_total is None else people.number(it.tpp_total, 1),
                     "eccn": it.eccn or "none"})
    return rows


def memo_for_decision(decision: Decision, transaction: dict[str, Any] | None,
                      meta: dict[str, Any] | None = None, options: list[Option] | None = None) -> Memo:
    """The memo; `options` (aidf.options) are shown beside the decision, outside its content hash."""
    meta = dict(meta or {})
    meta.setdefault("generated_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    digest = content_hash(decision)
    html = _env().get_template("memo.html").render(
        d=decision, tx=transaction, meta=meta, sha256=digest, lines=_lines(decision),
        items=_items(decision, transaction), assumed=getattr(decision, "assumed", None) or [], options=options,
        screening=screening_rows(decision, transaction))
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
