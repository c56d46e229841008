"""Database plumbing: engines for SQLite (WAL, BEGIN IMMEDIATE) and PostgreSQL, and migrations.

SQLite writers take the database write lock at BEGIN (IMMEDIATE), so a limit check and the write
that follows cannot interleave with another writer; PostgreSQL writers lock account rows
(SELECT ... FOR UPDATE, sorted by id) in store.py.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, create_engine, event, inspect, pool, text
from sqlalchemy.engine import Connection, Engine

HEAD_REVISION = "0003"  # 0003: screening tables (aidf.screening.tables)
VERSION_TABLE = "ledger_alembic_version"
BUSY_TIMEOUT_S = 120
# Connections a process keeps open per ledger: enough for a server worker's threads that use the ledger
# at once (decision readers, the booking writer, pages), so that under load no request opens and
# closes a connection of its own. Before, five were kept and the rest opened per request.
POOL_SIZE = 8
CACHE_KIB = 65536  # SQLite page cache per connection (the default 2 MiB spills a batch of 8,000 to the WAL)
# Pages of a memory ledger: a booked decision's text (about 6 KB) then sits in one page instead of a
# chain of overflow pages, which held about 15% more memory and cost more to insert.
MEMORY_PAGE_BYTES = 65536


def normalize_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    if url.startswith("postgresql+psycopg://"):
        return create_engine(url, pool_size=POOL_SIZE, max_overflow=4, pool_recycle=1800)
    raise ValueError(f"unsupported ledger URL {url!r} (use sqlite:///FILE or postgresql://...)")


def _sqlite_engine(url: str) -> Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    kwargs = {"connect_args": {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = pool.StaticPool
    else:
        kwargs |= {"pool_size": POOL_SIZE, "max_overflow": 2 * POOL_SIZE}
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        # Let SQLAlchemy's begin() emit our own BEGIN instead of the driver's implicit one.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if memory:  # before the first table: a database's page size is set when it is created
            cur.execute(f"PRAGMA page_size={MEMORY_PAGE_BYTES}")
        else:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # WAL + FULL: each commit is on disk when it returns
        cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")  # a batch's pages stay in memory until its commit
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        write = conn.get_execution_options().get("aidf_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


_INSERTS: dict[tuple[str, str, tuple[str, ...]], str] = {}


def insert_rows(conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
    """INSERT rows given as tuples in `columns` order: one executemany straight to the driver, so
    no per-row parameter building (the batch path writes thousands of rows per transaction)."""
    if not rows:
        return
    dialect = conn.dialect
    key = (dialect.name, table.name, columns)
    sql = _INSERTS.get(key)
    if sql is None:
        quote = dialect.identifier_preparer.quote
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = _INSERTS[key] = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
                               f"VALUES ({', '.join([mark] * len(columns))})")
    conn.exec_driver_sql(sql, list(rows))


def is_current(engine: Engine) -> bool:
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return False
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
        return rows == [HEAD_REVISION]


def migrate(engine: Engine, audit_key: bytes | None = None) -> None:
    """Bring the schema to the head revision, once, even with many processes starting together.
    `audit_key` lets revision 0002 re-seal an existing audit chain under the ledger's key."""
    if is_current(engine):
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", os.path.join(os.path.dirname(__file__), "migrations"))
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(aidf_write=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(774411)"))
            cfg.attributes["connection"] = conn
            cfg.attributes["audit_key"] = audit_key
            command.upgrade(cfg, "head")


_TEMPLATE: list[Engine] = []
_TEMPLATE_LOCK = threading.Lock()


def create_fresh(engine: Engine) -> None:
    """Give a new in-memory ledger the head schema by copying a template database built once per
    process (the same tables the migrations build; tests/ledger/test_migrations.py keeps them equal)."""
    with _TEMPLATE_LOCK:
        if not _TEMPLATE:
            template = _sqlite_engine("sqlite://")
            _build_head(template)
            _TEMPLATE.append(template)
        src, dst = _TEMPLATE[0].raw_connection(), engine.raw_connection()
        try:
            src.driver_connection.backup(dst.driver_connection)
        finally:
            src.close()
            dst.close()


def _build_head(engine: Engine) -> None:
    from aidf.ledger.schema import GENESIS, chain_head, metadata

    with engine.begin() as conn:
        metadata.create_all(conn)
        conn.execute(chain_head.insert().values(id=1, seq=0, hash=GENESIS))
        conn.execute(text(f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        conn.execute(text(f"INSERT INTO {VERSION_TABLE} VALUES ('{HEAD_REVISION}')"))


# (dialect, id(statement)) -> (statement, SQL, parameter order, the statement's own values); the
# statement is kept in the value, so its id is never reused by another while the entry lives.
_COMPILED: dict[tuple[str, int], tuple[Any, str, tuple[str, ...] | None, dict[str, Any]]] = {}


def read_first(engine: Engine, stmt: Any, params: dict[str, Any]) -> dict[str, Any] | None:
    """The first row of one SELECT, read on a pooled driver connection: a single statement sees a
    consistent snapshot on its own, so it needs no transaction of ours (SQLAlchemy's would add a BEGIN
    and a ROLLBACK and cost about ten times the query itself on SQLite). Plain decisions read their
    balances and the screening list version this way."""
    raw = engine.raw_connection()
    try:
        return _first(raw, engine.dialect, stmt, params)
    finally:
        raw.close()  # back to the pool, which ends the driver's transaction if it opened one


def first_in(conn: Connection, stmt: Any, params: dict[str, Any]) -> dict[str, Any] | None:
    """The first row of one SELECT inside `conn`'s open transaction, through its driver connection
    (a booking batch reads each account's balance once this way: no statement context per read)."""
    return _first(conn.connection.dbapi_connection, conn.dialect, stmt, params)


def _first(raw: Any, dialect: Any, stmt: Any, params: dict[str, Any]) -> dict[str, Any] | None:
    key = (dialect.name, id(stmt))
    found = _COMPILED.get(key)
    if found is None:  # compiled once per dialect, with the statement's own values (a LIMIT's)
        compiled = stmt.compile(dialect=dialect)
        found = _COMPILED[key] = (stmt, str(compiled), tuple(compiled.positiontup) if compiled.positional else None,
                                  dict(compiled.params))
    _, sql, order, given = found
    params = given | params
    cur = raw.cursor()
    try:
        cur.execute(sql, tuple(params[k] for k in order) if order is not None else params)
        row = cur.fetchone()
        names = [d[0] for d in cur.description]
    finally:
        cur.close()
    return None if row is None else dict(zip(names, row, strict=True))
