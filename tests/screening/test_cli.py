"""`aidf lists load|status|clear` and `aidf screen`: words for people, JSON for programs, exit 2 on bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from aidf.cli import app
from tests.screening.helpers import FIXTURE

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_load_status_screen_clear(tmp_path):
    led = str(tmp_path / "l.sqlite")
    r = run("lists", "status", "--ledger", led)
    assert r.exit_code == 0 and "no list is loaded" in r.output
    r = run("lists", "load", str(FIXTURE), "--ledger", led, "--actor", "loader")
    assert r.exit_code == 0 and "13 entries" in r.output and "EL 8" in r.output
    r = run("lists", "status", "--ledger", led, "--json")
    st = json.loads(r.stdout)
    assert st["versions"][0]["entries"] == 13 and st["versions"][0]["loaded_by"] == "loader" and st["warning"] is None
    r = run("lists", "status", "--ledger", led, "--stale-days", "0", "--json")
    assert "older" in r.output  # the warning, on stderr
    r = run("screen", "ООО Волков Технологии", "--country", "RU", "--ledger", led, "--format", "json")
    res = json.loads(r.stdout)
    assert res["status"] == "match" and res["legal_forms"] == ["ooo"] and res["matches"][0]["entry_id"] == "SDN:fx04"
    r = run("screen", "Lysandra Calcul", "--country", "FR", "--ledger", led)
    assert r.exit_code == 0 and "possible match" in r.output and "name similarity" in r.output
    r = run("lists", "clear", "Lysandra Calcul", "--country", "FR", "--entry", "EL:fx13", "--reason", "other firm",
            "--ledger", led, "--actor", "officer-1")
    assert r.exit_code == 0 and "cleared" in r.output
    r = run("screen", "Lysandra Calcul", "--country", "FR", "--ledger", led, "--format", "json")
    assert json.loads(r.stdout)["status"] == "cleared_by_officer"


def test_bulk_file_screens_each_party(tmp_path):
    led = str(tmp_path / "l.sqlite")
    run("lists", "load", str(FIXTURE), "--ledger", led)
    f = tmp_path / "parties.csv"
    f.write_text("name,country\nKorvath Trading,DE\nLyon Calcul,FR\nKorvath Trading,DE\n")
    r = run("screen", "--file", str(f), "--ledger", led, "--format", "json")
    out = json.loads(r.stdout)
    assert [x["status"] for x in out] == ["match", "clear", "match"]
    r = run("screen", "--file", str(f), "--ledger", led)
    assert r.exit_code == 0 and "3 parties screened" in r.output


def test_bad_input_exits_2_naming_the_field(tmp_path):
    led = str(tmp_path / "l.sqlite")
    r = run("screen", "Acme", "--ledger", led)
    assert r.exit_code == 2 and "no restricted-party list is loaded" in r.output
    run("lists", "load", str(FIXTURE), "--ledger", led)
    cases = [(["screen", "Acme", "--country", "XX"], "--country"), (["screen", "Acme", "--format", "xml"], "--format"),
             (["screen"], "name"), (["screen", "Acme", "--threshold", "1.5"], "--threshold"),
             (["lists", "load", str(tmp_path / "none.csv")], "file"),
             (["lists", "clear", "Acme", "--entry", "EL:nope", "--reason", "x"], "entry_id")]
    for args, field in cases:
        r = run(*args, "--ledger", led)
        assert r.exit_code == 2 and f"error: {field}" in r.output, (args, r.output)
        assert "Traceback" not in r.output
