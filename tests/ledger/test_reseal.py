"""Migration 0002 re-seals a chain written before the audit key existed, once, as an audit event."""

from __future__ import annotations

import hashlib
import json
import os

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from aidf.ledger import db, open_ledger
from aidf.ledger.common import canonical


def _old_hash(seq, at_us, actor, action, subject, data, prev):
    body = {"seq": seq, "at_us": at_us, "actor": actor, "action": action, "subject": subject,
            "data": json.loads(data), "prev": prev}
    return hashlib.sha256((prev + canonical(body)).encode()).hexdigest()


def test_migration_reseals_an_unkeyed_chain_once(tmp_path):
    path = tmp_path / "old.sqlite"
    engine = db.make_engine(f"sqlite:///{path}")
    cfg = Config()
    cfg.set_main_option("script_location", os.path.join(os.path.dirname(db.__file__), "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        prev = "0" * 64
        for seq in (1, 2):
            data = json.dumps({"country": "AE", "since": "2025-01-01", "reference": f"R{seq}"})
            h = _old_hash(seq, 1, "lead", "arrangement", "AE", data, prev)
            conn.execute(text("INSERT INTO ledger_audit VALUES (:s, 1, 'lead', 'arrangement', 'AE', :d, :p, :h)"),
                         {"s": seq, "d": data, "p": prev, "h": h})
            conn.execute(text("INSERT INTO ledger_arrangements (country, since, reference, at_us, actor) "
                              "VALUES ('AE', '2025-01-01', :r, 1, 'lead')"), {"r": f"R{seq}"})
            prev = h
        conn.execute(text("UPDATE ledger_chain_head SET seq = 2, hash = :h"), {"h": prev})
    engine.dispose()
    with open_ledger(str(path)) as led:
        log = led.audit_log()
        assert [e["action"] for e in log] == ["arrangement", "arrangement", "reseal"]
        assert log[-1]["actor"] == "migration 0002"
        assert led.verify().ok
    with open_ledger(str(path)) as led:  # once: opening again re-seals nothing
        assert len(led.audit_log()) == 3 and led.verify().ok
