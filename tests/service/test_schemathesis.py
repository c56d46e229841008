"""Property tests from /openapi.json, on SQLite and PostgreSQL: whatever schemathesis sends (valid and
invalid data, single calls and sequences following the schema's links), no 5xx, answers match the
schema, invalid requests are refused and valid ones are not."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from aidf.service.app import create_app
from aidf.service.core import Service

# Rules the published schema does not state: the ISO country list, the catalog, the precisions a
# rule knows, "an item is exactly one of ...", a license or a reason (not both), the dates a rule set
# covers (the schema's formatMinimum/formatMaximum are not used by the generator), a cursor's content.
# A schema-valid request refused with 422 *naming one of these fields* is a correct refusal; any other
# refusal of valid data (another field, no field, another status) fails the test. In a batch, the
# field is prefixed with the index of the transaction ("0.destination").
UNSTATED = re.compile(r"^(\d+\.)?(destination|parties\.\w+\.(country|headquarters|ultimate_parent_headquarters)"
                      r"|items\.\d+(\.catalog)?|item(\.catalog)?|(items\.\d+|item)\.peak_dense\.[^.]+|cursor|license"
                      r"|date|on|as_of|valid_from|valid_to|shipped_on)$")


def valid_data_accepted(ctx, response, case):
    """positive_data_acceptance, except for refusals that name a rule the schema cannot state."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        field = None
        if response.status_code == 422:
            field = (response.json().get("error") or {}).get("field")
        if field and UNSTATED.match(field):
            return None
        raise


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection, valid_data_accepted]
# The key is added to every call, so schemathesis must not also mutate it (a "missing key" case
# would still carry it); missing and wrong keys are tested in test_errors_and_roles.py.
CONFIG = SchemathesisConfig.from_dict({"generation": {"with-security-parameters": False}})
SETTINGS = settings(max_examples=25, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.function_scoped_fixture])


def _pg_spec() -> tuple[str | None, object]:
    """A throwaway PostgreSQL schema made at import (the schemas below are built at import too)."""
    import os
    import uuid

    from sqlalchemy import create_engine, text

    from tests.service.conftest import PG_BASE

    try:
        eng = create_engine(PG_BASE, connect_args={"connect_timeout": 3})
        name = "fuzz_" + uuid.uuid4().hex[:12]
        with eng.begin() as c:
            c.execute(text(f"CREATE SCHEMA {name}"))
    except Exception:
        if os.environ.get("CI"):
            raise
        return None, None

    def drop() -> None:
        with eng.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        eng.dispose()

    return f"{PG_BASE}?options=-csearch_path%3D{name}", drop


_tmp = tempfile.TemporaryDirectory(prefix="aidf-schemathesis-")
APPS = {"sqlite": create_app(str(Path(_tmp.name) / "ledger.sqlite"))}
_PG, _drop_pg = _pg_spec()
if _PG:
    APPS["postgresql"] = create_app(_PG)
KEYS = {db: app.state.service.keys.create("fuzz", "admin")[0] for db, app in APPS.items()}
SCHEMAS = {db: schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG) for db, app in APPS.items()}
sqlite_schema = SCHEMAS["sqlite"]
pg_schema = SCHEMAS.get("postgresql", sqlite_schema)


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    for app in APPS.values():
        app.state.service.close()
    if _drop_pg:
        _drop_pg()
    _tmp.cleanup()


@sqlite_schema.parametrize()
@SETTINGS
def test_api_conforms_sqlite(case):
    case.call_and_validate(headers={"X-API-Key": KEYS["sqlite"]}, checks=CHECKS)


@pytest.mark.postgres
@pg_schema.parametrize()
@SETTINGS
def test_api_conforms_postgresql(case):
    if "postgresql" not in APPS:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    case.call_and_validate(headers={"X-API-Key": KEYS["postgresql"]}, checks=CHECKS)


def _fresh_service(db: str) -> tuple[Service, str, object]:
    """A service over an empty ledger of the given kind, its admin key, and what removes it."""
    drop = None
    if db == "sqlite":
        spec = str(Path(tempfile.mkdtemp(dir=_tmp.name)) / "ledger.sqlite")
    else:
        spec, drop = _pg_spec()
    service = Service(spec)
    key = service.keys.create("fuzz", "admin")[0]

    def remove() -> None:
        service.close()
        if drop:
            drop()

    return service, key, remove


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_api_sequences(db):
    """Stateful: chains of calls joined by the schema's links (book, then read it back, release, ...).
    Each scenario starts on an empty ledger: Hypothesis replays a scenario's choices and needs the same
    answers back, which a ledger carrying earlier scenarios' bookings (and other tests') would not give."""
    if db not in APPS:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    app = APPS[db]
    shared = app.state.service

    class Machine(SCHEMAS[db].as_state_machine()):
        def setup(self):
            app.state.service, self.key, self.remove = _fresh_service(db)

        def teardown(self):
            app.state.service = shared
            self.remove()

        def get_call_kwargs(self, case):
            return {"headers": {"X-API-Key": self.key}}

        def validate_response(self, response, case, additional_checks=(), **kw):
            case.validate_response(response, checks=CHECKS)

    test = Machine.TestCase
    test.settings = settings(max_examples=15, stateful_step_count=5, derandomize=True, deadline=None,
                             suppress_health_check=list(HealthCheck))
    try:
        test().runTest()
    finally:
        app.state.service = shared


def test_links_are_published():
    spec = APPS["sqlite"].openapi()
    post = spec["paths"]["/v1/decisions"]["post"]["responses"]["200"]
    assert {"GetDecision", "GetMemo", "ReleaseHold"} <= set(post.get("links", {}))
