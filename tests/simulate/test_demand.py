"""Demand profiles: seeded, reproducible order books; bad profiles refused naming the field."""

from __future__ import annotations

import polars as pl
import pytest

from aidf.errors import InputError
from aidf.simulate import demand


def test_the_default_profile_gives_the_same_book_for_the_same_seed_and_meets_demand():
    doc = demand.load()
    a, b, c = demand.book(doc, seed=4), demand.book(doc, seed=4), demand.book(doc, seed=5)
    assert a.equals(b) and not a.equals(c)
    quarters = len(demand._quarters(doc))
    india = a.filter(pl.col("destination") == "IN")["quantity"].sum()
    assert india >= doc["countries"]["IN"]["per_quarter"] * quarters  # met, in H100 units (H100 chips)
    assert india < (doc["countries"]["IN"]["per_quarter"] + doc["order_size"]["max_h100"]) * quarters


def test_a_scaled_book_has_about_the_lines_asked():
    df = demand.book(demand.load(), seed=1, lines=3000)
    assert 2000 < df.height < 4000


def test_a_demand_book_replays(tmp_path):
    from aidf.replay.run import run

    path = tmp_path / "d.parquet"
    demand.write(path, seed=2)
    assert run(path, None).lines == pl.read_parquet(path).height


@pytest.mark.parametrize("text, field", [
    ("countries: 3", "demand.countries"),
    ("quarters: {first: 2025Q2}\ncountries: {IN: {per_quarter: 5}}", "demand.quarters"),
    ("quarters: {first: 2025Q2, last: 2025Q3}\ncountries: {XX: {per_quarter: 5}}", "demand.countries.XX"),
    ("quarters: {first: 2025Q2, last: 2025Q3}\ncountries: {IN: {per_quarter: -5}}", "demand.countries.IN.per_quarter"),
    ("quarters: {first: 2025Q2, last: 2025Q3}\ncountries: {IN: {per_quarter: 5, veu_share: 2}}",
     "demand.countries.IN.veu_share"),
    ("quarters: {first: 2025Q2, last: 2025Q3}\ncountries: {IN: {per_quarter: 5, hq: {mars: 1}}}", "demand.countries.IN.hq"),
])
def test_a_bad_profile_is_refused_naming_the_field(tmp_path, text, field):
    f = tmp_path / "p.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as e:
        demand.load(f)
    assert e.value.field == field
