"""`aidf compare`: one book under rule sets and reforms, through the CLI as a user runs it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import polars as pl
import pytest

from aidf.simulate import compare, scenario
from aidf.simulate.sample import SAMPLE_BOOK, sample_book

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "docs" / "simulation.schema.json"
HALF = {"name": "half-allocation", "rules": "ai-diffusion-2025",
        "overrides": {"part742/country_allocation": {"tpp_per_country": 395000000}}}


def aidf(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from aidf.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def india_book(path: Path, orders: int = 30) -> Path:
    """Orders of 2,000 H100 (past any LPP room) to one Indian consignee a day: the allocation fills up."""
    day = dt.date(2025, 6, 2)
    rows = [{"order_id": f"IN-{i:03d}", "date": (day + dt.timedelta(days=i)).isoformat(), "action": "export",
             "destination": "IN", "consignee_name": f"Pune Compute {i}", "consignee_country": "IN",
             "consignee_private_sector": "yes", "catalog": "nvidia-h100-sxm5", "quantity": 2000}
            for i in range(orders)]
    pl.DataFrame(rows).write_csv(path)
    return path


def test_the_sample_book_is_the_sample_orders():
    assert pl.read_csv(SAMPLE_BOOK, infer_schema_length=None).height == sample_book().height
    assert pl.read_csv(SAMPLE_BOOK)["order_id"].to_list() == sample_book()["order_id"].to_list()


def test_compare_writes_every_output_and_the_json_follows_its_schema(tmp_path):
    reform = tmp_path / "lpp.yaml"
    reform.write_text("name: lpp-doubled\nrules: as-written\noverrides:\n  part740/lpp: {annual_tpp_cap: 53800000}\n")
    r = aidf("compare", str(SAMPLE_BOOK), "--rules", "as-written", "--rules", "as-enforced",
             "--rules", "pre-diffusion-2024", "--scenario", str(reform), "--report", "r.html", "--json", "s.json",
             "--csv", "csv", "--xlsx", "s.xlsx", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "s.json").read_text())
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    assert [s["name"] for s in doc["scenarios"]] == ["as-written", "as-enforced", "pre-diffusion-2024", "lpp-doubled"]
    assert doc["changed_orders"] == sum(c["changed_orders"] for c in doc["changes"]) > 0
    lpp = doc["scenarios"][3]["overrides"][0]
    assert (lpp["value"], lpp["original"]) == (53800000, 26900000) and "740.29" in lpp["original_cite"]
    for change in doc["changes"]:
        for o in change["orders"]:
            assert o[change["from"]]["provision"] and o[change["to"]]["provision"]
    assert {p.name for p in (tmp_path / "csv").iterdir()} >= {"routes.csv", "allocations.csv", "changed_orders.csv"}
    assert (tmp_path / "s.xlsx").stat().st_size > 0
    html = (tmp_path / "r.html").read_text()
    assert "<svg" in html and "lpp-doubled" in html
    assert "src=\"http" not in html and "href=\"http" not in html and "<script" not in html


def test_the_allocation_runs_out_on_the_order_that_does_not_fit_and_earlier_when_halved(tmp_path):
    book = india_book(tmp_path / "in.csv")
    c = compare.compare(book, [scenario.from_rules("ai-diffusion-2025"), scenario.parse(HALF)])
    full, half = (s["allocations"][0] for s in c.summary["scenarios"])
    # 2,000 x 15,831.2 = 31,662,400 TPP an order: 24 fit in 790,000,000 and 12 in 395,000,000.
    assert full["country"] == "IN" and full["exhausted_on"] == "2025-06-26" and full["used_tpp"] == 24 * 31662400
    assert half["exhausted_on"] == "2025-06-14" and half["left_tpp"] == 395000000 - 12 * 31662400
    assert c.summary["changes"][0]["changed_orders"] == 12


def test_a_bad_scenario_is_refused_naming_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\noverrides:\n  part740/lpp: {annual_tpp_cap: lots}\n")
    r = aidf("compare", str(SAMPLE_BOOK), "--scenario", str(bad), cwd=tmp_path)
    assert r.returncode == 2 and "bad.yaml.overrides.part740/lpp.annual_tpp_cap" in r.stderr
    assert "Traceback" not in r.stderr
    r = aidf("compare", str(SAMPLE_BOOK), cwd=tmp_path)
    assert r.returncode == 2 and "error: rules:" in r.stderr


@pytest.mark.parametrize("name", ["base", "half"])
def test_replay_with_a_scenario_gives_the_answers_compare_reports(tmp_path, name):
    """Differential: `aidf replay --scenario` and `aidf compare` decide each line alike."""
    book = india_book(tmp_path / "in.csv")
    doc = HALF if name == "half" else {"name": "base", "rules": "ai-diffusion-2025"}
    (tmp_path / "s.yaml").write_text(json.dumps(doc))
    r = aidf("replay", str(book), "--scenario", "s.yaml", "--out", "out.parquet", "-q", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    replayed = pl.read_parquet(tmp_path / "out.parquet").sort("transaction_id")
    run = compare.compare(book, [scenario.parse(doc)]).runs[0].lines.sort("transaction_id")
    cols = ["transaction_id", "outcome", "authorization", "review_policy", "effect_tpp"]
    assert replayed.select(cols).equals(run.select(cols))


def test_the_readme_example_reform_loads():
    s = scenario.load(REPO / "examples" / "lpp-doubled.yaml")
    assert s.rules == "as-written" and len(s.layer.overrides) == 2


def test_a_scenario_arrangement_doubles_the_allocation_once(tmp_path):
    book = india_book(tmp_path / "in.csv")
    doc = {"name": "arranged", "rules": "ai-diffusion-2025",
           "arrangements": [{"country": "IN", "since": "2025-01-13", "reference": "hypothetical US-IN"}]}
    c = compare.compare(book, [scenario.from_rules("ai-diffusion-2025"), scenario.parse(doc)])
    (india,) = c.summary["scenarios"][1]["allocations"]
    assert india["limit_tpp"] == 2 * 790000000 and india["exhausted_on"] is None
    assert india["arrangement"] == "hypothetical US-IN" and india["used_tpp"] == 30 * 31662400
