"""`aidf options FILE` and `aidf decide --options`: the contract's options[], words in the table,
exit 2 naming the field for bad input, nothing booked."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from aidf.cli import app

INDIA = {"id": "C1", "date": "2025-06-16", "action": "export", "destination": "IN",
         "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 2000}],
         "parties": {"ultimate_consignee": {"name": "Pune Compute Pvt Ltd", "country": "IN"}}}


def _file(tmp_path, body) -> str:
    path = tmp_path / "tx.json"
    path.write_text(json.dumps(body))
    return str(path)


def test_options_json(tmp_path):
    r = CliRunner().invoke(app, ["options", _file(tmp_path, INDIA), "--ledger", "memory"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["outcome"] == "LICENSE_REQUIRED"
    first = out["options"][0]
    assert first["change"] == {"items.0.quantity": 1699} and first["authorization"] == "LPP"
    assert set(first) >= {"change", "outcome", "authorization", "ledger_effects", "why", "cite"}


def test_options_of_a_sequence_see_the_earlier_ones(tmp_path):
    earlier = INDIA | {"id": "C0", "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 1000}]}
    r = CliRunner().invoke(app, ["options", _file(tmp_path, [earlier, INDIA]), "--ledger", "memory"])
    assert r.exit_code == 0, r.output
    second = json.loads(r.output)[1]
    assert second["options"][0]["change"] == {"items.0.quantity": 699}


def test_options_table_in_words(tmp_path):
    r = CliRunner().invoke(app, ["options", _file(tmp_path, INDIA), "--ledger", "memory", "--format", "table"])
    assert r.exit_code == 0, r.output
    assert "License exception — LPP" in r.output and "15 CFR 740.29(a)" in r.output


def test_options_bad_input_names_the_field(tmp_path):
    r = CliRunner().invoke(app, ["options", _file(tmp_path, INDIA | {"destination": "XX"}), "--ledger", "memory"])
    assert r.exit_code == 2
    assert "destination" in r.output


def test_decide_with_options_books_only_the_decision(tmp_path):
    ledger = str(tmp_path / "l.sqlite")
    r = CliRunner().invoke(app, ["decide", _file(tmp_path, INDIA), "--ledger", ledger, "--options"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["outcome"] == "LICENSE_REQUIRED" and d["options"][0]["authorization"] == "LPP"
    plain = json.loads(CliRunner().invoke(app, ["decide", _file(tmp_path, INDIA), "--ledger", "memory"]).stdout)
    assert plain["options"] is None


def test_options_unknown_rules_named(tmp_path):
    r = CliRunner().invoke(app, ["options", _file(tmp_path, INDIA), "--ledger", "memory", "--rules", "nonsense"])
    assert r.exit_code == 2
    assert "rules" in r.output


def test_decide_table_shows_the_options(tmp_path):
    r = CliRunner().invoke(app, ["decide", _file(tmp_path, INDIA), "--ledger", "memory", "--options", "--format", "table"])
    assert r.exit_code == 0, r.output
    assert "quantity of line 1: 1,699" in r.stdout


def test_options_of_a_booked_id_are_not_studied_and_say_so(tmp_path):
    ledger = str(tmp_path / "l.sqlite")
    lpp = INDIA | {"id": "C9", "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 1000}]}
    path = _file(tmp_path, lpp)
    assert CliRunner().invoke(app, ["decide", path, "--ledger", ledger]).exit_code == 0
    out = json.loads(CliRunner().invoke(app, ["options", path, "--ledger", ledger]).stdout)
    # The booked answer (LPP), not a re-decision that counts its own draw twice.
    assert out["authorization"] == "LPP" and out["options"] == [] and "already booked" in out["note"]
