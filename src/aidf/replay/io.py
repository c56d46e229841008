"""Reading order books (CSV, Parquet, JSON Lines, Excel) and writing decision tables.

Readers return the raw table with headers normalized to the layout's names and a `line` column:
the number a person finds the row under (CSV and Excel: the sheet/file line, header = line 1;
JSON Lines: the line in the file; Parquet: the row number from 1).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

from aidf.errors import InputError
from aidf.replay.formats import FORMATS, file_format  # noqa: F401 - read from here by callers
from aidf.replay.layout import BY_NAME, NAMES, normalize_header

EXCEL_MAX_ROWS = 1_048_575  # data rows below the header row


def _mapping(columns: list[str]) -> tuple[dict[str, str], list[str]]:
    """Normalized headers: {file column: layout name} and the names of ignored columns."""
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    ignored: list[str] = []
    for col in columns:
        if col == "line":
            ignored.append(col)
            continue
        name = normalize_header(col)
        if name in seen:
            raise InputError(f"column {col!r}", f"same column as {seen[name]!r} ({name})")
        seen[name] = col
        if name in BY_NAME:
            mapping[col] = name
        else:
            ignored.append(col)
    return mapping, ignored


def _rename(df: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Normalize headers; return the table restricted to layout columns and the names of ignored ones."""
    mapping, ignored = _mapping(df.columns)
    out = df.select([pl.col(c).alias(n) for c, n in mapping.items()])
    return out, ignored


def read_book(path: str | Path) -> tuple[pl.DataFrame, list[str]]:
    """Read an order book: (raw table with layout columns + `line`, ignored column names)."""
    batches, ignored = iter_book(path, None)
    parts = list(batches)
    return (pl.concat(parts) if len(parts) > 1 else parts[0]), ignored


def iter_book(path: str | Path, batch_rows: int | None = 500_000) -> tuple[Iterator[pl.DataFrame], list[str]]:
    """An order book as consecutive row batches (each: layout columns + `line`), and the ignored columns.

    CSV and Parquet are scanned in batches of `batch_rows` lines (None: in one piece), so a large book
    never sits in memory as text all at once; JSON Lines and Excel are read whole, then sliced.
    """
    path = Path(path)
    lf, ignored = _scan(path)
    if lf is not None:
        if batch_rows is None:
            return iter([lf.collect()]), ignored
        return _batches(lf, batch_rows), ignored
    df, ignored = _read_jsonl(path) if file_format(path, "orders") == "jsonl" else _read_xlsx(path)
    if batch_rows is None or df.height <= batch_rows:
        return iter([df]), ignored
    return (df.slice(off, batch_rows) for off in range(0, df.height, batch_rows)), ignored


def read_rows(path: str | Path, lines: pl.Series) -> pl.DataFrame:
    """The raw rows (as `iter_book` gives them) of the given line numbers, in file order. CSV and Parquet
    are filtered as they are scanned: only the rows asked for are kept, never the book's batches."""
    wanted = lines.cast(pl.Int64).implode()
    csv = Path(path).exists() and file_format(path, "orders") == "csv"  # else _scan says what is wrong
    few = _csv_lines(Path(path), lines) if csv else None
    if few is not None:  # the wanted lines alone, without a scan of the whole book
        return few
    lf, _ = _scan(Path(path))
    if lf is not None:
        return lf.filter(pl.col("line").is_in(wanted)).collect(engine="streaming")
    batches, _ = iter_book(path, None)
    return next(batches).filter(pl.col("line").is_in(wanted))


_BLOCK = 1 << 24  # bytes of a book read at a time when picking lines out of it


def _csv_lines(path: Path, lines: pl.Series) -> pl.DataFrame | None:
    """`read_rows` of a CSV book, parsing only the lines asked for: the file is read a block at a time
    as bytes, the wanted lines are picked out by number, and the header with them is read as a book.
    A file line is a record when no quoted cell holds a line break; where one does, None, and the
    caller parses every record."""
    import tempfile

    wanted = sorted(set(lines.cast(pl.Int64).to_list()))
    picked = _file_lines(path, wanted)
    if picked is None:
        return None
    with tempfile.TemporaryDirectory(prefix="aidf-lines-") as tmp:
        part = Path(tmp) / "lines.csv"
        part.write_bytes(b"\n".join(picked) + b"\n")
        lf, _ = _scan(part)
        rows = lf.collect()
    if rows.height != len(wanted):
        return None
    return rows.with_columns(pl.Series("line", wanted, dtype=pl.Int64))


def _file_lines(path: Path, wanted: list[int]) -> list[bytes] | None:
    """Line 1 (the header) and the `wanted` lines (ascending numbers) of a file, in memory a block at a
    time; None when a quoted cell spans two lines (file lines are then not records).

    Each block is read where it lies: only the line cut by a block's end is joined to the next block's
    head (copying every block onto the tail of the last cost a third of the time at ten million lines)."""
    out: list[bytes] = []
    at = [1, 0]  # the number of the next line to read; the next wanted line's index
    rest = b""
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_BLOCK), b""):
            start = 0
            if rest:
                head = block.find(b"\n") + 1
                if not head:  # the cut line goes on past this block too
                    rest += block
                    continue
                joined = rest + block[:head]
                if not _pick(joined, 0, len(joined), wanted, at, out):
                    return None
                start = head
            cut = block.rfind(b"\n", start) + 1
            rest = block[max(start, cut):]
            if cut > start and not _pick(block, start, cut, wanted, at, out):
                return None
    if rest and not _pick(rest + b"\n", 0, len(rest) + 1, wanted, at, out):
        return None
    return out


def _pick(block: bytes, begin: int, end: int, wanted: list[int], at: list[int], out: list[bytes]) -> bool:
    """The whole lines of `block[begin:end]` (`end` just past a line break): append the header and the
    wanted ones. Every byte is counted once: line breaks are skipped a span at a time up to each
    wanted line, then counted to the end to number the next lines."""
    if _quote_spans_lines(block, begin, end):
        return False
    first, i = at
    if first == 1:
        out.append(block[begin:block.find(b"\n", begin)])
    line, pos = first, begin  # `pos` is where line number `line` starts
    while i < len(wanted):
        pos, line = _skip_lines(block, end, pos, line, wanted[i])
        if line != wanted[i] or pos >= end:  # it starts in a later block
            break
        out.append(block[pos:block.find(b"\n", pos, end)])
        i += 1
    at[0], at[1] = line + block.count(b"\n", pos, end), i
    return True


_SPAN = 1 << 13  # bytes counted at a time when skipping lines (about 60 lines of a book)


def _skip_lines(block: bytes, end: int, pos: int, line: int, target: int) -> tuple[int, int]:
    """From line `line` starting at `pos`, the start of line `target` of `block[:end]` and `target`; or, when
    it starts past `end`, the start and number of the last line whole spans reached. Whole spans are
    skipped by counting their line breaks (in C); only the last is walked break by break (splitting the
    block into lines made a bytes object of every line: 3 s for a few thousand lines of 10^7)."""
    k = target - line
    while k:
        if pos >= end:
            return pos, line
        stop = min(pos + _SPAN, end)
        n = block.count(b"\n", pos, stop)
        if n >= k:
            break
        k -= n
        line += n
        pos = stop
    for _ in range(k):  # the span holds at least k line breaks
        pos = block.find(b"\n", pos, end) + 1
    return pos, line + k


def _quote_spans_lines(block: bytes, start: int, stop: int) -> bool:
    """Whether a line of `block[start:stop]` holds an odd number of quote marks (a quoted cell open at its end)."""
    pos = block.find(b'"', start, stop)
    while pos != -1:
        begin = block.rfind(b"\n", start, pos) + 1 or start
        end = block.find(b"\n", pos, stop)
        end = stop if end == -1 else end
        if block.count(b'"', begin, end) % 2:
            return True
        pos = block.find(b'"', end, stop)
    return False


def _scan(path: Path) -> tuple[pl.LazyFrame | None, list[str]]:
    """A CSV or Parquet book as a query (layout columns + `line`) and its ignored columns; None for the
    formats read whole."""
    if not path.exists():
        raise InputError("orders", f"no such file: {path}")
    fmt = file_format(path, "orders")
    if fmt not in ("csv", "parquet"):
        return None, []
    if fmt == "csv":
        header = pl.scan_csv(path, infer_schema=False).collect_schema().names()
        # The reader types the text columns kept as categoricals (one code per cell, each distinct
        # text once); the other cells are read as text and typed by their distinct values.
        lf = pl.scan_csv(path, infer_schema=False, schema_overrides=_categorical_columns(header))
        first_line = 2
    else:
        lf = pl.scan_parquet(path)
        first_line = 1
    mapping, ignored = _mapping(lf.collect_schema().names())
    lf = lf.select([pl.col(c).alias(n) for c, n in mapping.items()]).with_row_index("line", offset=first_line)
    return lf.with_columns(pl.col("line").cast(pl.Int64)), ignored


def _categorical_columns(header: list[str]) -> dict[str, pl.DataType]:
    from aidf.replay.book import CATEGORICAL_KINDS, _out_dtype

    mapping, _ = _mapping(header)
    return {col: pl.Categorical for col, name in mapping.items()
            if BY_NAME[name].kind in CATEGORICAL_KINDS and _out_dtype(name, BY_NAME[name].kind) == pl.Categorical}


def _batches(lf: pl.LazyFrame, batch_rows: int) -> Iterator[pl.DataFrame]:
    empty = True
    for batch in lf.collect_batches(chunk_size=batch_rows):
        if batch.height:
            empty = False
            yield batch
    if empty:
        yield lf.head(0).collect()


_BLANK_LINE = re.compile(rb"(^|\n)[ \t\r]*(\n|$)")


def _read_jsonl(path: Path) -> tuple[pl.DataFrame, list[str]]:
    data = path.read_bytes()
    if not _BLANK_LINE.search(data.rstrip(b"\n")):
        try:
            df = pl.read_ndjson(data, infer_schema_length=None)
        except Exception:  # mixed types or a malformed line: the line-by-line reader says where
            df = None
        if df is not None and all(dtype != pl.Struct and dtype != pl.List(pl.Null) for dtype in df.dtypes):
            df = df.with_columns(pl.all().cast(pl.String))
            df, ignored = _rename(df)
            return df.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line")), ignored
    # Record positions one by one, so blank lines do not shift the line numbers reported.
    records: list[dict] = []
    lines: list[int] = []
    with open(path, encoding="utf-8") as f:
        for n, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                rec = json.loads(text)
            except json.JSONDecodeError as e:
                raise InputError(f"line {n}", f"not valid JSON ({e.msg})") from None
            if not isinstance(rec, dict):
                raise InputError(f"line {n}", "each line must be a JSON object with the layout's columns")
            records.append(rec)
            lines.append(n)
    return _from_records(records, lines)


def _from_records(records: list[dict], lines: list[int]) -> tuple[pl.DataFrame, list[str]]:
    keys: list[str] = []
    seen = set()
    for rec in records:
        for k in rec:
            if k not in seen:
                seen.add(k)
                keys.append(k)
    cols: dict[str, list] = {k: [] for k in keys}
    for rec in records:
        for k in keys:
            cols[k].append(_cell(rec.get(k)))
    df = pl.DataFrame({k: pl.Series(k, v, dtype=pl.String) for k, v in cols.items()}) if keys \
        else pl.DataFrame()
    df, ignored = _rename(df)
    df = df.with_columns(pl.Series("line", lines, dtype=pl.Int64))
    return df, ignored


def _cell(v) -> str | None:
    """Cells are read as text and typed by the parser, so every format is checked the same way."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return repr(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    s = str(v)
    return s if s.strip() else None


def _read_xlsx(path: Path) -> tuple[pl.DataFrame, list[str]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb["orders"] if "orders" in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header: list | None = None
        header_line = 0
        records: list[dict] = []
        lines: list[int] = []
        for n, row in enumerate(rows, start=1):
            if header is None:
                if row and any(c is not None and str(c).strip() for c in row):
                    header = [None if c is None else str(c) for c in row]
                    header_line = n
                continue
            if not row or all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
                continue
            records.append({h: c for h, c in zip(header, row, strict=False) if h is not None})
            lines.append(n)
        if header is None:
            raise InputError("orders", f"{path.name}: the sheet has no header row")
        del header_line
        if not records:
            records, lines = [], []
            df = pl.DataFrame({h: pl.Series(h, [], dtype=pl.String) for h in header if h})
            df, ignored = _rename(df)
            return df.with_columns(pl.Series("line", [], dtype=pl.Int64)), ignored
        return _from_records(records, lines)
    finally:
        wb.close()


# ---- writing ------------------------------------------------------------------------------------

def write_table(df: pl.DataFrame, path: str | Path, sheet: str = "decisions") -> None:
    """Write a table as CSV, Parquet, JSON Lines or Excel, chosen by the file's suffix."""
    path = Path(path)
    fmt = file_format(path, "out")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        df.write_parquet(path)
    elif fmt == "csv":
        df.write_csv(path)
    elif fmt == "jsonl":
        df.write_ndjson(path)
    else:
        write_xlsx(df, path, sheet)


def write_parquet_parts(parts: Iterable[pl.DataFrame], path: str | Path, plain: Iterable[str] = ()) -> None:
    """A Parquet file of one row group per part (a first part is always given). Categorical columns are
    written as dictionaries, each text once per row group rather than once per line; the file keeps no
    Arrow schema, so every reader reads them back as text, as if they had been written as text. The
    columns named in `plain` (a value per line, such as a line number) are written without one.

    Each row group is encoded and compressed on a second thread while the next part is made (both
    let go of the interpreter while they work), one part ahead at most."""
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = pa.dictionary(pa.int32(), pa.string())
    writer = None
    pending = None
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            for part in parts:
                table = part.to_arrow()
                table = table.cast(pa.schema([pa.field(f.name, text) if pa.types.is_dictionary(f.type) else f
                                              for f in table.schema]))
                if writer is None:
                    writer = _parquet_writer(path, table.schema, set(plain))
                if pending is not None:
                    pending.result()
                pending = pool.submit(writer.write_table, table, row_group_size=max(1, table.num_rows))
            if pending is not None:
                pending.result()
    finally:
        if writer is not None:
            writer.close()


def _parquet_writer(path: Path, schema, plain: set[str]):
    import pyarrow as pa
    import pyarrow.parquet as pq

    # A column of nearly distinct values gains nothing from a dictionary: the writer builds one, finds it
    # too large for a page and starts over without it (at 10^6 lines the line numbers and order ids took
    # twice the time and 40% more bytes so).
    dictionary = [f.name for f in schema if f.name not in plain]
    # Statistics (min/max per row group) for the number and date columns, which readers filter on; the
    # text columns' took a third of the writing time and serve no filter.
    stats = [f.name for f in schema if not pa.types.is_dictionary(f.type)]
    return pq.ParquetWriter(path, schema, compression="zstd", store_schema=False, write_statistics=stats,
                            use_dictionary=dictionary)


def write_batches(df: pl.DataFrame, path: str | Path, convert=None, batch_rows: int = 250_000,
                  sheet: str = "decisions", lazy: pl.LazyFrame | None = None) -> None:
    """`write_table(convert(df))`, converting and writing `batch_rows` rows at a time (Parquet: one
    row group per batch; CSV and JSON Lines: appended), so the converted table is never whole in memory.
    Excel is written whole (a sheet holds at most about a million rows). With `lazy` (the same
    conversion as a query on `df`), Parquet, CSV and JSON Lines are streamed by Polars' sinks instead."""
    path = Path(path)
    fmt = file_format(path, "out")
    convert = convert or (lambda x: x)
    batch_rows = max(1, batch_rows)
    if fmt == "xlsx" or df.height <= batch_rows:
        write_table(convert(df), path, sheet)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if lazy is not None:
        if fmt == "parquet":
            lazy.sink_parquet(path, row_group_size=batch_rows)
        elif fmt == "csv":
            lazy.sink_csv(path)
        else:
            lazy.sink_ndjson(path)
        return
    slices = (convert(df.slice(off, batch_rows)) for off in range(0, df.height, batch_rows))
    if fmt == "parquet":
        write_parquet_parts(slices, path)
        return
    with open(path, "wb") as f:
        for i, part in enumerate(slices):
            if fmt == "csv":
                part.write_csv(f, include_header=i == 0)
            else:
                part.write_ndjson(f)


def write_xlsx(df: pl.DataFrame, path: str | Path, sheet: str = "decisions") -> None:
    from openpyxl import Workbook

    if df.height > EXCEL_MAX_ROWS:
        raise InputError("out", f"{df.height:,} rows do not fit an Excel sheet ({EXCEL_MAX_ROWS:,} at most); "
                                "write .parquet or .csv instead")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(df.columns)
    for row in df.iter_rows():
        ws.append(list(row))
    wb.save(path)


def write_template(path: str | Path) -> None:
    """An order book with every layout column and a few example rows."""
    from aidf.replay.layout import TEMPLATE_ROWS

    rows = [{n: (None if r.get(n) is None else str(r[n])) for n in NAMES} for r in TEMPLATE_ROWS]
    df = pl.DataFrame(rows, schema={n: pl.String for n in NAMES})
    fmt = file_format(path, "template")
    if fmt == "xlsx":
        _write_template_xlsx(df, Path(path))
    else:
        write_table(df, path, sheet="orders")


def _write_template_xlsx(df: pl.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    wb = Workbook()
    ws = wb.active
    ws.title = "orders"
    ws.append(df.columns)
    for cell, name in zip(ws[1], df.columns, strict=True):
        col = BY_NAME[name]
        cell.comment = Comment(col.help + (" (required)" if col.required else ""), "aidf")
    for row in df.iter_rows():
        ws.append([_typed(BY_NAME[n].kind, v) for n, v in zip(df.columns, row, strict=True)])
    help_ws = wb.create_sheet("columns")
    help_ws.append(["column", "kind", "level", "required", "meaning"])
    for name in df.columns:
        c = BY_NAME[name]
        help_ws.append([c.name, c.kind, c.level, "yes" if c.required else "", c.help])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _typed(kind: str, v: str | None):
    if v is None:
        return None
    if kind in ("number", "int"):
        f = float(v)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    if kind == "bool":
        return v.lower() == "true"
    if kind == "date":
        return dt.date.fromisoformat(v)
    return v
