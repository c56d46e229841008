"""The Alembic migration and the table definitions in schema.py describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from aidf.ledger import open_ledger
from aidf.ledger.db import HEAD_REVISION, is_current
from aidf.ledger.schema import metadata


def test_migrated_schema_matches_metadata(durable_url):
    led = open_ledger(durable_url)
    assert is_current(led.engine)
    with led.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": "ledger_alembic_version"})
        diff = [d for d in compare_metadata(ctx, metadata) if "ledger_alembic_version" not in str(d)]
        assert ctx.get_current_revision() == HEAD_REVISION
    assert diff == []
    open_ledger(durable_url).close()  # opening again is a no-op
