"""The FastAPI application: REST API under /v1, the dashboard at /, static files at /static."""

from __future__ import annotations

import contextlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

import aidf
from aidf.cite import FRAMEWORK
from aidf.service import docs, errors, fast, guard, limits
from aidf.service.core import Service

HERE = Path(__file__).parent


def _warm() -> None:
    """Load the parameter files, the chip catalog and the engine before the first request, so that the
    first requests of a new worker do not all pay for them at once."""
    from aidf import engine  # noqa: F401  (the rules and models it imports)
    from aidf.catalog import load_catalog
    from aidf.rules.parameters import all_values

    all_values()
    load_catalog()


def create_app(ledger_spec: str | None = None, keys_db: str | None = None, *, local_dashboard: bool = False,
               service: Service | None = None) -> FastAPI:
    """Build the app over a ledger (`memory`, a SQLite path or a database URL).

    `keys_db` is where API keys live (default: the ledger's database). `local_dashboard` lets the web
    pages run as a local officer without a key; the caller must bind to loopback only (see server.py).
    The API under /v1 always needs a key.
    """
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        _warm()
        yield
        if app.state.owns_service:
            app.state.service.close()

    app = FastAPI(lifespan=lifespan, title="aidf", version=aidf.__version__, docs_url=None, redoc_url=None,
                  description=f"License determinations under the Framework for AI Diffusion ({FRAMEWORK}), "
                              "explained: the decision contract over HTTP, a ledger of allocations, and memos.\n\n"
                              + limits.SUMMARY)
    app.state.owns_service = service is None
    app.state.service = service or Service(ledger_spec, keys_db)
    app.state.local_dashboard = local_dashboard
    errors.install(app)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, exc: StarletteHTTPException):
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            return errors.body(422, "malformed request body: not JSON (or not UTF-8)", "body")
        return errors.body(exc.status_code, str(exc.detail), errors.headers_field(exc))

    from aidf.service import api, options_api, simulate_page, transfers, web

    app.include_router(api.router)
    app.include_router(transfers.router)
    app.include_router(options_api.router)
    from aidf.service import audit_web, reservations_web, screening_api, screening_web
    app.include_router(screening_api.router)
    app.include_router(screening_web.router)
    app.include_router(reservations_web.router)
    app.include_router(audit_web.router)
    app.include_router(web.router)
    app.include_router(simulate_page.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    docs.install(app)
    fast.install(app)
    guard.install(app)  # last added = outermost: it sees every request and answer first

    return app
