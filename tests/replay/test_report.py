"""Replay output for people (issue 13): reason in words, warnings and consignee columns; --review grouped
by reason; the summary counts by destination in words."""

from __future__ import annotations

import json

import polars as pl
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
