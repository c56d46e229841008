"""Replay output for people (issue 13): reason in words, warnings and consignee columns; --review grouped
by reason; the summary counts by destination in words."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from aidf.cli import app


def test_review_file_and_people_columns_and_summary_by_country(tmp_path):
    r = CliRunner()
    book = tmp_path / "g.csv"
    assert r.invoke(app, ["replay", "--generate", "600", "--seed", "3", "--out", str(book)]).exit_code == 0
    res = r.invoke(app, ["replay", str(book), "-q", "--out", str(tmp_path / "d.parquet"),
                         "--review", str(tmp_path / "review.csv"), "--summary-json", str(tmp_path / "s.json")])
    assert res.exit_code == 0, res.output
    out = pl.read_parquet(tmp_path / "d.parquet")
    flagged = out.filter(pl.col("outcome").is_in(["NEEDS_REVIEW", "LICENSE_REQUIRED"]))
    assert flagged.height > 0 and flagged["reason"].null_count() == 0
    assert out["consignee"].null_count() == 0
    assert not flagged["reason"].str.contains("LICENSE_REQUIRED|presumption_of_").any()
    assert flagged.filter(pl.col("outcome") == "LICENSE_REQUIRED")["reason"].str.starts_with("License required").all()
    review = pl.read_csv(tmp_path / "review.csv")
    assert review.height == flagged.height
    assert review["reason"].to_list() == sorted(review["reason"].to_list())  # grouped by reason
    assert set(review["outcome"].unique()) <= {"NEEDS_REVIEW", "LICENSE_REQUIRED"}
    assert review["country"].str.contains(r"\([A-Z]{2}\)$").all()
    s = json.loads((tmp_path / "s.json").read_text())
    assert sum(c["lines"] for c in s["by_country"]) == 600
    assert all("(" in c["country"] for c in s["by_country"])
    assert "By destination" in res.output and "License required" in res.output
    assert "LICENSE_REQUIRED" not in res.output


@pytest.mark.parametrize("seed,rules", [(3, None), (11, None), (5, "as-enforced"), (6, "pre-diffusion-2024")])
def test_people_warnings_are_the_engines_line_by_line(tmp_path, seed, rules):
    """Each flagged line's warnings, as the report gives them (most from the shapes' static plans), are
    those the engine gives for the first flagged line of the line's shape decided alone (empty ledger)."""
    from aidf.engine import decide
    from aidf.replay import report
    from aidf.replay.assemble import tx_dict
    from aidf.replay.book import read_lines
    from aidf.replay.generate import write
    from aidf.replay.run import run

    book = tmp_path / "g.csv"
    write(2500, str(book), seed=seed)
    result = run(book, rules=rules).result
    coded = result.coded.with_columns(report.people_columns(result, book, rules))
    flagged = coded.filter(pl.col("outcome").cast(pl.String).is_in(report.FLAGGED))
    first = flagged.group_by("shape").agg(pl.col("line").first().alias("first"))
    rows = {r["line"]: r for r in read_lines(book, first["first"]).iter_rows(named=True)}
    want: dict[int, str] = {}
    planned = 0
    for shape, line in first.iter_rows():
        tx = tx_dict([rows[line]]) | ({"rules": rules} if rules else {})
        planned += result.notes.get(shape, (None,))[0] == line
        words = [report.people.text(report._LINE_PREFIX.sub("", w)) for w in decide(tx).warnings]
        want[shape] = " | ".join(words)
    assert planned > 0  # the static plans give some lines' warnings
    for shape, line, warnings in flagged.select("shape", "line", pl.col("warnings").cast(pl.String)).iter_rows():
        assert warnings == want[shape], (line, warnings, want[shape])


def test_people_columns_keyed_by_the_line_answer_code_equal_those_keyed_by_the_columns(tmp_path):
    """The line answer's code (`_answer`) stands for shape, answers and place past the allocation."""
    from aidf.replay import report
    from aidf.replay.generate import write
    from aidf.replay.run import run

    book = tmp_path / "g.csv"
    write(3000, str(book), seed=8)
    result = run(book).result
    by_code = report.people_columns(result, book)
    result.coded = result.coded.drop("_answer")
    by_columns = report.people_columns(result, book)
    text = [pl.col(n).cast(pl.String) for n in report.PEOPLE_COLUMNS]
    assert by_code.select(text).equals(by_columns.select(text))
    assert by_code["warnings"].cast(pl.String).str.len_chars().sum() > 0


@pytest.mark.parametrize("seed", [2, 9])
def test_summary_counts_transactions_by_their_first_line(tmp_path, seed):
    """Orders counted by their line numbered 0 are the distinct transaction ids (multi-line orders too)."""
    from aidf.replay.generate import write
    from aidf.replay.run import run, summary

    book = tmp_path / "g.csv"
    write(4000, str(book), seed=seed)
    result = run(book).result
    ids = result.coded["transaction_id"]
    assert ids.n_unique() < ids.len()  # some orders have several lines
    assert summary(result)["transactions"] == ids.n_unique()
