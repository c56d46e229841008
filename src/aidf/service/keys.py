"""The service's own tables beside the ledger: API keys with roles (hashed), an audit of key events,
and the transactions booked through the service (the ledger keeps decisions, memos need inputs).

A key reads `aidf_<key id>_<secret>`; only sha256(salt + secret) is kept, so a stolen database does
not yield usable keys. Roles are ordered: each role may do what the roles before it may.

Verified keys are remembered in memory for a few seconds (`cache_ttl`), under a sha256 of the
presented key (never the key itself), so a busy caller costs no database round trip per request.
A revocation through this store drops its entries at once; another process (a second worker, the
CLI) sees a revocation once its entries expire, i.e. within `cache_ttl` seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text, create_engine, pool, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from aidf.service import limits

ROLES = ("viewer", "analyst", "officer", "admin")
PREFIX = "aidf"
CACHE_TTL = 2.0  # seconds a verified key is trusted without asking the database again
CACHE_MAX = 4096  # verified keys remembered at most (the cache starts afresh when full)

metadata = MetaData()
api_keys = Table(
    "service_api_keys", metadata,
    Column("key_id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("salt", String(64), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)
# Append-only record of key management (ledger writes are audited by the ledger itself).
events = Table(
    "service_audit", metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("data", Text, nullable=False),
)
requests = Table(
    "service_requests", metadata,
    Column("transaction_id", String(400), primary_key=True),
    Column("body", Text, nullable=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
)


class LastAdminError(ValueError):
    """Revoking this key would leave no admin."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's owner name, role and key id."""

    name: str
    role: str
    key_id: str = "-"

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256((salt + secret).encode()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def keys_url(ledger_spec: str | None) -> str:
    """Where keys live: the ledger's own database (own tables), or a private in-memory one."""
    from aidf.ledger.open import resolve_spec

    url = resolve_spec(ledger_spec)
    return "sqlite://" if url == "memory" else url


def _create_tables(engine) -> None:
    """Create the missing tables. Stores opening together race: each loss means another opener made
    a table meanwhile, so the tries are bounded by the number of tables; the last one raises."""
    for _ in range(len(metadata.tables)):
        try:
            metadata.create_all(engine)
            return
        except (OperationalError, ProgrammingError):
            continue
    metadata.create_all(engine)


class KeyStore:
    def __init__(self, url: str, *, cache_ttl: float = CACHE_TTL, audit_key: bytes | None = None):
        from aidf.ledger.audit import load_key
        from aidf.ledger.db import normalize_url
        from aidf.service import keys_audit  # the chain's tables join this metadata

        url = normalize_url(url)
        kwargs: dict = {}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs = {"poolclass": pool.StaticPool, "connect_args": {"check_same_thread": False}}
        elif url.startswith("sqlite"):
            kwargs = {"connect_args": {"timeout": limits.DB_WAIT_S, "check_same_thread": False}}
        self.engine = create_engine(url, **kwargs)
        bound_waits(self.engine)
        self._lock = threading.Lock()
        self.cache_ttl = cache_ttl
        # sha256(presented key) -> (principal, monotonic expiry); only keys that verified are kept.
        self._cache: dict[bytes, tuple[Principal, float]] = {}
        # key id -> (principal or None when revoked/unknown, monotonic expiry): sessions look keys up by id.
        self._by_id: dict[str, tuple[Principal | None, float]] = {}
        self._generation = 0  # bumped by every revocation, so a lookup racing one is not cached
        _create_tables(self.engine)
        self._audit_key = audit_key if audit_key is not None else load_key(url)
        keys_audit.seal_existing(self.engine, self._audit_key)
        from aidf.service.sessions import SessionStore

        self.sessions = SessionStore(self.engine, self._lock)

    def create(self, name: str, role: str, *, actor: str = "cli") -> tuple[str, dict]:
        """Make a key; returns (the key, shown once, and its public record)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)} (got {role!r})")
        name = (name or "").strip()
        if not name or len(name) > 200:
            raise ValueError("name must be 1 to 200 characters")
        if any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise ValueError("name must not contain control characters")
        from aidf.service import keys_audit

        key_id, secret, salt = secrets.token_hex(6), secrets.token_urlsafe(32), secrets.token_hex(16)
        row = {"key_id": key_id, "name": name, "role": role, "salt": salt,
               "digest": _digest(salt, secret), "created_at": _now(), "revoked_at": None}
        with self._lock, self.engine.begin() as conn:
            conn.execute(api_keys.insert().values(**row))
            self._log(conn, actor, "key_create", key_id,
                      {"name": name, "role": role, "credential": keys_audit.credential(salt, row["digest"])})
        return f"{PREFIX}_{key_id}_{secret}", _public(row)

    @staticmethod
    def _keep_an_admin(conn, key_id: str) -> None:
        """Refuse (LastAdminError) a change that would leave no live admin key."""
        live_admins = conn.execute(select(api_keys.c.key_id).where(
            api_keys.c.role == "admin", api_keys.c.revoked_at.is_(None)).with_for_update()).scalars().all()
        if live_admins == [key_id]:
            raise LastAdminError(f"key {key_id} is the last live admin key; make another admin key first")

    def revoke(self, key_id: str, *, actor: str) -> bool:
        """Revoke a live key; the last live admin key cannot be revoked (LastAdminError)."""
        with self._lock, self.engine.begin() as conn:
            self._keep_an_admin(conn, key_id)
            done = conn.execute(api_keys.update().where(api_keys.c.key_id == key_id,
                                                        api_keys.c.revoked_at.is_(None))
                                .values(revoked_at=_now())).rowcount
            if done:
                self._log(conn, actor, "key_revoke", key_id, {})
        self.forget(key_id)
        if done:
            self.sessions.end_key(key_id)
        return bool(done)

    def set_role(self, key_id: str, role: str, *, actor: str) -> dict | None:
        """Change a live key's role; its sessions and cached checks follow within `cache_ttl`."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)} (got {role!r})")
        with self._lock, self.engine.begin() as conn:
            if role != "admin":
                self._keep_an_admin(conn, key_id)
            done = conn.execute(api_keys.update().where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                                .values(role=role)).rowcount
            if done:
                self._log(conn, actor, "key_role", key_id, {"role": role})
            row = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).mappings().first()
        self.forget(key_id)
        return _public(row) if done and row is not None else None

    def principal(self, key_id: str) -> Principal | None:
        """Who a live key id stands for now (None: revoked or unknown); cached for `cache_ttl` seconds."""
        hit = self._by_id.get(key_id)
        if hit is not None and hit[1] >= time.monotonic():
            return hit[0]
        generation = self._generation
        with self.engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
        who = None if row is None or row.revoked_at is not None else Principal(row.name, row.role, row.key_id)
        if self.cache_ttl > 0:
            with self._lock:
                if generation == self._generation:
                    if len(self._by_id) >= CACHE_MAX:
                        self._by_id.clear()
                    self._by_id[key_id] = (who, time.monotonic() + self.cache_ttl)
        return who

    def forget(self, key_id: str | None = None) -> None:
        """Drop cached verifications (of one key id, or all): the next request asks the database."""
        with self._lock:
            self._generation += 1
            if key_id is None:
                self._cache.clear()
                self._by_id.clear()
            else:
                for h in [h for h, (who, _) in self._cache.items() if who.key_id == key_id]:
                    self._cache.pop(h, None)
                self._by_id.pop(key_id, None)

    def list(self) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at)).mappings().all()
        return [_public(r) for r in rows]

    def cached(self, key: str | None) -> Principal | None:
        """The principal of a key verified less than `cache_ttl` seconds ago, else None (ask `check`)."""
        if not key or self.cache_ttl <= 0:
            return None
        hit = self._cache.get(hashlib.sha256(key.encode()).digest())
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def check(self, key: str | None) -> Principal | None:
        """The principal a presented key stands for, or None (unknown, malformed or revoked)."""
        if not key:
            return None
        who = self.cached(key)
        if who is not None:
            return who
        parts = key.strip().split("_", 2)
        if len(parts) != 3 or parts[0] != PREFIX:
            return None
        _, key_id, secret = parts
        generation = self._generation
        with self.engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.digest, _digest(row.salt, secret)):
            return None
        who = Principal(row.name, row.role, row.key_id)
        if self.cache_ttl > 0:
            with self._lock:
                if generation == self._generation:  # no revocation since the read began
                    if len(self._cache) >= CACHE_MAX:
                        self._cache.clear()
                    self._cache[hashlib.sha256(key.encode()).digest()] = (who, time.monotonic() + self.cache_ttl)
        return who

    def log(self, actor: str, action: str, subject: str, data: dict) -> None:
        with self._lock, self.engine.begin() as conn:
            self._log(conn, actor, action, subject, data)

    def _log(self, conn, actor: str, action: str, subject: str, data: dict) -> None:
        from aidf.service import keys_audit

        keys_audit.append(conn, self._audit_key, _now(), actor, action, subject,
                          json.dumps(data, sort_keys=True, default=str))

    def verify(self, expect_head: str | None = None):
        """Recompute the keys audit chain and check every key against it (keys_audit.verify)."""
        from aidf.service import keys_audit

        with self._lock, self.engine.connect() as conn:
            return keys_audit.verify(conn, self._audit_key, expect_head)

    def head(self) -> str:
        """The keys audit chain head as SEQ:HASH, to keep elsewhere and pass to verify."""
        from aidf.service import keys_audit

        with self.engine.connect() as conn:
            return keys_audit.head(conn)

    def events(self, limit: int = 200) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(events).order_by(events.c.seq.desc()).limit(limit)).mappings().all()
        return [dict(r) | {"data": json.loads(r["data"])} for r in rows][::-1]

    def save_request(self, transaction_id: str, body: dict, actor: str) -> None:
        """Keep the first request booked under an id (later identical ones change nothing)."""
        with self._lock, self.engine.begin() as conn:
            if conn.execute(select(requests.c.transaction_id)
                            .where(requests.c.transaction_id == transaction_id)).first() is None:
                conn.execute(requests.insert().values(transaction_id=transaction_id, at=_now(), actor=actor,
                                                      body=json.dumps(body, sort_keys=True, default=str)))

    def request(self, transaction_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(requests).where(requests.c.transaction_id == transaction_id)).first()
        return None if row is None else {"body": json.loads(row.body), "at": row.at, "actor": row.actor}

    def close(self) -> None:
        self.engine.dispose()


def bound_waits(engine) -> None:
    """Make a database lock wait at most limits.DB_WAIT_S (then the service answers 503, see guard.py)."""
    from sqlalchemy import event

    name = engine.dialect.name

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        wait_ms = int(limits.DB_WAIT_S * 1000)
        if name == "sqlite":
            cur.execute(f"PRAGMA busy_timeout={wait_ms}")
        elif name == "postgresql":
            cur.execute(f"SET lock_timeout = {wait_ms}")
            dbapi_conn.commit()
        cur.close()


def _public(row) -> dict:
    return {"key_id": row["key_id"], "name": row["name"], "role": row["role"],
            "created_at": row["created_at"], "revoked_at": row["revoked_at"]}
