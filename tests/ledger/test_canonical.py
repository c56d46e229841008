"""The canonical JSON of every hash: the fast writer (orjson where it writes the same bytes) must give
exactly the text the standard encoder gives, or stored chains would stop verifying; and the parser
must read back what the standard parser reads."""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
from collections import OrderedDict

from hypothesis import given, settings
from hypothesis import strategies as st

from aidf.ledger.audit import entry_hash
from aidf.ledger.common import (
    canonical,
    canonical_beside,
    canonical_reference,
    fast_canonical,
    parse,
    string_list,
)

KEY = b"k" * 32

scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.floats(min_value=-1e-3, max_value=1e-3)
           | st.text() | st.characters(max_codepoint=0x20).map(str))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.tuples(inner, inner)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=5), max_leaves=30)


@settings(max_examples=600, deadline=None)
@given(values)
def test_fast_canonical_is_the_standard_text(value):
    assert canonical(value) == canonical_reference(value)
    fast = fast_canonical(value)
    assert fast is None or fast == canonical_reference(value)


@settings(max_examples=300, deadline=None)
@given(values)
def test_parse_reads_what_the_standard_parser_reads(value):
    text = canonical_reference(value)
    assert canonical_reference(parse(text)) == canonical_reference(json.loads(text))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), values, max_size=5))
def test_an_entry_hashed_from_its_value_equals_one_hashed_from_its_stored_text(data):
    text = canonical(data)
    stored = entry_hash(KEY, 7, 1_700_000_000_000_000, "engine", "book", "t1", text, "0" * 64)
    if fast_canonical(data) is not None:
        assert entry_hash(KEY, 7, 1_700_000_000_000_000, "engine", "book", "t1", text, "0" * 64, data) == stored


class Colour(enum.Enum):
    RED = "red"


class Size(enum.StrEnum):
    BIG = "big"


class Tagged(str):
    pass


def test_values_orjson_writes_differently_take_the_standard_path():
    tricky = [1.5e-05, -2e-7, math.nan, math.inf, -math.inf, 2**64, -(2**63) - 1, {1: "a", 2: "b"},
              {2: "x", 10: "y"}, dt.datetime(2025, 1, 2, 3, 4, 5), dt.date(2025, 1, 2), Colour.RED, Size.BIG,
              Tagged("t"), OrderedDict(b=1, a=2), {"\ud800": 1}, "\ud800", [[[[[]]]]] * 3, {"é": 1, "e": 2, "😀": 3},
              "\x00\x1f\x7f\u2028\"\\", 1e16, 1e22, -0.0, 0.0001, 123456789.123]
    for value in tricky:
        assert canonical(value) == canonical_reference(value), value
        assert canonical({"v": value, "w": [value]}) == canonical_reference({"v": value, "w": [value]}), value


def test_deep_nesting_falls_back_to_the_standard_encoder():
    deep: list = []
    for _ in range(400):
        deep = [deep]
    assert canonical(deep) == canonical_reference(deep)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=8), values, max_size=6), st.text(max_size=8), values)
def test_canonical_beside_is_both_standard_texts(obj, key, value):
    alone, beside = canonical_beside(obj, key, value)
    assert alone == canonical_reference(obj)
    assert beside == canonical_reference({**obj, key: value})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), max_size=6))
def test_string_list_is_the_standard_text(items):
    assert string_list(items) == json.dumps(items)
