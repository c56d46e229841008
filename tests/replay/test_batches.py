"""Checking a book in row batches: the same typed lines and the same LineErrors, whatever the batch size."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from aidf.replay import book as bookmod
from aidf.replay import static
from aidf.replay.generate import generate
from aidf.replay.io import iter_book, read_book, write_table
from aidf.replay.layout import BY_NAME, NAMES
from aidf.replay.run import OUT_COLUMNS, run

from .helpers import differences

BAD = """order_id,date,action,destination,end_use,direct_to_consignee,rules,consignee_name,consignee_country,\
consignee_headquarters,consignee_private_sector,veu_type,veu_id,veu_installed_base,end_user_name,end_user_country,\
catalog,tpp,peak_fp8,die_area_mm2,datacenter,form,chips_per_unit,quantity,weights_training_operations,weights_published
B1,2025-07-01,export, fr ,data_center,yes,,Lyon Calcul,FR,,TRUE,,,,,,NVIDIA-B200,,,,,,,16,,
B1,2025-07-01,Export,FR,data_center,y,,Lyon Calcul,FR,,true,,,,,,nvidia-h100-sxm5,,,,,,,2,,
B2,2025-13-01,export,FR,,,,Lyon Calcul,FR,,,,,,,,nvidia-b200,,,,,,,16,,
B3,2025-07-01,ship,ZZ,,maybe,,Lyon Calcul,fr,xx,,,,,,,nvidia-b200,,,,,,,-5,,
B4,2025-07-01,export,FR,,,no-such-rules,Lyon Calcul,FR,,,,,,,,no-such-chip,,,,,,,1.5,,
B5,2025-07-01,export,FR,,,,Lyon Calcul,FR,,,,,,,,nvidia-b200,,,,,computer,,1,,
B6,2025-07-01,export,MX,,,,Nube,MX,,,NVEU,,US=abc,,,,abc,,,,,,1,,
B7,2025-07-01,export,MX,,,,Nube,MX,,,UVEU,V1,US=1e9,User,,,100,50,,,,,1,,
B8,2025-07-01,export,MX,,,,Nube,MX,,,,,,,,,,,-3,notbool,tablet,0,1,2e26,
B1,2025-07-02,export,FR,data_center,yes,,Lyon Calcul,FR,,TRUE,,,,,,nvidia-b200,,,,,,,1,,
B9,2022-07-01,transfer,CN,,,,Beijing,CN,,,,,,,,nvidia-b200,,,,,,,1,,
,2025-07-01,export,FR,,,,,FR,,,,,,,,nvidia-b200,,,,,,,1,,
B10, 2025-07-01T00:00:00 ,reexport,DE,,,,X,DE,,,,,,,,,,,,,,,,1e25,no
B11,2025-07-01T10:00,export,DE,,,,X,DE,,,,,,,,nvidia-b200,,,,,,,,,
B7,2025-07-01,export,MX,,,,Nube,MX,,,UVEU,V2,US=1e9,User,,,100,,,,,,1,,
"""

QTY = "required on every chip or computer line (never assumed to be 1)"
DIFFERS = "differs from the first line of the same order_id (transaction and party columns must agree)"
# What the cell-by-cell checker (before batches) reported for BAD, line for line.
EXPECTED = [
    (4, "date", "not an ISO date (YYYY-MM-DD)"), (4, "date", "required"),
    (5, "action", "must be one of export, reexport, transfer"),
    (5, "consignee_headquarters", "unknown ISO 3166-1 alpha-2 country code"),
    (5, "destination", "unknown ISO 3166-1 alpha-2 country code"),
    (5, "direct_to_consignee", "not a yes/no value (true/false)"), (5, "quantity", "must be a whole number >= 1"),
    (6, "catalog", "unknown catalog id (see `aidf catalog`)"), (6, "quantity", "not a whole number"),
    (6, "quantity", QTY),
    (6, "rules", "unknown rule set; allowed: ai-diffusion-2025, pre-diffusion-2024, non-enforced-2025, as-written, "
                 "as-enforced"),
    (7, "chips_per_unit", "required when form is computer"),
    (8, "item", "no item: give catalog, tpp (or peak_*), or weights_training_operations"),
    (8, "tpp", "not a number"), (8, "veu_id", "required with veu_type"),
    (8, "veu_installed_base", "US: 'abc' is not a number"),
    (9, "end_user_country", "required when an end user is given"), (9, "tpp", "give tpp or peak_* columns, not both"),
    (10, "chips_per_unit", "must be a whole number >= 1"), (10, "datacenter", "not a yes/no value (true/false)"),
    (10, "die_area_mm2", "must be > 0"), (10, "form", "model weights take no form or chips_per_unit"),
    (10, "form", "must be one of ic, computer"), (10, "weights_published", "required with weights_training_operations"),
    (11, "date", DIFFERS),
    (12, "date", "before 2023-11-17, when the 3A090 test these rule sets apply began"),
    (13, "consignee_name", "required"), (13, "order_id", "required"),
    (15, "date", "not an ISO date (YYYY-MM-DD)"),
    (15, "quantity", QTY),
    (16, "end_user_country", "required when an end user is given"), (16, "veu_id", DIFFERS),
]


def _errors(errs) -> list[tuple[int, str, str]]:
    return [(e.line, e.field, e.reason) for e in errs]


def _plain(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.col(pl.Categorical).cast(pl.String))


@pytest.mark.parametrize("batch", [1, 4, 1000])
def test_batched_checking_names_the_same_lines(tmp_path, batch):
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    raw, _ = read_book(path)
    _, errs = bookmod.parse_book(raw, batch_rows=batch)
    assert _errors(errs) == EXPECTED
    batches, _ = iter_book(path, batch)
    _, errs = bookmod.parse_batches(batches)
    assert _errors(errs) == EXPECTED
    _, errs = bookmod.parse_book(raw, strict=True, batch_rows=batch)
    assert _errors(errs) == EXPECTED[:1]


def test_batched_checking_types_the_same_cells(tmp_path):
    df = generate(300, seed=3, intensity=5.0).with_columns(pl.col("date").cast(pl.String))
    # Cells a person types: padded, upper and lower case, yes/no.
    df = df.with_columns((" " + pl.col("destination").str.to_lowercase() + " ").alias("destination"),
                         pl.col("action").str.to_uppercase().alias("action"))
    write_table(df, tmp_path / "b.csv")
    raw, _ = read_book(tmp_path / "b.csv")
    whole, errs = bookmod.parse_book(raw, batch_rows=10**6)
    assert not errs
    assert whole["destination"].cast(pl.String).str.len_chars().max() == 2
    for batch in (37, 128):
        part, errs = bookmod.parse_book(raw, batch_rows=batch)
        assert not errs
        assert _plain(part).equals(_plain(whole))
        batches, _ = iter_book(tmp_path / "b.csv", batch)
        streamed, errs = bookmod.parse_batches(batches)
        assert not errs
        assert _plain(streamed).equals(_plain(whole))


def test_replay_with_tiny_batches_equals_decide_many(tmp_path, monkeypatch):
    df = generate(300, seed=17, intensity=20.0)
    write_table(df, tmp_path / "b.parquet")
    ref = run(tmp_path / "b.parquet").result.lines.select(OUT_COLUMNS)
    monkeypatch.setattr(bookmod, "BATCH_ROWS", 16)
    tiny = run(tmp_path / "b.parquet").result.lines.select(OUT_COLUMNS)
    assert tiny.equals(ref)
    raw = df.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line"))
    book, errs = bookmod.parse_book(raw, batch_rows=16)
    assert not errs
    assert differences(bookmod.normalize(book)) == []


def _book(rows: list[dict]) -> pl.DataFrame:
    raw = pl.DataFrame([{c: r.get(c) for c in NAMES} for r in rows], infer_schema_length=None).select(
        [pl.col(c).cast(bookmod.DTYPES[BY_NAME[c].kind]) for c in NAMES])
    book, errs = bookmod.parse_book(raw.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line")))
    assert not errs, errs[:3]
    return bookmod.normalize(book)


def test_epochs_merged_across_new_year_decide_as_alone():
    """Lines either side of every New Year, Tier 2 allocation and LPP lines, under every rule set."""
    rows = []
    n = 0
    for year in range(2024, 2031):
        for day in (dt.date(year - 1, 12, 31), dt.date(year, 1, 1)):
            for rules in (None, "pre-diffusion-2024", "non-enforced-2025"):
                for dest, cons, chip, qty in (("MX", "MX", "nvidia-h100-sxm5", 50000), ("IN", "IN", "nvidia-h20", 10),
                                              ("FR", "FR", "nvidia-b200", 8)):
                    n += 1
                    rows.append({"order_id": f"Y{n}", "date": day, "action": "export", "destination": dest,
                                 "rules": rules, "consignee_name": f"C{dest}", "consignee_country": cons,
                                 "consignee_private_sector": True, "catalog": chip, "quantity": qty})
    assert differences(_book(rows), limit=50) == []


def test_merged_epochs_read_the_same_parameters():
    breaks = static.breakpoints()
    for rid in (None, "ai-diffusion-2025", "pre-diffusion-2024", "non-enforced-2025", "as-enforced"):
        starts = static.merged_starts(rid)
        assert set(starts) == set(breaks)
        for b, first in starts.items():
            assert first <= b
            # a timeline's epochs merge only where it applies the same rule set (and grace window)
            res = static.resolve(rid, b)
            assert static.resolve(rid, first).key == res.key
            assert static._signature(res.ruleset.params(b).as_of) == static._signature(res.ruleset.params(first).as_of)
