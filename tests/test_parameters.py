"""The dated parameter files: every value carries its source, lookups follow the dates, bad files are refused."""

from __future__ import annotations

import datetime as dt
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from aidf.model import ISO2
from aidf.rules.parameters import ROOT, STATUSES, ParameterFileError, Parameters, all_values, parameters

FILES = sorted(ROOT.rglob("*.yaml"))


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return root


GOOD = """\
    description: test parameters
    values:
      limit:
        description: a limit that changes twice
        unit: tpp
        history:
          - {since: 2025-06-01, value: 300, cite: "test cite C", status: primary}
          - {since: 2024-01-01, value: 100, cite: "test cite A", status: primary}
          - {since: 2025-01-13, value: "200.5", cite: "test cite B", status: uncertain}
"""


# ---- the packaged files ---------------------------------------------------------------------------

@pytest.mark.parametrize("file", FILES, ids=lambda f: f.relative_to(ROOT).as_posix())
def test_every_file_loads_with_a_description_and_values(file: Path) -> None:
    doc = yaml.safe_load(file.read_text())
    assert isinstance(doc, dict) and doc.get("description"), "each file says what it holds"
    assert isinstance(doc.get("values"), dict) and doc["values"]
    assert file.relative_to(ROOT).with_suffix("").as_posix() in all_values()


def test_every_value_has_a_citation_a_status_and_a_date() -> None:
    count = 0
    for path, values in all_values().items():
        for name, history in values.items():
            assert history, f"{path}:{name} has no entries"
            assert [e.since for e in history] == sorted(e.since for e in history)
            for e in history:
                count += 1
                assert e.cite.strip(), f"{path}:{name} lacks a citation"
                assert e.status in STATUSES, f"{path}:{name} status {e.status!r}"
                assert isinstance(e.since, dt.date)
                assert e.description, f"{path}:{name} lacks a description"
    assert count > 50


def test_the_rule_folders_mirror_15_cfr() -> None:
    paths = set(all_values())
    assert {"part774/eccn_3a090", "part774/eccn_4e091", "display/h100", "dates"} <= paths
    assert all(p.split("/")[0] in {"part734", "part740", "part742", "part744", "part746", "part748", "part772", "part774",
                                   "display", "dates"}
               for p in paths)


def test_country_lists_hold_strings_and_norway_is_NO() -> None:
    lists = 0
    for values in all_values().values():
        for history in values.values():
            for e in history:
                if e.unit == "iso2_list":
                    lists += 1
                    assert all(isinstance(c, str) and c in ISO2 for c in e.value), e
                if e.unit == "iso2_map":
                    assert all(isinstance(c, str) for kv in e.value.items() for c in kv), e
    assert lists >= 5
    tier1 = parameters(dt.date(2025, 7, 1)).countries("part740/supp5_tier1", "tier1")
    assert "NO" in tier1 and False not in tier1


def test_the_3a090_thresholds_are_the_rules_numbers_exactly() -> None:
    p = parameters(dt.date(2025, 7, 1))
    f = lambda n: p.fraction("part774/eccn_3a090", n)  # noqa: E731
    assert (f("a1_tpp_min"), f("a2_tpp_min"), f("a2_pd_min")) == (4800, 1600, Fraction(592, 100))
    assert (f("b1_tpp_min"), f("b1_tpp_max_exclusive"), f("b1_pd_min"), f("b1_pd_max_exclusive")) == \
        (2400, 4800, Fraction(16, 10), Fraction(592, 100))
    assert (f("b2_tpp_min"), f("b2_pd_min"), f("b2_pd_max_exclusive")) == (1600, Fraction(32, 10), Fraction(592, 100))
    assert f("non_datacenter_tpp_threshold") == 4800
    assert p.get("part774/eccn_3a090", "precision_bits")["tf32"] == 32
    w = lambda n: p.fraction("part774/eccn_4e091", n)  # noqa: E731
    assert (w("training_operations_min"), w("derived_abs_threshold"), w("derived_fraction")) == \
        (10**26, 25 * 10**24, Fraction(1, 4))


def test_dated_lookup_on_a_real_value_picks_the_entry_in_force() -> None:
    path, name = "part740/nac_aca", "aca_scope"
    assert parameters(dt.date(2024, 6, 1)).get(path, name) == "d1_d4"
    assert parameters(dt.date(2025, 1, 12)).get(path, name) == "d1_d4"
    assert parameters(dt.date(2025, 1, 13)).get(path, name) == "tier2"


def test_4e091_does_not_exist_before_the_rule() -> None:
    assert not parameters(dt.date(2025, 1, 12)).has("part774/eccn_4e091", "training_operations_min")
    assert parameters(dt.date(2025, 1, 13)).has("part774/eccn_4e091", "training_operations_min")


def test_before_the_first_date_a_lookup_raises() -> None:
    p = parameters(dt.date(2023, 11, 16))
    with pytest.raises(LookupError, match="2023-11-17"):
        p.get("part774/eccn_3a090", "a1_tpp_min")
    assert not p.has("part774/eccn_3a090", "a1_tpp_min")


def test_an_unknown_parameter_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no parameter"):
        parameters(dt.date(2025, 7, 1)).get("part774/eccn_3a090", "no_such_value")


def test_fractions_are_exact_decimals_never_binary_floats() -> None:
    p = parameters(dt.date(2025, 7, 1))
    assert p.fraction("part774/eccn_3a090", "a2_pd_min") == Fraction(148, 25)
    assert p.fraction("display/h100", "h100_tpp") == Fraction(158312, 10)


# ---- a parameter tree of our own (the loader's `root`) --------------------------------------------

def test_a_tmp_tree_loads_and_dated_lookup_picks_the_latest_entry_on_or_before(tmp_path: Path) -> None:
    root = _write(tmp_path, "part999/test.yaml", GOOD)
    get = lambda d: parameters(d, root).get("part999/test", "limit")  # noqa: E731
    assert get(dt.date(2024, 1, 1)) == 100
    assert get(dt.date(2025, 1, 12)) == 100
    assert get(dt.date(2025, 1, 13)) == "200.5"
    assert parameters(dt.date(2025, 1, 13), root).fraction("part999/test", "limit") == Fraction(401, 2)
    assert get(dt.date(2025, 5, 31)) == "200.5"
    assert get(dt.date(2030, 1, 1)) == 300
    entry = Parameters(dt.date(2025, 2, 1), root).entry("part999/test", "limit")
    assert (entry.cite, entry.status, entry.uncertain) == ("test cite B", "uncertain", True)
    with pytest.raises(LookupError):
        get(dt.date(2023, 12, 31))
    # the packaged parameters are untouched by another root
    assert parameters(dt.date(2025, 7, 1)).get("part774/eccn_3a090", "a1_tpp_min") == 4800


@pytest.mark.parametrize(("text", "complaint"), [
    ("""\
        values:
          limit:
            history:
              - {since: 2025-01-13, value: 1, status: primary}
     """, "lacks 'cite'"),
    ("""\
        values:
          limit:
            history:
              - {since: 2025-01-13, value: 1, cite: "  ", status: primary}
     """, "empty citation"),
    ("""\
        values:
          limit:
            history:
              - {since: 2025-01-13, value: 1, cite: "x"}
     """, "lacks 'status'"),
    ("""\
        values:
          limit:
            history:
              - {since: 2025-01-13, value: 1, cite: "x", status: guessed}
     """, "status must be one of"),
    ("""\
        values:
          limit:
            history:
              - {value: 1, cite: "x", status: primary}
     """, "lacks 'since'"),
    ("""\
        values:
          limit:
            history:
              - {since: soon, value: 1, cite: "x", status: primary}
     """, "ISO date"),
    ("""\
        values:
          limit:
            history: []
     """, "non-empty 'history'"),
    ("""\
        values:
          limit:
            history:
              - just a string
     """, "must be a mapping"),
    ("""\
        values:
          tier1:
            unit: iso2_list
            history:
              - {since: 2025-01-13, value: [FR, NO, SE], cite: "x", status: primary}
     """, "quote NO"),
    ("""\
        values:
          aliases:
            unit: iso2_map
            history:
              - {since: 2025-01-13, value: {NO: SE}, cite: "x", status: primary}
     """, "quote NO"),
    ("""\
        values:
          tier1:
            unit: iso2_list
            history:
              - {since: 2025-01-13, value: [FR, XX], cite: "x", status: primary}
     """, "'XX' is not an ISO"),
    ("just: a mapping without values\n", "needs a 'values' mapping"),
])
def test_a_bad_file_is_refused(tmp_path: Path, text: str, complaint: str) -> None:
    root = _write(tmp_path, "part999/bad.yaml", text)
    with pytest.raises(ParameterFileError, match=complaint.replace("(", r"\(").replace(")", r"\)")):
        all_values(root)
    with pytest.raises(ParameterFileError):
        parameters(dt.date(2025, 7, 1), root).get("part999/bad", "limit")


def test_one_bad_file_spoils_the_tree_even_beside_good_ones(tmp_path: Path) -> None:
    _write(tmp_path, "part999/good.yaml", GOOD)
    _write(tmp_path, "part999/bad.yaml", """\
        values:
          limit:
            history:
              - {since: 2025-01-13, value: 1, status: primary}
    """)
    with pytest.raises(ParameterFileError, match="part999/bad:limit"):
        parameters(dt.date(2025, 7, 1), tmp_path).get("part999/good", "limit")


def test_a_quoted_NO_loads_as_norway(tmp_path: Path) -> None:
    root = _write(tmp_path, "part999/t1.yaml", """\
        values:
          tier1:
            unit: iso2_list
            history:
              - {since: 2025-01-13, value: [FR, "NO", SE], cite: "x", status: primary}
    """)
    assert parameters(dt.date(2025, 7, 1), root).countries("part999/t1", "tier1") == {"FR", "NO", "SE"}


# ---- epochs: dates on which the same entries are in force share derived values -------------------


def test_dates_with_the_same_entries_share_one_epoch_and_a_change_starts_another(tmp_path: Path) -> None:
    root = _write(tmp_path, "part999/test.yaml", GOOD)
    a, b = parameters(dt.date(2025, 2, 1), root), parameters(dt.date(2025, 5, 31), root)
    before, after = parameters(dt.date(2025, 1, 12), root), parameters(dt.date(2025, 6, 1), root)
    assert a is not b and a.epoch == b.epoch and a.as_of != b.as_of
    assert len({before.epoch, a.epoch, after.epoch}) == 3
    a.memo("derived", lambda: "computed on the first date")
    assert b.memo("derived", lambda: "computed again") == "computed on the first date"
    assert after.memo("derived", lambda: "its own") == "its own"
    assert [p.get("part999/test", "limit") for p in (before, a, b, after)] == [100, "200.5", "200.5", 300]


def test_a_parameters_built_by_hand_shares_nothing(tmp_path: Path) -> None:
    root = _write(tmp_path, "part999/test.yaml", GOOD)
    one, two = Parameters(dt.date(2025, 2, 1), root), Parameters(dt.date(2025, 2, 1), root)
    one.memo("x", lambda: 1)
    assert two.memo("x", lambda: 2) == 2 and one.epoch == two.epoch == -1


@pytest.mark.parametrize("day", [dt.date(2025, 1, 14), dt.date(2025, 1, 15), dt.date(2025, 5, 14), dt.date(2025, 5, 15),
                                 dt.date(2026, 1, 15), dt.date(2027, 12, 31), dt.date(2028, 1, 1)])
@pytest.mark.parametrize("item", [{"catalog": "nvidia-h100-sxm5", "quantity": 8}, {"catalog": "nvidia-h20", "quantity": 1},
                                  {"tpp": 4800, "die_area_mm2": 900, "datacenter": True, "quantity": 2},
                                  {"model_weights": {"training_operations": 2e26, "published": False}, "quantity": 1}])
def test_a_classification_cached_for_its_epoch_is_the_one_computed_on_the_day(day, item) -> None:
    """The cache is keyed by epoch, not date: on every side of a change it must equal a fresh one."""
    from aidf.model import Item
    from aidf.rules.classify import classified, classify_item

    it = Item.model_validate(item)
    other = parameters(day - dt.timedelta(days=1))
    classified(it.model_dump_json(), other, "items.0")  # fill the cache from the day before
    got = classified(it.model_dump_json(), parameters(day), "items.0")
    fresh = classify_item(it, day, field_prefix="items.0")
    assert (got.eccn, got.level, got.prongs, got.tpp_total, got.indeterminate) == \
        (fresh.eccn, fresh.level, fresh.prongs, fresh.tpp_total, fresh.indeterminate)
    assert [s.model_dump() for s in got.trace] == [s.model_dump() for s in fresh.trace]


def test_epochs_found_by_bisection_are_those_of_the_full_signature() -> None:
    from aidf.rules import parameters as params

    files = params._files(None)
    params._epoch.cache_clear()
    day, end = dt.date(2023, 1, 1), dt.date(2031, 1, 1)
    while day < end:
        assert params._epoch(day, None, None) is params._by_signature(day, None, None, files)
        day += dt.timedelta(days=1)
