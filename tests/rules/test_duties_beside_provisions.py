"""Duties live beside the provision that imposes them: each authorization's duties are a function of its
provision module, cite that provision (or its records paragraph), and duties.py only dispatches."""

from __future__ import annotations

import inspect

import pytest

from aidf.rules import duties

MODULES = {"AIA": "aidf.rules.exceptions.aia", "ACM": "aidf.rules.exceptions.acm", "NAC": "aidf.rules.exceptions.nac_aca",
           "ACA": "aidf.rules.exceptions.nac_aca", "LPP": "aidf.rules.exceptions.lpp", "UVEU": "aidf.rules.veu",
           "NVEU": "aidf.rules.veu"}


@pytest.mark.parametrize("authorization", sorted(MODULES))
def test_each_authorizations_duties_come_from_its_provision_module(authorization):
    fn = duties.BY_AUTHORIZATION[authorization]
    module = fn.__module__
    assert module == MODULES[authorization]


def test_duties_py_writes_no_authorizations_duty_itself():
    text = inspect.getsource(duties)
    for phrase in ("AIA certification", "SNAP-R", "S-FGX", "VEU's end-use certification", "Account for units"):
        assert phrase not in text
