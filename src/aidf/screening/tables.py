"""Screening tables in the ledger database: list versions, their entries, and officers' clearances.

They live beside the ledger's tables (same metadata, so one migration history and one audit chain)
but are written only by screening/store.py. Migration 0003 creates them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from aidf.ledger.schema import SeqType, metadata

list_versions = Table(
    "screening_list_versions", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("file_hash", String(64), nullable=False),
    Column("file_name", String(300), nullable=False),
    Column("format", String(16), nullable=False),
    Column("entry_count", Integer, nullable=False),
    Column("lists", Text, nullable=False),          # JSON {list code: count}
    Column("loaded_us", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
)

list_entries = Table(
    "screening_entries", metadata,
    Column("version", BigInteger, primary_key=True, autoincrement=False),
    Column("entry_id", String(300), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("data", Text, nullable=False),
)

clearances = Table(
    "screening_clearances", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("party_key", String(500), nullable=False),
    Column("party_name", String(500), nullable=False),
    Column("entry_id", String(300), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Index("ix_screening_clearances_party", "party_key", "entry_id"),
)
