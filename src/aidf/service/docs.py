"""/docs (Swagger UI) and /redoc (ReDoc) served from packaged assets, for air-gapped installs.

The assets come from the pinned `fastapi-offline` package, which ships the Swagger UI bundle and the
ReDoc standalone script; the pages name no external host and run no inline script (the CSP forbids it).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"

SWAGGER = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aidf API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css"><link rel="icon" href="{ASSETS}/favicon.png"></head>
<body><div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/docs/swagger-init.js"></script>
</body></html>"""

REDOC = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aidf API</title>
<link rel="icon" href="{ASSETS}/favicon.png"></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="{ASSETS}/redoc.standalone.js"></script>
</body></html>"""


def assets_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def install(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(directory=assets_dir()), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return HTMLResponse(SWAGGER)

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return HTMLResponse(REDOC)
