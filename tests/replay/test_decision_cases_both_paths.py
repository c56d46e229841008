"""Every paragraph-named YAML decision case (tests/rules/decisions/*.yaml) through replay as well:
as one book of all its steps, and each line as a book of its own, replay equals the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .helpers import book_of, book_rows, differences

DECISIONS = Path(__file__).resolve().parents[1] / "rules" / "decisions"


def _cases():
    for file in sorted(DECISIONS.glob("*.yaml")):
        for case in yaml.safe_load(file.read_text())["cases"]:
            yield pytest.param(case, id=f"{file.stem}: {case['name'][:60]}")


CASES = list(_cases())


@pytest.mark.parametrize("case", CASES)
def test_case_as_one_book(case):
    rows = [r for step in case["steps"] for r in book_rows(step["tx"])]
    assert differences(book_of(rows)) == []


@pytest.mark.parametrize("case", CASES)
def test_each_line_as_its_own_book(case):
    for step in case["steps"]:
        for row in book_rows(step["tx"]):
            assert differences(book_of([row])) == [], row
