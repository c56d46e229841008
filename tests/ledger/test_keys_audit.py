"""The API keys' audit chain: every key event is sealed by a keyed hash; verify names the first entry
that differs, and catches a key's role edited in the table, a deleted entry and a cut tail."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from aidf.service.keys import KeyStore

KEY = b"keys-audit-test-key"
_OPEN: list[KeyStore] = []


def _close_stores() -> None:
    while _OPEN:
        _OPEN.pop().close()


@pytest.fixture(params=["sqlite", "postgresql"])
def keys_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'keys.sqlite'}"
        _close_stores()
        return
    from tests.ledger.conftest import PgSchema, pg_available

    pg_available()
    schema = PgSchema()
    try:
        yield schema.url
    finally:
        _close_stores()  # no connection of the test left open while the schema is dropped
        schema.drop()


def _filled(url: str) -> tuple[KeyStore, list[str]]:
    store = KeyStore(url, audit_key=KEY)
    _OPEN.append(store)
    ids = [store.create(name, role)[1]["key_id"] for name, role in
           (("root", "admin"), ("ann", "analyst"), ("olly", "officer"), ("vic", "viewer"))]
    store.set_role(ids[1], "officer", actor="root")
    store.revoke(ids[3], actor="root")
    return store, ids


def _raw(store: KeyStore, sql: str, **params) -> None:
    with store.engine.begin() as c:
        c.execute(text(sql), params)


def test_an_untouched_chain_verifies_and_its_head_moves_with_each_event(keys_url):
    store, ids = _filled(keys_url)
    report = store.verify()
    assert report.ok, report
    assert report.entries == 6
    head = store.head()
    assert head.startswith("6:") and store.verify(head).ok
    store.create("new", "viewer")
    assert store.head().startswith("7:") and store.verify(head).ok  # an older head is still in the chain


def test_a_keys_role_edited_in_the_table_is_named(keys_url):
    store, ids = _filled(keys_url)
    _raw(store, "UPDATE service_api_keys SET role = 'admin' WHERE key_id = :k", k=ids[1])
    report = store.verify()
    assert not report.ok
    assert ids[1] in report.problem and "role" in report.problem


def test_a_revoked_key_brought_back_or_a_swapped_secret_is_named(keys_url):
    store, ids = _filled(keys_url)
    _raw(store, "UPDATE service_api_keys SET revoked_at = NULL WHERE key_id = :k", k=ids[3])
    assert "revoked" in store.verify().problem
    _raw(store, "UPDATE service_api_keys SET revoked_at = 'x' WHERE key_id = :k", k=ids[3])
    assert store.verify().ok
    _raw(store, "UPDATE service_api_keys SET digest = :d WHERE key_id = :k", d="0" * 64, k=ids[2])
    report = store.verify()
    assert not report.ok and ids[2] in report.problem and "digest" in report.problem


def test_an_edited_entry_is_named(keys_url):
    store, ids = _filled(keys_url)
    _raw(store, "UPDATE service_audit SET data = :d WHERE seq = 5", d='{"role": "admin"}')
    report = store.verify()
    assert not report.ok and report.first_bad == 5 and "hash mismatch" in report.problem


def test_a_deleted_entry_is_named(keys_url):
    store, ids = _filled(keys_url)
    _raw(store, "DELETE FROM service_audit WHERE seq = 3")
    report = store.verify()
    assert not report.ok and report.first_bad == 3 and "missing" in report.problem


def test_a_cut_tail_is_caught_by_the_head_and_by_a_head_kept_elsewhere(keys_url):
    store, ids = _filled(keys_url)
    kept = store.head()
    _raw(store, "DELETE FROM service_audit WHERE seq = 6")
    _raw(store, "DELETE FROM service_audit_chain WHERE seq = 6")
    assert "head" in store.verify().problem  # the head still names entry 6
    with store.engine.connect() as c:
        prev = c.execute(text("SELECT hash FROM service_audit_chain WHERE seq = 5")).scalar()
    _raw(store, "UPDATE service_audit_head SET seq = 5, hash = :h", h=prev)
    # The key revoked by entry 6 shows as live against a log that no longer revokes it only if the
    # row is changed too; cut both and only the kept head still tells.
    _raw(store, "UPDATE service_api_keys SET revoked_at = NULL WHERE key_id = :k", k=ids[3])
    assert store.verify().ok
    report = store.verify(kept)
    assert not report.ok and "truncated" in report.problem


def test_a_key_inserted_without_its_entry_is_named(keys_url):
    store, ids = _filled(keys_url)
    _raw(store, "INSERT INTO service_api_keys (key_id, name, role, salt, digest, created_at) "
                "VALUES ('deadbeef', 'mallory', 'admin', 's', 'd', 'now')")
    report = store.verify()
    assert not report.ok and "deadbeef" in report.problem


def test_another_audit_key_fails_and_entries_made_before_the_chain_are_sealed_on_open(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.sqlite'}"
    store, _ = _filled(url)
    assert not KeyStore(url, audit_key=b"another key").verify().ok
    # A keys database from before the chain: drop the chain's tables; opening seals what is there.
    _raw(store, "DROP TABLE service_audit_chain")
    _raw(store, "DROP TABLE service_audit_head")
    reopened = KeyStore(url, audit_key=KEY)
    report = reopened.verify()
    assert report.ok and report.entries == 6


def test_cli_keys_verify_and_head(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from aidf.cli import app

    ledger = str(tmp_path / "ledger.sqlite")
    runner = CliRunner()
    assert runner.invoke(app, ["keys", "create", "--role", "admin", "--name", "root", "--ledger", ledger]).exit_code == 0
    head = runner.invoke(app, ["keys", "head", "--ledger", ledger]).output.strip()
    assert head.startswith("1:")
    ok = runner.invoke(app, ["keys", "verify", "--ledger", ledger, "--expect-head", head])
    assert ok.exit_code == 0 and "ok: 1 keys audit entries" in ok.output
    store = KeyStore(f"sqlite:///{ledger}")
    _raw(store, "UPDATE service_api_keys SET role = 'viewer'")
    bad = runner.invoke(app, ["keys", "verify", "--ledger", ledger])
    assert bad.exit_code == 1 and "role" in bad.output


def test_stores_opening_together_seal_once(tmp_path):
    import threading

    url = f"sqlite:///{tmp_path / 'keys.sqlite'}"
    store, _ = _filled(url)
    _raw(store, "DROP TABLE service_audit_chain")
    _raw(store, "DROP TABLE service_audit_head")
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            KeyStore(url, audit_key=KEY).close()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = KeyStore(url, audit_key=KEY).verify()
    assert report.ok and report.entries == 6
