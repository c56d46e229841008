"""Replay of Part 746 destinations and regions (746.6), US territories (772.1) and .z items (`listed_eccn`):
the columnar answers equal decide_many line for line, and bad region or ECCN cells are named."""

from __future__ import annotations

import polars as pl
import pytest

from aidf.replay import book as bookmod
from aidf.replay.columnar import replay
from aidf.replay.run import run

from .helpers import differences, typed

HEAD = "order_id,date,action,destination,destination_region,consignee_name,consignee_country," \
       "consignee_ultimate_parent_headquarters,catalog,listed_eccn,form,chips_per_unit,quantity,rules,end_use\n"
ROWS = [
    "A1,2025-07-01,export,UA,UA-43,Simferopol Data,UA,,nvidia-h100-sxm5,,,,10,,",
    "A2,2025-07-01,export,UA,UA-43,Crimea Sub,UA,US,nvidia-h100-sxm5,,,,10,,",
    "A3,2025-07-01,export,UA,UA-14,Donetsk Data,UA,,nvidia-a30,,,,10,,",
    "A4,2025-07-01,export,UA,UA-30,Kyiv Compute,UA,,nvidia-h100-sxm5,,,,10,,",
    "A5,2025-07-01,export,UA,,Lviv Compute,UA,,nvidia-h100-sxm5,,,,10,,",
    "A6,2025-07-01,export,RU,,Moskva Games,RU,,nvidia-rtx-4090,,,,20,,",
    "A7,2025-07-01,export,RU,,Moskva Sub,RU,US,nvidia-rtx-4090,,,,20,,",
    "A8,2025-09-01,export,SY,,Damascus Data,SY,,nvidia-h100-sxm5,,,,5,,",
    "A9,2025-09-02,export,SY,,Damascus Data,SY,,nvidia-h100-sxm5,,,,5,,",
    "A10,2025-07-01,export,IR,,Tehran Data,IR,,nvidia-a30,,,,10,,",
    "A11,2025-07-01,export,CU,,Habana Datos,CU,,nvidia-a30,,,,10,,",
    "A12,2025-07-01,export,KP,,Pyongyang Compute,KP,,nvidia-a30,,,,10,,",
    "A13,2025-07-01,export,BY,,Minsk Compute,BY,,nvidia-h100-sxm5,,,,10,,",
    "A14,2025-07-01,export,PR,,San Juan Compute,PR,,nvidia-h100-sxm5,,,,2000,,",
    "A15,2025-07-01,export,GU,,Hagatna Data,GU,,nvidia-b200,,,,500,,",
    "A16,2024-06-01,export,IR,,Tehran Data,IR,,nvidia-rtx-4090,,,,10,pre-diffusion-2024,",
    "A17,2025-07-01,export,MX,,Monterrey Nube,MX,,nvidia-h100-sxm5,5A992,,,10,,",
    "A18,2025-07-01,export,SA,,Riyadh AI,SA,,nvidia-a30,3A001,,,10,,",
    "A19,2025-07-01,export,FR,,Lyon Calcul,FR,,nvidia-a30,4A004,,,10,,",
    "A20,2025-07-01,export,CN,,Beijing Cloud,CN,,nvidia-h100-sxm5,4A003,computer,8,2,,",
    "A21,2025-07-01,export,MX,,Monterrey Nube,MX,,nvidia-h100-sxm5,,,,10,,",
    "A22,2025-10-01,export,SY,,Syrian Telecom,SY,,nvidia-a30,,,,10,,telecommunications",
    "A23,2025-10-01,export,SY,,Syrian Data,SY,,nvidia-a30,,,,10,,data_center",
]


def test_replay_equals_decide_many_for_part746_territories_and_z(tmp_path):
    path = tmp_path / "book.csv"
    path.write_text(HEAD + "\n".join(ROWS) + "\n")
    book = pl.read_csv(path, infer_schema=False)
    assert differences(typed(book)) == []
    out = {r["transaction_id"]: r for r in replay(typed(book)).lines.iter_rows(named=True)}
    assert out["A1"]["review_policy"] == "denial" and out["A1"]["authorization"] is None
    assert out["A2"]["review_policy"] == "case_by_case"
    assert out["A4"]["authorization"] == "LPP" and out["A5"]["authorization"] == "LPP"
    assert (out["A8"]["review_policy"], out["A9"]["review_policy"]) == ("denial", "case_by_case")
    assert out["A14"]["outcome"] == "NLR" and out["A14"]["destination_tier"] == 1
    assert (out["A22"]["review_policy"], out["A23"]["review_policy"]) == ("presumption_of_approval", "case_by_case")
    assert out["A17"]["eccn"] == "5A992.z" and out["A17"]["authorization"] == "LPP"


def test_bad_region_and_listed_eccn_cells_are_named(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEAD + "B1,2025-07-01,export,UA,UA-99,Kyiv,UA,,nvidia-a30,,,,1,,\n"
                           "B2,2025-07-01,export,PL,UA-43,Krakow,PL,,nvidia-a30,,,,1,,\n"
                           "B3,2025-07-01,export,FR,,Lyon,FR,,nvidia-a30,4A994,,,1,,\n")
    with pytest.raises(bookmod.BookErrors) as e:
        run(path)
    got = {(x.line, x.field) for x in e.value.errors}
    assert {(2, "destination_region"), (3, "destination_region"), (4, "listed_eccn")} <= got
