"""Reservations without a clock, bounded amounts, and a keyed audit chain.

- ledger_open_pending.expires_us becomes created_us (the reservation's time): reservations no longer
  lapse, an operator voids old ones (`aidf ledger expire --before DATE --yes`);
- CHECK constraints keep every stored amount within the bounds of aidf/bounds.py;
- the audit chain is re-sealed once under the ledger's audit key (HMAC), recorded as an audit entry.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG = sa.BigInteger()
MAX_LINE = 10**18  # bounds.MAX_LINE_MILLI, written out: a migration does not change with the code
MAX_ACCOUNT = 9 * 10**18  # bounds.MAX_ACCOUNT_MILLI


def _check(column: str, top: int) -> str:
    return f"{column} >= 0 AND {column} <= {top}"


def upgrade() -> None:
    with op.batch_alter_table("ledger_open_pending") as b:
        b.drop_index("ix_ledger_open_pending_expiry")
        b.drop_index("ix_ledger_open_pending_account")
        b.alter_column("expires_us", new_column_name="created_us", existing_type=BIG, existing_nullable=False)
    with op.batch_alter_table("ledger_open_pending") as b:
        b.create_index("ix_ledger_open_pending_account", ["account_id", "created_us"])
        b.create_index("ix_ledger_open_pending_created", ["created_us"])
        b.create_check_constraint("ck_ledger_open_pending_amount", _check("amount", MAX_LINE))
    op.execute(sa.text("UPDATE ledger_open_pending SET created_us = (SELECT t.at_us FROM ledger_transfers t "
                       "WHERE t.id = ledger_open_pending.transfer_id)"))
    with op.batch_alter_table("ledger_accounts") as b:
        b.create_check_constraint("ck_ledger_accounts_posted", _check("posted", MAX_ACCOUNT))
        b.create_check_constraint("ck_ledger_accounts_pending", _check("pending", MAX_ACCOUNT))
    with op.batch_alter_table("ledger_transfers") as b:
        b.create_check_constraint("ck_ledger_transfers_amount", _check("amount", MAX_LINE))
    with op.batch_alter_table("ledger_licenses") as b:
        b.create_check_constraint("ck_ledger_licenses_amount", _check("amount", MAX_LINE))
    _reseal()


def _reseal() -> None:
    """Re-seal an existing chain under the audit key (given by the opening store), once, audited."""
    import time

    from aidf.ledger import audit

    key = op.get_context().config.attributes.get("audit_key")
    conn = op.get_bind()
    if key is None or not conn.execute(sa.text("SELECT COUNT(*) FROM ledger_audit")).scalar():
        return
    audit.lock_head(conn)
    audit.reseal(conn, key, int(time.time() * 1_000_000), "migration 0002",
                 "the chain was an unkeyed sha256; re-sealed once under the ledger's audit key")


def downgrade() -> None:
    raise NotImplementedError("0002 re-seals the audit chain under a key; it is not reversed")
