"""Initial ledger schema: accounts, transfers, bookings, arrangements, licenses, holds, audit chain.

Revision ID: 0001
Revises:
Create Date: 2025-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIG = sa.BigInteger()
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.String(400), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("country", sa.String(8)),
        sa.Column("consignee", sa.String(300)),
        sa.Column("year", sa.Integer),
        sa.Column("veu", sa.String(200)),
        sa.Column("window", sa.String(64)),
        sa.Column("license", sa.String(100)),
        sa.Column("posted", BIG, nullable=False),
        sa.Column("pending", BIG, nullable=False),
        sa.Column("last_limit", BIG),
        sa.Column("created_us", BIG, nullable=False),
    )
    op.create_index("ix_ledger_accounts_kind_veu", "ledger_accounts", ["kind", "veu"])
    op.create_table(
        "ledger_transfers",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(500), nullable=False, unique=True),
        sa.Column("transaction_id", sa.String(400), nullable=False),
        sa.Column("account_id", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", BIG, nullable=False),
        sa.Column("limit", BIG),
        sa.Column("pending_id", sa.String(500), unique=True),
        sa.Column("expires_us", BIG),
        sa.Column("as_of", sa.String(10)),
        sa.Column("at_us", BIG, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_ledger_transfers_account", "ledger_transfers", ["account_id", "seq"])
    op.create_index("ix_ledger_transfers_txn", "ledger_transfers", ["transaction_id"])
    op.create_table(
        "ledger_open_pending",
        sa.Column("transfer_id", sa.String(500), primary_key=True),
        sa.Column("account_id", sa.String(400), nullable=False),
        sa.Column("amount", BIG, nullable=False),
        sa.Column("expires_us", BIG, nullable=False),
    )
    op.create_index("ix_ledger_open_pending_account", "ledger_open_pending", ["account_id", "expires_us"])
    op.create_index("ix_ledger_open_pending_expiry", "ledger_open_pending", ["expires_us"])
    op.create_table(
        "ledger_bookings",
        sa.Column("transaction_id", sa.String(400), primary_key=True),
        sa.Column("request_hash", sa.String(128), nullable=False),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("transfer_ids", sa.Text, nullable=False),
        sa.Column("as_of", sa.String(10)),
        sa.Column("at_us", BIG, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_table(
        "ledger_arrangements",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("since", sa.String(10), nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("at_us", BIG, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_index("ix_ledger_arrangements_country", "ledger_arrangements", ["country", "since"])
    op.create_table(
        "ledger_licenses",
        sa.Column("number", sa.String(100), primary_key=True),
        sa.Column("amount", BIG, nullable=False),
        sa.Column("parties", sa.Text, nullable=False),
        sa.Column("valid_from", sa.String(10), nullable=False),
        sa.Column("valid_to", sa.String(10), nullable=False),
        sa.Column("conditions", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("at_us", BIG, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_table(
        "ledger_holds",
        sa.Column("transaction_id", sa.String(400), primary_key=True),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("at_us", BIG, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_table(
        "ledger_hold_releases",
        sa.Column("transaction_id", sa.String(400), primary_key=True),
        sa.Column("how", sa.String(16), nullable=False),
        sa.Column("license", sa.String(100)),
        sa.Column("transfer_id", sa.String(500)),
        sa.Column("reason", sa.Text),
        sa.Column("at_us", BIG, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_table(
        "ledger_audit",
        sa.Column("seq", BIG, primary_key=True, autoincrement=False),
        sa.Column("at_us", BIG, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "ledger_chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", BIG, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute(sa.text("INSERT INTO ledger_chain_head (id, seq, hash) VALUES (1, 0, :h)").bindparams(h="0" * 64))


def downgrade() -> None:
    for name in ("ledger_chain_head", "ledger_audit", "ledger_hold_releases", "ledger_holds", "ledger_licenses",
                 "ledger_arrangements", "ledger_bookings", "ledger_open_pending", "ledger_transfers",
                 "ledger_accounts"):
        op.drop_table(name)
