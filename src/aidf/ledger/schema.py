"""Table definitions of the durable ledger (one schema for SQLite and PostgreSQL).

Amounts are BIGINT milli-TPP and times are epoch microseconds (UTC), so that comparisons are exact
on both databases. Amounts are bounded (bounds.py) by CHECK constraints. Transfers are never updated or deleted; `open_pending` is the index of pending
transfers not yet posted, voided or expired, and account rows carry the running balances
(TigerBeetle's `debits_posted` / `debits_pending`). The migration in migrations/versions creates the
same tables; tests compare the two.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, MetaData, String, Table, Text

from aidf.ledger.bounds import MAX_ACCOUNT_MILLI, MAX_LINE_MILLI

metadata = MetaData()


def bounded(column: str, top: int, name: str) -> CheckConstraint:
    """No amount past the documented bound is ever stored (SQLite would keep an overflow as REAL)."""
    return CheckConstraint(f"{column} >= 0 AND {column} <= {top}", name=name)


# SQLite only auto-numbers an INTEGER PRIMARY KEY.
SeqType = BigInteger().with_variant(Integer(), "sqlite")

accounts = Table(
    "ledger_accounts", metadata,
    Column("id", String(400), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("country", String(8)),
    Column("consignee", String(300)),
    Column("year", Integer),
    Column("veu", String(200)),
    Column("window", String(64)),
    Column("license", String(100)),
    Column("posted", BigInteger, nullable=False),
    Column("pending", BigInteger, nullable=False),
    Column("last_limit", BigInteger),
    Column("created_us", BigInteger, nullable=False),
    Index("ix_ledger_accounts_kind_veu", "kind", "veu"),
    bounded("posted", MAX_ACCOUNT_MILLI, "ck_ledger_accounts_posted"),
    bounded("pending", MAX_ACCOUNT_MILLI, "ck_ledger_accounts_pending"),
)

transfers = Table(
    "ledger_transfers", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("id", String(500), nullable=False, unique=True),
    Column("transaction_id", String(400), nullable=False),
    Column("account_id", String(400), nullable=False),
    Column("kind", String(16), nullable=False),  # pending | post | void | expire | direct | adjust
    Column("amount", BigInteger, nullable=False),
    Column("limit", BigInteger),
    Column("pending_id", String(500), unique=True),
    Column("expires_us", BigInteger),
    Column("as_of", String(10)),
    Column("at_us", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("note", Text),
    Index("ix_ledger_transfers_account", "account_id", "seq"),
    Index("ix_ledger_transfers_txn", "transaction_id"),
    bounded("amount", MAX_LINE_MILLI, "ck_ledger_transfers_amount"),
)

open_pending = Table(
    "ledger_open_pending", metadata,
    Column("transfer_id", String(500), primary_key=True),
    Column("account_id", String(400), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("created_us", BigInteger, nullable=False),  # reservations never lapse; kept for `expire --before`
    Index("ix_ledger_open_pending_account", "account_id", "created_us"),
    Index("ix_ledger_open_pending_created", "created_us"),
    bounded("amount", MAX_LINE_MILLI, "ck_ledger_open_pending_amount"),
)

bookings = Table(
    "ledger_bookings", metadata,
    Column("transaction_id", String(400), primary_key=True),
    Column("request_hash", String(128), nullable=False),
    Column("decision", Text, nullable=False),
    Column("transfer_ids", Text, nullable=False),
    Column("as_of", String(10)),
    Column("at_us", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
)

arrangements = Table(
    "ledger_arrangements", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("country", String(8), nullable=False),
    Column("since", String(10), nullable=False),
    Column("reference", Text, nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Index("ix_ledger_arrangements_country", "country", "since"),
)

licenses = Table(
    "ledger_licenses", metadata,
    Column("number", String(100), primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Column("parties", Text, nullable=False),
    Column("valid_from", String(10), nullable=False),
    Column("valid_to", String(10), nullable=False),
    Column("conditions", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    bounded("amount", MAX_LINE_MILLI, "ck_ledger_licenses_amount"),
)

holds = Table(
    "ledger_holds", metadata,
    Column("transaction_id", String(400), primary_key=True),
    Column("decision", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
)

hold_releases = Table(
    "ledger_hold_releases", metadata,
    Column("transaction_id", String(400), primary_key=True),
    Column("how", String(16), nullable=False),  # license | override
    Column("license", String(100)),
    Column("transfer_id", String(500)),
    Column("reason", Text),
    Column("at_us", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
)

audit = Table(
    "ledger_audit", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at_us", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("data", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# One row (id = 1): the last audit entry. Writers lock it, which also orders the chain.
chain_head = Table(
    "ledger_chain_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

GENESIS = "0" * 64

# The screening tables share this metadata (one schema, one migration history).
import aidf.screening.tables  # noqa: E402, F401
