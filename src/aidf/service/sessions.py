"""Dashboard sessions, kept in the database beside the keys so every worker process shares them.

A session records the *key id* it signed in with, never a copy of the key's role: each request
looks the key up again (through the key store's short cache), so a revoked key or a changed role
takes effect on every session within the cache's lifetime. A session ends when it has been idle
for limits.SESSION_IDLE_S, when it is older than limits.SESSION_MAX_S, and at sign-out (the row is
deleted server-side, so a copied cookie is worth nothing afterwards). The browser holds a random
session id; the table keeps only its sha256.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, MetaData, String, Table, delete, select, update

from aidf.service import limits

metadata = MetaData()
sessions = Table(
    "service_sessions", metadata,
    Column("sid_hash", String(64), primary_key=True),
    Column("key_id", String(32), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_s", BigInteger, nullable=False),
    Column("seen_s", BigInteger, nullable=False),
    Column("rules", String(64)),
)
TOUCH_EVERY_S = 30  # a session's last-seen time is written at most this often (not on every page)


@dataclass
class Session:
    sid_hash: str
    key_id: str
    csrf: str
    created_s: int
    seen_s: int
    rules: str | None = None


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SessionStore:
    def __init__(self, engine, lock, *, idle_s: int | None = None, max_s: int | None = None,
                 clock=time.time):
        self.engine, self._lock, self.clock = engine, lock, clock
        self.idle_s = limits.SESSION_IDLE_S if idle_s is None else idle_s
        self.max_s = limits.SESSION_MAX_S if max_s is None else max_s
        metadata.create_all(engine)

    def start(self, key_id: str, csrf: str | None = None) -> tuple[str, Session]:
        """A new session for a key id; returns the id to put in the cookie (shown only here)."""
        sid, now = secrets.token_urlsafe(32), int(self.clock())
        row = Session(_hash(sid), key_id, csrf or secrets.token_urlsafe(24), now, now)
        with self._lock, self.engine.begin() as conn:
            conn.execute(sessions.insert().values(**row.__dict__))
            conn.execute(delete(sessions).where(sessions.c.seen_s < now - self.idle_s))  # sweep the stale
        return sid, row

    def get(self, sid: str | None) -> Session | None:
        """The live session of a cookie, or None (unknown, idle too long, too old); touches it."""
        if not sid or len(sid) > 100:
            return None
        h, now = _hash(sid), int(self.clock())
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions).where(sessions.c.sid_hash == h)).first()
        if row is None:
            return None
        if now - row.seen_s > self.idle_s or now - row.created_s > self.max_s:
            self.end(sid)
            return None
        if now - row.seen_s >= TOUCH_EVERY_S:
            with self._lock, self.engine.begin() as conn:
                conn.execute(update(sessions).where(sessions.c.sid_hash == h).values(seen_s=now))
        return Session(**row._mapping)

    def set_rules(self, session: Session, rules: str) -> None:
        with self._lock, self.engine.begin() as conn:
            conn.execute(update(sessions).where(sessions.c.sid_hash == session.sid_hash).values(rules=rules))
        session.rules = rules

    def end(self, sid: str | None) -> None:
        if sid:
            with self._lock, self.engine.begin() as conn:
                conn.execute(delete(sessions).where(sessions.c.sid_hash == _hash(sid)))

    def end_key(self, key_id: str) -> int:
        """End every session of a key (on revocation): nothing signed in with it survives."""
        with self._lock, self.engine.begin() as conn:
            return conn.execute(delete(sessions).where(sessions.c.key_id == key_id)).rowcount
