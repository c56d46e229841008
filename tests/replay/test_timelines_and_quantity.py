"""Replay across the timelines' boundaries equals decide_many; quantity is required in every book format."""

from __future__ import annotations

import json

import polars as pl
import pytest

from aidf.replay import book as bookmod
from aidf.replay.generate import generate
from aidf.replay.run import run

from .helpers import differences, typed

HEAD = "order_id,date,action,destination,consignee_name,consignee_country,catalog,quantity,weights_training_operations,weights_published"


@pytest.mark.parametrize("rules", [None, "as-written", "as-enforced", "ai-diffusion-2025", "pre-diffusion-2024"])
def test_a_book_from_2024_12_to_2025_06_replays_as_decide_many(rules):
    """Both sides of 2025-01-13, 2025-05-13 and 2025-05-15; intensity fills LPP room so orders go past it."""
    df = generate(900, seed=41, intensity=20.0, start="2024-12-01", days=212)
    if rules is not None:
        df = df.with_columns(pl.lit(rules).alias("rules"))
    assert differences(typed(df), limit=50) == []


def test_the_grace_window_is_decided_per_line_in_the_replay():
    rows = []
    for n, (day, dest, qty) in enumerate((("2025-01-12", "IN", 2000), ("2025-01-13", "IN", 2000), ("2025-05-14", "IN", 2000),
                                          ("2025-05-15", "IN", 2000), ("2025-03-03", "KZ", 2000), ("2025-03-03", "MX", 10))):
        rows.append({"order_id": f"G{n}", "date": day, "action": "export", "destination": dest,
                     "consignee_name": f"C{n}", "consignee_country": dest, "catalog": "nvidia-h100-sxm5", "quantity": qty})
    book = typed(pl.DataFrame(rows).with_columns(pl.col("date").str.to_date()))
    assert differences(book) == []


def _refused(tmp_path, name: str, text: str | None = None) -> list[tuple[int, str]]:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(bookmod.BookErrors) as e:
        run(path)
    return [(x.line, x.field) for x in e.value.errors]


def test_csv_without_a_quantity_column_is_refused_naming_quantity(tmp_path):
    text = "order_id,date,action,destination,consignee_name,consignee_country,catalog\nO1,2025-07-01,export,FR,Lyon,FR,nvidia-h100-sxm5\n"
    assert _refused(tmp_path, "a.csv", text) == [(2, "quantity")]


def test_csv_blank_quantity_cell_is_refused_but_weights_need_none(tmp_path):
    text = (HEAD + "\nO1,2025-07-01,export,FR,Lyon,FR,nvidia-h100-sxm5,,,\n"
            "O2,2025-07-01,export,FR,Lyon,FR,,,3e26,false\n")
    assert _refused(tmp_path, "b.csv", text) == [(2, "quantity")]
    ok = HEAD + "\nO2,2025-07-01,export,FR,Lyon,FR,,,3e26,false\n"
    (tmp_path / "c.csv").write_text(ok)
    lines = run(tmp_path / "c.csv").result.lines
    assert lines["eccn"].to_list() == ["4E091"]


def test_xlsx_formula_cell_without_a_cached_value_is_refused(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "orders"
    ws.append(HEAD.split(","))
    ws.append(["O1", "2025-07-01", "export", "FR", "Lyon", "FR", "nvidia-h100-sxm5", "=10*100", None, None])
    wb.save(tmp_path / "f.xlsx")  # openpyxl stores the formula with no cached result
    assert _refused(tmp_path, "f.xlsx") == [(2, "quantity")]


def test_parquet_null_quantity_and_jsonl_missing_key_are_refused(tmp_path):
    pl.DataFrame({"order_id": ["O1"], "date": ["2025-07-01"], "action": ["export"], "destination": ["FR"],
                  "consignee_name": ["Lyon"], "consignee_country": ["FR"], "catalog": ["nvidia-h100-sxm5"],
                  "quantity": pl.Series([None], dtype=pl.Int64)}).write_parquet(tmp_path / "p.parquet")
    assert _refused(tmp_path, "p.parquet") == [(1, "quantity")]  # Parquet rows are numbered from 1
    row = {"order_id": "O1", "date": "2025-07-01", "action": "export", "destination": "FR", "consignee_name": "Lyon",
           "consignee_country": "FR", "catalog": "nvidia-h100-sxm5"}
    assert [f for _, f in _refused(tmp_path, "j.jsonl", json.dumps(row) + "\n")] == ["quantity"]


def test_grace_window_lines_the_2024_regime_does_not_license_share_one_shape_per_item():
    """In the grace window a line the 2024 regime needs no license for is decided by that regime
    (grace_decides): its destination is not part of its shape, yet every line equals decide_many.
    Lines it does license (a D:1/D:4/D:5 destination, a D:5 headquarters) keep destination and parties."""
    from aidf.replay.columnar import replay

    plain = ("FR", "IN", "MX", "BR", "SG", "IL", "JP", "AE")
    rows = []
    for n, dest in enumerate(plain + ("CN", "KZ")):
        hq = "CN" if dest == "SG" else None
        rows.append({"order_id": f"P{n}", "date": "2025-03-03", "action": "export", "destination": dest,
                     "consignee_name": f"C{n}", "consignee_country": dest, "consignee_headquarters": hq,
                     "catalog": "nvidia-h100-sxm5", "quantity": 2000})
    book = typed(pl.DataFrame(rows).with_columns(pl.col("date").str.to_date()))
    assert differences(book) == []
    lines = replay(book).coded.with_columns(pl.col("destination").cast(pl.String))
    nlr = lines.filter(pl.col("outcome").cast(pl.String) == "NLR")
    assert nlr.height >= 4 and nlr["shape"].n_unique() == 1
    licensed = lines.filter(pl.col("destination").is_in(["CN", "KZ", "SG"]))
    assert licensed["outcome"].cast(pl.String).is_in(["LICENSE_REQUIRED", "LICENSE_EXCEPTION", "VEU"]).all()
    assert licensed["shape"].n_unique() == 3 and not licensed["shape"].is_in(nlr["shape"].implode()).any()
