"""Decisions explained for people at a terminal: the answer in words, tables that wrap at any width."""

from __future__ import annotations

from typing import Any

from aidf import people
from aidf.cli.common import console, table


def explain(decisions: list[Any], trace: bool = False, out=None) -> None:
    """Each decision: outcome in words, its lines, draws, duties and warnings; the numbered trace if asked."""
    con = out or console()
    for d in decisions:
        con.rule(f"[bold]{d.transaction_id}[/]: {people.decision_outcome(d)}", align="left")
        con.print(f"Destination tier {d.destination_tier}, {d.date}; rule set {d.rules.id}: {d.rules.status}",
                  highlight=False)
        con.print(_items(d))
        if d.ledger_effects:
            con.print(_effects(d))
        if d.duties:
            con.print(_duties(d))
        assumed = getattr(d, "assumed", None) or []
        for a in assumed:
            con.print(f"[cyan]assumed:[/] {people.assumed(a)}", highlight=False)
        for w in d.warnings:
            con.print(f"[yellow]warning:[/] {people.text(w)}", highlight=False)
        if trace:
            con.print(_trace(d))


def _items(d: Any):
    t = table("line", "item", "ECCN", "TPP", "H100-equiv.", "answer", title="Lines", right=("TPP", "H100-equiv."))
    for it in d.items:
        t.add_row(people.line(it.line), it.description, it.eccn or "none",
                  people.number(it.tpp_total, 1) if it.tpp_total is not None else "—",
                  people.number(it.h100_equivalents, 1) if it.h100_equivalents is not None else "—",
                  people.outcome(it.outcome, it.authorization, it.review_policy))
    return t


def _effects(d: Any):
    t = table("account", "TPP drawn", "limit", title="Drawn from", right=("TPP drawn", "limit"))
    for e in d.ledger_effects:
        t.add_row(people.account(e.account), people.number(e.tpp, 1),
                  "—" if e.limit_tpp is None else people.number(e.limit_tpp, 1))
    return t


def _duties(d: Any):
    t = table("duty", "citation", "when", title="Duties")
    for x in d.duties:
        t.add_row(people.text(x.what), x.cite, x.when or "")
    return t


def _trace(d: Any):
    t = table("#", "line", "rule", "citation", "result", "why", title="Every rule asked, in order")
    for n, s in enumerate(d.trace, 1):
        t.add_row(str(n), people.line(s.line), s.rule, s.cite, people.text(s.result), people.text(s.why))
    return t
