"""Shared fixtures for the rule tests."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def as_of() -> dt.date:
    """A date on which both the Oct 2023 3A090 test and the diffusion rule (4E091) are in force."""
    return dt.date(2025, 7, 1)
