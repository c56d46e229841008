"""The ledger's bounds on amounts, defined in aidf.bounds (below the rules, the model and the ledger)."""

from aidf.bounds import MAX_ACCOUNT_MILLI, MAX_LINE_MILLI, MAX_LINE_TPP, check_tpp_value, line_problem

__all__ = ["MAX_ACCOUNT_MILLI", "MAX_LINE_MILLI", "MAX_LINE_TPP", "check_tpp_value", "line_problem"]
