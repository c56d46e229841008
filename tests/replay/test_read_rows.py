"""Reading back a few lines of a CSV book (the people columns read each flagged shape's first line):
the lines-only reader gives exactly the rows the reader that parses every record gives, and steps
aside where a file's lines are not its records."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidf.replay import io
from aidf.replay.book import read_lines

HEADER = "order_id,date,destination,consignee_name,consignee_country,catalog,quantity,description"
ROWS = ["PO-1,2026-01-05,IN,Acme,IN,nvidia-h100,10,plain",
        'PO-2,2026-01-06,MX,"Beta, Inc.",MX,nvidia-h100,20,"quoted, with ""marks"""',
        "PO-3,2026-01-07,BR,Gamma,BR,nvidia-h200,30,",
        "PO-4,2026-01-08,CL,Delta,CL,nvidia-a100,40,last"]


def _both(path, lines: list[int]) -> tuple[pl.DataFrame | None, pl.DataFrame]:
    wanted = pl.Series(lines, dtype=pl.Int64)
    slow, _ = io._scan(path)
    return io._csv_lines(path, wanted), slow.filter(pl.col("line").is_in(wanted.implode())).collect()


def _text(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.col(pl.Categorical).cast(pl.String))


@pytest.mark.parametrize("end", ["\n", "\r\n"])
@pytest.mark.parametrize("lines", [[2], [3, 5], [2, 3, 4, 5], [4]])
def test_lines_only_reader_equals_the_full_reader(tmp_path, end, lines):
    path = tmp_path / "b.csv"
    path.write_text(end.join([HEADER, *ROWS]) + end, encoding="utf-8")
    fast, slow = _both(path, lines)
    assert fast is not None
    assert _text(fast).equals(_text(slow)) and fast.schema == slow.schema
    assert fast["line"].to_list() == lines


def test_a_quoted_line_break_sends_the_read_to_the_full_reader(tmp_path):
    path = tmp_path / "b.csv"
    rows = [*ROWS[:1], 'PO-9,2026-01-09,IN,Acme,IN,nvidia-h100,5,"two\nlines"', *ROWS[1:]]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    fast, slow = _both(path, [4])
    assert fast is None  # file line 4 is the second half of record 3: not a record of its own
    assert io.read_rows(path, pl.Series([4], dtype=pl.Int64))["order_id"].cast(pl.String).to_list() == ["PO-2"]
    assert slow["order_id"].cast(pl.String).to_list() == ["PO-2"]


def test_a_line_holding_a_control_byte_or_a_blank_line(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("\n".join([HEADER, ROWS[0], "PO-5,2026-01-05,IN,Ac\x1fme,IN,nvidia-h100,1,x", *ROWS[1:]]) + "\n",
                    encoding="utf-8")
    fast, slow = _both(path, [2, 3])
    assert fast is not None and _text(fast).equals(_text(slow))
    blank = tmp_path / "c.csv"
    blank.write_text("\n".join([HEADER, ROWS[0], "", *ROWS[1:]]) + "\n", encoding="utf-8")
    fast, slow = _both(blank, [2, 4])
    assert fast is not None and _text(fast).equals(_text(slow))


def test_lines_across_blocks_and_a_last_line_without_a_break(tmp_path, monkeypatch):
    monkeypatch.setattr(io, "_BLOCK", 7)  # smaller than a line: lines are split across reads
    path = tmp_path / "b.csv"
    path.write_text("\n".join([HEADER, *ROWS]), encoding="utf-8")
    fast, slow = _both(path, [2, 3, 5])
    assert fast is not None and _text(fast).equals(_text(slow))
    assert io._file_lines(path, [2, 3, 5]) == [x.encode() for x in (HEADER, ROWS[0], ROWS[1], ROWS[3])]
    assert io._csv_lines(path, pl.Series([9], dtype=pl.Int64)) is None  # past the end: the full reader says


def test_typed_lines_agree_on_a_generated_book(tmp_path, monkeypatch):
    from aidf.replay.generate import write

    path = tmp_path / "g.csv"
    write(3000, str(path), seed=4)
    lines = pl.Series(list(range(2, 3002, 7)), dtype=pl.Int64)
    fast = read_lines(path, lines)
    monkeypatch.setattr(io, "_csv_lines", lambda *_: None)
    slow = read_lines(path, lines)
    assert _text(fast).equals(_text(slow)) and fast.schema == slow.schema


@settings(max_examples=200, deadline=None)
@given(lengths=st.lists(st.integers(0, 40), min_size=1, max_size=120), block=st.integers(1, 300),
       span=st.integers(1, 64), data=st.data(), final_break=st.booleans(), crlf=st.booleans())
def test_picked_lines_are_the_files_lines_whatever_the_block_and_span(tmp_path_factory, lengths, block, span, data,
                                                                      final_break, crlf):
    """Lines picked by counting line breaks a span at a time are the lines a split of the file gives, for
    any block and span size, with or without a last line break."""
    end = b"\r\n" if crlf else b"\n"
    lines = [b"header", *(bytes([97 + i % 26]) * n for i, n in enumerate(lengths))]
    lines[-1] += b"z"  # blank lines inside; the file's last line has text (else the file just ends in a break)
    path = tmp_path_factory.mktemp("pick") / "b.csv"
    path.write_bytes(end.join(lines) + (end if final_break else b""))
    wanted = sorted(data.draw(st.sets(st.integers(2, len(lines)), max_size=len(lines))) if len(lines) > 1 else [])
    with pytest.MonkeyPatch.context() as m:
        m.setattr(io, "_BLOCK", block)
        m.setattr(io, "_SPAN", span)
        got = io._file_lines(path, wanted)
    cr = b"\r" if crlf else b""
    want = [lines[0], *(lines[n - 1] for n in wanted)]
    # A line keeps its carriage return (the CSV reader drops it), except a last line without a break.
    assert got == [x + (cr if i < len(lines) - 1 or final_break else b"")
                   for i, x in zip([0, *(n - 1 for n in wanted)], want, strict=True)]
