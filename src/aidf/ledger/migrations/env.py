"""Alembic environment: runs on the connection (and transaction) handed over by aidf.ledger.db."""

from __future__ import annotations

from alembic import context

from aidf.ledger.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("ledger migrations run through aidf.ledger.db.migrate (aidf ledger init)")
context.configure(connection=connection, target_metadata=metadata, version_table="ledger_alembic_version")
with context.begin_transaction():
    context.run_migrations()
