"""A decision's party screening in words, for the pages people read (the decision page and the memo).

One row per party and list entry it resembles: the party (its role and, when the request is at hand,
its name), the list and entry, the finding ("match", "possible match", "cleared by an officer") and
what it changes. What it changes is read from the decision's own trace - the step the screening wrote
for that party and entry (effect.py) - so the words never decide anything again.
"""

from __future__ import annotations

from typing import Any

ROLE_WORDS = {"ultimate_consignee": "Ultimate consignee", "end_user": "End user", "purchaser": "Purchaser",
              "intermediate_consignee": "Intermediate consignee"}
STATUS_WORDS = {"clear": "no list entry resembles it", "possible_match": "possible match", "match": "match",
                "cleared_by_officer": "cleared by an officer"}
EFFECT_WORDS = {"LICENSE_REQUIRED": "a license is required; authorizations and license exceptions fall away",
                "NEEDS_REVIEW": "the shipment is held for review before it may go",
                "PROHIBITED": "the shipment is prohibited"}


LIST_WORDS = {"EL": "Entity List", "DPL": "Denied Persons List", "SDN": "Specially Designated Nationals List (OFAC)",
              "UVL": "Unverified List", "MEU": "Military End-User List", "CSL": "Consolidated Screening List"}


def list_name(code: str | None) -> str:
    return LIST_WORDS.get(code or "", code or "—")


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def party_names(request: dict[str, Any] | None) -> dict[str, str]:
    """Role -> party name, from the transaction as sent (empty when it is not at hand)."""
    parties = (request or {}).get("parties") or {}
    return {role: p.get("name") for role, p in parties.items() if isinstance(p, dict) and p.get("name")}


def _effect(decision: Any, role: str, match: Any) -> tuple[str, str | None]:
    """What an open match changed, from the trace step naming this party and entry; with its citation."""
    name, listed = _get(match, "name"), _get(match, "list")
    for step in _get(decision, "trace") or []:
        why = _get(step, "why") or ""
        if _get(step, "rule") == "restricted-party screening" or f"the {role} " not in why:
            continue  # the summary step, or another party's
        if name in why and listed in why:
            return EFFECT_WORDS.get(str(_get(step, "result") or ""), f"not applied: {why}"), _get(step, "cite")
    return "recorded; the decision does not change", None


def screening_rows(decision: Any, request: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of the screening table: party, list, entry, finding, what it changes, citation."""
    names = party_names(request)
    rows = []
    for r in _get(decision, "screening") or []:
        role = _get(r, "party")
        party = ROLE_WORDS.get(role, str(role).replace("_", " "))
        if names.get(role):
            party += f": {names[role]}"
        matches = _get(r, "matches") or []
        if not matches:
            rows.append({"party": party, "list": "—", "entry": "—", "finding": STATUS_WORDS["clear"],
                         "effect": "nothing", "cite": None, "version": _get(r, "list_version")})
        for m in matches:
            cleared = bool(_get(m, "cleared"))
            finding = "cleared by an officer" if cleared else STATUS_WORDS.get(_get(m, "kind") or "", "possible match")
            effect, cite = ("nothing: an officer cleared this entry for this party", None) if cleared \
                else _effect(decision, role, m)
            entry = f"{_get(m, 'name')} ({_get(m, 'entry_id')})"
            if _get(m, "federal_register_notice"):
                entry += f", FR notice {_get(m, 'federal_register_notice')}"
            rows.append({"party": party, "list": list_name(_get(m, "list")), "entry": entry,
                         "finding": f"{finding} (score {float(_get(m, 'score') or 0):.2f})", "effect": effect,
                         "cite": cite, "version": _get(r, "list_version")})
    return rows
