"""Alembic migrations of the ledger schema, applied by `open_ledger` and `aidf ledger init`."""
