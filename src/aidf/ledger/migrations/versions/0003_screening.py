"""Restricted-party screening: list versions, their entries, officers' clearances.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BIG = sa.BigInteger()
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "screening_list_versions",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("file_hash", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("entry_count", sa.Integer, nullable=False),
        sa.Column("lists", sa.Text, nullable=False),
        sa.Column("loaded_us", BIG, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_table(
        "screening_entries",
        sa.Column("version", BIG, primary_key=True, autoincrement=False),
        sa.Column("entry_id", sa.String(300), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "screening_clearances",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("party_key", sa.String(500), nullable=False),
        sa.Column("party_name", sa.String(500), nullable=False),
        sa.Column("entry_id", sa.String(300), nullable=False),
        sa.Column("version", BIG, nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at_us", BIG, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_index("ix_screening_clearances_party", "screening_clearances", ["party_key", "entry_id"])


def downgrade() -> None:
    op.drop_index("ix_screening_clearances_party", table_name="screening_clearances")
    op.drop_table("screening_clearances")
    op.drop_table("screening_entries")
    op.drop_table("screening_list_versions")
