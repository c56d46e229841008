"""Compact books (item ids), coded answers and batched writing: the same answers as before, byte for byte."""

from __future__ import annotations

import functools

import polars as pl
import pytest

from aidf.replay import book as bookmod
from aidf.replay.codes import ITEM_COLS, ItemTable, compact, expand
from aidf.replay.columnar import decode, replay
from aidf.replay.generate import generate
from aidf.replay.io import iter_book, write_batches, write_table
from aidf.replay.run import OUT_COLUMNS, run, summary, write_answers

from .helpers import typed
from .test_shapes import adversarial


@functools.lru_cache(maxsize=1)
def _mixed() -> pl.DataFrame:
    """Generated lines (every item kind, both VEU kinds, declared bases) and adversarial ones."""
    a = typed(generate(400, seed=23, intensity=20.0))
    b = typed(adversarial(300, 5))
    b = b.with_columns(("A" + pl.col("order_id")).alias("order_id"), pl.col("line") + a.height,
                       pl.col("row") + a.height)
    return pl.concat([a, b], how="diagonal_relaxed")


@functools.lru_cache(maxsize=1)
def _replayed():
    return replay(_mixed())


def test_compact_round_trip_and_ids_across_batches():
    book = _mixed()
    lines, items = compact(book)
    assert lines["iid"].dtype == pl.UInt32
    assert not set(ITEM_COLS) & set(lines.columns)
    assert items.height == book.select(ITEM_COLS).unique().height
    assert expand(lines, items).select(ITEM_COLS).equals(book.select(ITEM_COLS))
    table = ItemTable()
    parts = [table.compact(book.slice(off, 7)) for off in range(0, book.height, 7)]
    assert expand(pl.concat(parts), table.table()).select(ITEM_COLS).equals(book.select(ITEM_COLS))
    assert table.table().height == items.height


def test_compact_parse_equals_wide_parse(tmp_path):
    df = generate(150, seed=31, intensity=20.0)
    write_table(df, tmp_path / "b.csv")
    raw = iter_book(tmp_path / "b.csv", None)[0]
    wide, errs = bookmod.parse_batches(raw)
    assert not errs
    for rows in (4, 13, 1000):
        table = ItemTable()
        narrow, errs = bookmod.parse_batches(iter_book(tmp_path / "b.csv", rows)[0], items=table)
        assert not errs
        back = expand(narrow, table.table()).select(wide.drop("description").columns)
        assert back.with_columns(pl.col(pl.Categorical).cast(pl.String)).equals(
            wide.drop("description").with_columns(pl.col(pl.Categorical).cast(pl.String)))


def test_coded_answers_decode_to_text():
    res = _replayed()
    coded, lines = res.coded, res.lines
    assert coded.schema["outcome"] == pl.Categorical and coded.schema["effect_account"] == pl.Categorical
    assert all(t != pl.Categorical for t in lines.schema.values())
    for name in ("outcome", "authorization", "review_policy", "effect_kind", "effect_account",
                 "tally_account", "tx_outcome", "consignee_key"):
        assert coded[name].cast(pl.String).to_list() == lines[name].to_list()
    # What follows from the line's item or shape is kept once per item or shape, and gathered when decoded.
    for name in ("catalog", "eccn", "tpp", "license_required"):
        key, values = res.tables[name]
        assert name not in coded.columns
        assert values.gather(coded[key]).cast(lines.schema[name]).to_list() == lines[name].to_list()
    assert lines["catalog"].drop_nulls().len() > 0 and lines["eccn"].drop_nulls().len() > 0
    assert lines["effect_account"].drop_nulls().len() > 0 and lines["tally_account"].drop_nulls().len() > 0
    s = summary(res)
    assert sum(s["by_outcome"].values()) == lines.height
    assert list(s["by_outcome"]) == sorted(s["by_outcome"])


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_batched_writing_equals_one_shot(tmp_path, suffix):
    """Coded answers written 7 lines at a time read back exactly as the whole text table written at once."""
    res = _replayed()
    whole = tmp_path / f"whole{suffix}"
    write_table(res.lines.select(OUT_COLUMNS), whole)
    for rows in (7, 10**6):
        part = tmp_path / f"part{rows}{suffix}"
        write_answers(res, part, batch_rows=rows)
        if suffix == ".parquet":
            assert pl.read_parquet(part).equals(pl.read_parquet(whole))
        else:
            assert part.read_bytes() == whole.read_bytes()


def test_run_writes_what_the_text_table_holds(tmp_path):
    df = generate(300, seed=41, intensity=20.0)
    write_table(df, tmp_path / "b.parquet")
    r = run(tmp_path / "b.parquet", out=tmp_path / "out.parquet", write_rows=11)
    assert pl.read_parquet(tmp_path / "out.parquet").equals(r.result.lines.select(OUT_COLUMNS))
    assert r.lines == df.height


def test_per_line_columns_are_written_without_a_dictionary_and_read_back_as_text(tmp_path):
    """Line numbers and order ids are written plain (a dictionary of nearly distinct values is only
    work and bytes); the answers' texts keep theirs; every reader reads text back, not categories."""
    import pyarrow.parquet as pq

    from aidf.replay.run import PER_LINE

    df = generate(300, seed=41, intensity=20.0)
    write_table(df, tmp_path / "b.parquet")
    run(tmp_path / "b.parquet", out=tmp_path / "out.parquet", write_rows=100)
    meta = pq.read_metadata(tmp_path / "out.parquet")
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        pages = {group.column(i).path_in_schema: group.column(i).has_dictionary_page for i in range(group.num_columns)}
        assert not any(pages[n] for n in PER_LINE) and pages["outcome"] and pages["destination"]
    back = pl.read_parquet(tmp_path / "out.parquet")
    assert back.schema["transaction_id"] == pl.String and back.schema["outcome"] == pl.String


def test_write_batches_plain_frame(tmp_path):
    df = pl.DataFrame({"a": list(range(10)), "b": [str(i) for i in range(10)]})
    write_batches(df, tmp_path / "x.parquet", None, 3)
    assert pl.read_parquet(tmp_path / "x.parquet").equals(df)


def test_shape_keys_in_tiny_slices_equal_whole(monkeypatch):
    from aidf.replay import columnar

    book = _mixed()
    whole = _replayed()
    monkeypatch.setattr(columnar, "SHAPE_ROWS", 7)
    sliced = replay(book)
    assert sliced.shapes == whole.shapes
    assert sliced.lines.equals(whole.lines)


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_converted_batches_equal_one_shot(tmp_path, suffix):
    """Without a streamed query, each batch is converted and appended."""
    res = _replayed()
    whole, part = tmp_path / f"whole{suffix}", tmp_path / f"part{suffix}"
    write_table(res.lines.select(OUT_COLUMNS), whole)
    write_batches(res.coded, part, lambda b: decode(b, res.limits, OUT_COLUMNS, res.tables), 5)
    if suffix == ".parquet":
        assert pl.read_parquet(part).equals(pl.read_parquet(whole))
    else:
        assert part.read_bytes() == whole.read_bytes()


def test_account_ids_read_in_tiny_slices_equal_whole(monkeypatch):
    """Account ids are built from slices of the lines' parts; numbered by first appearance, they give
    the same lines as one pass over the whole book."""
    from aidf.replay import columnar

    book = _mixed()
    whole = _replayed()
    monkeypatch.setattr(columnar, "DISTINCT_ROWS", 7)
    sliced = replay(book)
    assert sliced.lines.equals(whole.lines)
    assert sliced.lines["effect_account"].drop_nulls().n_unique() > 3


def test_counts_by_country_in_tiny_slices_equal_whole(monkeypatch):
    from aidf.replay import report

    res = _replayed()
    whole = report.by_country(res)
    monkeypatch.setattr(report, "COUNT_ROWS", 3)
    assert report.by_country(res) == whole
    assert sum(r["lines"] for r in whole) == res.coded.height


def test_narrow_line_numbers_decode_as_the_file_gives_them():
    res = _replayed()
    assert res.coded.schema["line"] == pl.UInt32 and res.lines.schema["line"] == pl.Int64
    assert sorted(res.lines["line"].to_list()) == sorted(_mixed()["line"].cast(pl.Int64).to_list())


def test_a_run_that_books_nothing_lets_the_booking_columns_go():
    from aidf.replay.columnar import BOOKING_ONLY

    res = _replayed()
    before = res.lines
    res.without_booking_columns()
    assert not set(BOOKING_ONLY) & set(res.coded.columns)
    assert res.lines.equals(before.drop(BOOKING_ONLY))
