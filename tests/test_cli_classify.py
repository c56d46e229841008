"""`aidf classify` and `aidf catalog`: answers, formats, and one-line refusals with exit code 2."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidf.catalog import load_catalog
from aidf.cli import app

runner = CliRunner()
DATE = ["--date", "2025-07-01"]


def run(*args: str):
    return runner.invoke(app, list(args))


def as_json(*args: str) -> dict:
    r = run("classify", *args, *DATE, "--format", "json")
    assert r.exit_code == 0, r.stderr or r.stdout
    return json.loads(r.stdout)


def refused(*args: str) -> str:
    r = run(*args)
    assert r.exit_code == 2, (r.exit_code, r.stdout, r.stderr)
    assert "Traceback" not in r.stdout + r.stderr
    return r.stderr


# ---- answers --------------------------------------------------------------------------------------

def test_a_catalog_chip_as_a_table_shows_eccn_prongs_tpp_density_h100e_and_the_trace() -> None:
    r = run("classify", "nvidia-h100-sxm5", *DATE)
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    for text in ("3A090.a", "a.1, a.2", "15,831.2", "19.4486", "H100-equivalents", "│ 1 ", "trace",
                 "15 CFR 774 Supp. 1", "2025-07-01"):
        assert text in out, text


def test_a_catalog_chip_as_json() -> None:
    out = as_json("nvidia-h100-sxm5")
    assert (out["eccn"], out["level"], out["prongs"], out["tpp"], out["tpp_total"]) == \
        ("3A090.a", "a", ["a.1", "a.2"], 15831.2, 15831.2)
    assert out["h100_equivalents"] == 1.0 and out["performance_density"] == 19.4486
    assert out["datacenter"] is True and out["vendor"] == "NVIDIA" and out["as_of"] == "2025-07-01"
    assert out["classification"] == "3A090.a" and out["indeterminate"] is None
    assert {"rule", "cite", "result", "why"} <= set(out["trace"][0])


def test_figures_at_the_non_datacenter_threshold() -> None:
    assert as_json("--tpp", "4800", "--die-area", "900", "--no-datacenter")["eccn"] == "3A090.a"
    below = as_json("--tpp", "4799.9", "--die-area", "900", "--no-datacenter")
    assert below["eccn"] is None and below["classification"] == "not 3A090"
    assert as_json("--tpp", "4799.9", "--die-area", "900", "--datacenter")["prongs"] == ["b.1", "b.2"]


def test_datacenter_unknown_and_die_area_unknown_are_indeterminate() -> None:
    assert as_json("--tpp", "3000", "--die-area", "600")["indeterminate"] == "datacenter"
    out = as_json("--tpp", "3000", "--datacenter")
    assert out["indeterminate"] == "die_area_mm2" and out["classification"] == "indeterminate (missing die_area_mm2)"
    r = run("classify", "--tpp", "3000", "--datacenter", *DATE)
    assert r.exit_code == 0 and "indeterminate (missing die_area_mm2)" in r.stdout


def test_peaks_give_the_highest_tpp() -> None:
    out = as_json("--peak", "fp8=1978.9", "--peak", "fp16=989.4", "--die-area", "814")
    assert out["tpp"] == pytest.approx(15831.2) and out["eccn"] == "3A090.a"
    assert any(t["rule"] == "TPP from datasheet peaks" for t in out["trace"])


def test_a_computer_is_4a090_with_tpp_per_unit_and_total() -> None:
    out = as_json("nvidia-h100-sxm5", "--computer", "8", "--quantity", "10")
    assert (out["eccn"], out["tpp"], out["tpp_total"], out["quantity"]) == ("4A090.a", 126649.6, 1266496.0, 10)
    assert out["h100_equivalents"] == 80.0


def test_catalog_overrides_of_datacenter_and_die_area() -> None:
    assert as_json("nvidia-rtx-4090d")["eccn"] is None
    assert as_json("nvidia-rtx-4090d", "--datacenter")["eccn"] == "3A090.a"
    assert as_json("nvidia-h20", "--die-area", "400")["prongs"] == ["a.2"]


def test_the_date_picks_the_parameters_in_force() -> None:
    r = run("classify", "--tpp", "5000", "--date", "2023-11-17", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["as_of"] == "2023-11-17"


def test_without_a_date_the_answer_is_as_of_today() -> None:
    import datetime as dt

    r = run("classify", "nvidia-l4", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["as_of"] == dt.date.today().isoformat()


# ---- refusals -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "says"), [
    (["classify", "nvidia-h999"], ["CHIP_ID", "unknown catalog id", "aidf catalog"]),
    (["classify", "nvidia-h100"], ["did you mean", "nvidia-h100-sxm5"]),
    (["classify"], ["CHIP_ID", "--tpp", "--peak"]),
    (["classify", "nvidia-h100-sxm5", "--tpp", "4800"], ["CHIP_ID", "not both"]),
    (["classify", "--tpp", "4800", "--peak", "fp8=600"], ["--tpp", "not both"]),
    (["classify", "--tpp", "0"], ["--tpp", "> 0"]),
    (["classify", "--tpp", "-4800"], ["--tpp", "> 0"]),
    (["classify", "--tpp", "inf"], ["--tpp", "finite"]),
    (["classify", "--tpp", "nan"], ["--tpp", "finite"]),
    (["classify", "--tpp", "3000", "--die-area", "inf"], ["--die-area", "finite"]),
    (["classify", "--peak", "fp8=1e400"], ["--peak fp8", "finite"]),
    (["classify", "--tpp", "3000", "--die-area", "0"], ["--die-area", "> 0"]),
    (["classify", "--tpp", "3000", "--die-area", "-5"], ["--die-area", "> 0"]),
    (["classify", "--tpp", "3000", "--computer", "0"], ["--computer", ">= 1"]),
    (["classify", "--tpp", "3000", "--quantity", "0"], ["--quantity", ">= 1"]),
    (["classify", "--peak", "fp7=100"], ["--peak", "unknown precision", "allowed: bf16", "fp8", "tf32"]),
    (["classify", "--peak", "fp8"], ["--peak", "PRECISION=", "fp8"]),
    (["classify", "--peak", "=100"], ["--peak", "PRECISION="]),
    (["classify", "--peak", "fp8=lots"], ["--peak fp8", "not a number"]),
    (["classify", "--peak", "fp8=-1"], ["--peak fp8", "> 0"]),
    (["classify", "--peak", "fp8=nan"], ["--peak fp8", "> 0"]),
    (["classify", "--peak", "fp8=100", "--peak", "FP8=200"], ["--peak fp8", "twice"]),
    (["classify", "--peak", "fp8_sparse=3957.8"], ["sparse"]),
    (["classify", "--tpp", "3000", "--date", "2025-13-01"], ["--date", "YYYY-MM-DD"]),
    (["classify", "--tpp", "3000", "--date", "2020-01-01"], ["--date", "2023-11-17"]),
    (["catalog", "--date", "yesterday"], ["--date", "YYYY-MM-DD"]),
])
def test_bad_input_is_one_line_naming_the_field(args: list[str], says: list[str]) -> None:
    err = refused(*args)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for text in says:
        assert text in err, (text, err)


@pytest.mark.parametrize("args", [
    ["classify", "--tpp", "lots"],
    ["classify", "--format", "xml", "--tpp", "3000"],
    ["catalog", "--format", "xml"],
    ["classify", "--computer", "two", "--tpp", "3000"],
])
def test_usage_errors_also_exit_2_without_a_traceback(args: list[str]) -> None:
    refused(*args)


# ---- the catalog ----------------------------------------------------------------------------------

def test_catalog_json_lists_every_chip_with_computed_and_recorded_class() -> None:
    r = run("catalog", "--format", "json", *DATE)
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert [row["id"] for row in rows] == list(load_catalog())
    assert all(row["agrees"] and row["classification"] == row["recorded_class"] for row in rows)
    l4 = next(row for row in rows if row["id"] == "nvidia-l4")
    assert (l4["classification"], l4["prongs"], l4["tpp"]) == ("3A090.a", "a.2", 1940.0)


def test_catalog_csv_parses_and_has_one_row_per_chip() -> None:
    r = run("catalog", "--format", "csv", *DATE)
    assert r.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == len(load_catalog())
    assert {"id", "classification", "recorded_class", "tpp", "die_area_mm2"} <= set(rows[0])
    assert next(x for x in rows if x["id"] == "nvidia-l2")["die_area_mm2"] == ""


def test_catalog_table_shows_every_id_uncut() -> None:
    r = run("catalog", *DATE)
    assert r.exit_code == 0
    for chip_id in load_catalog():
        assert chip_id in r.stdout
    assert "recorded" in r.stdout and "(differs)" not in r.stdout


def test_help_lists_the_commands() -> None:
    r = run("--help")
    assert r.exit_code == 0 and "classify" in r.stdout and "catalog" in r.stdout


# ---- the real executable --------------------------------------------------------------------------

def _aidf() -> list[str]:
    exe = Path(sys.executable).with_name("aidf")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from aidf.cli import main; main()"]


@pytest.mark.parametrize("args", [["classify", "nvidia-h999"], ["classify", "--peak", "fp7=1"], ["classify", "--tpp", "x"]])
def test_the_installed_command_exits_2_with_one_line_and_no_traceback(args: list[str]) -> None:
    p = subprocess.run([*_aidf(), *args], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "NO_COLOR": "1"})
    assert p.returncode == 2
    assert "Traceback" not in p.stderr + p.stdout
    assert p.stdout == ""
    if args[1] != "--tpp":
        assert p.stderr.startswith("error: ") and p.stderr.count("\n") == 1


def test_the_installed_command_answers_in_json() -> None:
    p = subprocess.run([*_aidf(), "classify", "nvidia-b200", "--computer", "8", "--format", "json", *DATE],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["eccn"] == "4A090.a"
