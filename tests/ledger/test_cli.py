"""The ledger, license and hold commands: tables out, one-line errors with exit code 2 in."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import typer
from typer.testing import CliRunner

from aidf.cli import hold as hold_cli
from aidf.cli import ledger as ledger_cli
from aidf.cli import license as license_cli
from aidf.ledger import Draw, open_ledger
from aidf.model import AccountRef

CA = AccountRef(kind="country_allocation", country="AE", window="2025-2027")


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    for group in (ledger_cli, license_cli, hold_cli):
        group.register(app)
    return app


@pytest.fixture
def run(app, durable_url):
    runner = CliRunner(env={"COLUMNS": "220"})

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(app, [*args, "--ledger", durable_url], catch_exceptions=False)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result
    return invoke


def test_ledger_commands(run, durable_url):
    assert "ledger ready" in run("ledger", "init").stdout
    with open_ledger(durable_url) as led:
        led.book("t1", "h", {}, [Draw(CA, 5_000, 10_000_000)], dt.date(2025, 3, 1))
        led.book("t2", "h", {}, [Draw(CA, 2_000, 10_000_000)], dt.date(2025, 3, 1))
    assert "country_allocation:country=AE" in run("ledger", "accounts").stdout
    assert "t1/0/post" in run("ledger", "post", "t1", "--actor", "officer").stdout
    assert "voided t2/0" in run("ledger", "void", "t2/0", "--reason", "cancelled").stdout
    bal = json.loads(run("ledger", "balance", CA.id, "--json").stdout)
    assert (bal["posted"], bal["pending"], bal["used"]) == (5_000, 0, 5_000)
    # TPP for people drops trailing zeros (issue 13): 5,000 milli-TPP reads "5", right-aligned in its cell.
    assert " 5 │" in run("ledger", "balance", CA.id).stdout
    hist = json.loads(run("ledger", "history", CA.id, "--json").stdout)
    assert [h["kind"] for h in hist] == ["pending", "pending", "post", "void"]
    run("ledger", "expire", code=2)  # --before or ids: never a sweep by the clock
    assert "would expire 0" in run("ledger", "expire", "--before", "2099-01-01").stdout
    head = run("ledger", "head").stdout.strip()
    assert "ok:" in run("ledger", "verify", "--expect-head", head).stdout
    lines = run("ledger", "export").stdout.splitlines()
    assert any(json.loads(x)["table"] == "ledger_audit" for x in lines)
    run("ledger", "arrangement", "SA", "2025-06-01", "G2G-SA", "--actor", "lead")
    with open_ledger(durable_url) as led:
        assert led.arrangement("SA", dt.date(2025, 7, 1))["reference"] == "G2G-SA"
        assert led.audit_log()[2]["actor"] == "officer"


def test_license_and_hold_commands(run, durable_url):
    run("license", "add", "D1", "--tpp", "26900000", "--valid-from", "2025-01-01", "--valid-to", "2025-12-31",
        "--consignee", "Acme", "--condition", "no reexport", "--actor", "officer")
    assert "D1" in run("license", "list").stdout
    with open_ledger(durable_url) as led:
        led.place_hold("s1", {"date": "2025-04-01", "items": [{"license_required": True, "tpp_total": 1000}]},
                       "license required")
        led.place_hold("s2", {"date": "2025-04-01"}, "needs review")
    assert "s1" in run("hold", "list").stdout
    assert "license D1" in run("hold", "release", "s1", "--license", "D1", "--actor", "officer").stdout
    shown = json.loads(run("license", "show", "D1", "--json").stdout)
    assert shown["used"] == 1_000_000 and shown["history"][0]["transaction_id"] == "s1"
    assert "usage" in run("license", "show", "D1").stdout
    run("hold", "release", "s2", "--override", "cleared by phone", "--actor", "officer")
    assert json.loads(run("hold", "list", "--json").stdout) == []


@pytest.mark.parametrize("args, field", [
    (["ledger", "post", "nope"], "ledger"),
    (["ledger", "balance", "no:such"], "ledger"),
    (["ledger", "post", "x", "--tpp", "1.0001"], "--tpp"),
    (["ledger", "arrangement", "XX", "2025-01-01", "r"], "country"),
    (["ledger", "arrangement", "FR", "2025-13-01", "r"], "since"),
    (["license", "add", "D2", "--tpp", "-1", "--valid-from", "2025-01-01", "--valid-to", "2025-12-31"], "--tpp"),
    (["license", "show", "D404"], "ledger"),
    (["hold", "release", "s9", "--override", " "], "--override"),
    (["hold", "release", "s9"], "--license/--override"),
    (["hold", "list", "--status", "weird"], "--status"),
])
def test_bad_input_is_one_line_exit_2(run, args, field):
    result = run(*args, code=2)
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {field}: "), result.stderr
    assert "Traceback" not in result.output


def test_unreachable_ledger_is_exit_2(app):
    result = CliRunner().invoke(app, ["ledger", "accounts", "--ledger", "mysql://nowhere/x"])
    assert result.exit_code == 2 and result.stderr.startswith("error: --ledger: ")
