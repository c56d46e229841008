"""`aidf decide` as a user runs it: formats in, contract JSON out, clear refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from aidf.cli import app

AIDF = str(Path(sys.executable).parent / "aidf")
runner = CliRunner()


def tx(i: int, **kw) -> dict:
    base = {"id": f"T{i}", "date": "2025-07-01", "action": "export", "destination": "MX",
            "items": [{"catalog": "nvidia-h200-sxm", "quantity": 1000}],
            "parties": {"ultimate_consignee": {"name": "Monterrey Nube", "country": "MX"}}}
    base.update(kw)
    return base


def run(tmp_path, content: str, *args: str):
    f = tmp_path / "in.json"
    f.write_text(content)
    return runner.invoke(app, ["decide", str(f), "--ledger", "memory", *args])


def test_one_transaction_gives_one_decision(tmp_path):
    r = run(tmp_path, json.dumps(tx(1)))
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["transaction_id"] == "T1" and d["authorization"] == "LPP"


def test_json_lines_are_decided_in_order_and_see_each_other(tmp_path):
    r = run(tmp_path, "\n".join(json.dumps(tx(i)) for i in range(3)))
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [d["authorization"] for d in out] == ["LPP", None, None]
    assert out[1]["outcome"] == "LICENSE_REQUIRED"


def test_yaml_input(tmp_path):
    import yaml

    r = run(tmp_path, yaml.safe_dump(tx(1)))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["authorization"] == "LPP"


def test_explain_prints_citations(tmp_path):
    r = run(tmp_path, json.dumps(tx(1)), "--explain")
    assert r.exit_code == 0, r.output
    assert "740.29(a)" in r.output and "LICENSE_EXCEPTION" in r.output


def test_bad_line_refuses_the_whole_file_naming_index_and_field(tmp_path):
    bad = tx(2, items=[{"catalog": "nvidia-h200-sxm", "quantity": 0}])
    f = tmp_path / "in.json"
    f.write_text(json.dumps([tx(1), bad]))
    p = subprocess.run([AIDF, "decide", str(f), "--ledger", "memory"], capture_output=True, text=True)
    assert p.returncode == 2
    assert "[1].items.0.quantity" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout and p.stdout == ""


def test_unknown_country_catalog_and_rules_are_named(tmp_path):
    for bad, field in [(tx(1, destination="XX"), "destination"),
                       (tx(1, items=[{"catalog": "no-such-chip", "quantity": 1}]), "items.0.catalog"),
                       (tx(1, rules="nonsense"), "rules"),
                       (tx(1, items=[{"model_weights": {"published": False}}]), "training_operations"),
                       (tx(1, parties={"ultimate_consignee": {"name": "X", "country": "NO", "headquarters": False}}), "headquarters")]:
        r = run(tmp_path, json.dumps(bad))
        assert r.exit_code == 2, (field, r.output)
        assert field in r.output, (field, r.output)


def test_same_id_different_content_in_one_file_is_refused(tmp_path):
    r = run(tmp_path, json.dumps([tx(1), tx(1, destination="BR")]))
    assert r.exit_code == 2 and "T1" in r.output


def test_rules_lists_rule_sets_and_parameters():
    r = runner.invoke(app, ["rules", "--format", "json"])
    assert r.exit_code == 0
    assert {x["id"] for x in json.loads(r.stdout)} >= {"ai-diffusion-2025", "pre-diffusion-2024"}
    r = runner.invoke(app, ["rules", "part740/lpp", "--format", "json"])
    assert any(x["name"] == "annual_tpp_cap" and x["value"] == 26900000 and "740.29" in x["cite"] for x in json.loads(r.stdout))


def test_a_refused_line_books_nothing_of_the_file(tmp_path):
    """Catalog ids, rule sets and dates are checked for the whole file before anything is booked."""
    ledger = tmp_path / "l.sqlite"
    bad = tx(2, items=[{"catalog": "nope", "quantity": 1}])
    f = tmp_path / "in.json"
    f.write_text(json.dumps([tx(1), bad]))
    p = subprocess.run([AIDF, "decide", str(f), "--ledger", str(ledger)], capture_output=True, text=True)
    assert p.returncode == 2 and "[1].items.0.catalog" in p.stderr
    from aidf.ledger import open_ledger

    led = open_ledger(str(ledger))
    try:
        assert led.find("T1") is None and not led.accounts()
    finally:
        led.close()
