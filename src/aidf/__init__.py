"""aidf: the US Framework for Artificial Intelligence Diffusion (90 FR 4544) as code, explained.

Python API (the decision contract, ../shared/contract):
    aidf.decide(transaction, ledger=None, rules=None) -> Decision
    aidf.decide_many(transactions, ledger=None, rules=None) -> list[Decision]
    aidf.classify(item, as_of=None) -> Classification
"""

from __future__ import annotations

__version__ = "0.1.0"


def decide(transaction, ledger=None, rules=None):
    """Decide one transaction (dict or Transaction) against a ledger (default: a throwaway one)."""
    from aidf.engine import decide as _decide

    return _decide(transaction, ledger=ledger, rules=rules)


def decide_many(transactions, ledger=None, rules=None):
    """Decide transactions in order; each sees the draws booked by those before it."""
    from aidf.engine import decide_many as _decide_many

    return _decide_many(transactions, ledger=ledger, rules=rules)


def classify(item, as_of=None):
    """Classify one item (dict or Item): ECCN, TPP, density, and the reason for each prong."""
    from aidf.rules.classify import classify_item

    return classify_item(item, as_of=as_of)
