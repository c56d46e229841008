"""Property tests from /openapi.json: whatever schemathesis sends, no 5xx and answers match the schema."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aidf.service.app import create_app

_tmp = tempfile.TemporaryDirectory(prefix="aidf-schemathesis-")
APP = create_app(str(Path(_tmp.name) / "ledger.sqlite"))
KEY = APP.state.service.keys.create("fuzz", "admin")[0]
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    APP.state.service.close()
    _tmp.cleanup()


@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_api_conforms(case):
    case.call_and_validate(headers={"X-API-Key": KEY}, checks=CHECKS)
