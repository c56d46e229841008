"""The dashboard's /simulate page: one order book under several rule sets and reforms, compared.

A simulation never runs in the server's own process: reforms change parameter values for the
process that applies them, so each comparison runs in a fresh worker process and only its rendered
results come back. Books are limited in size (`MAX_BOOK_BYTES`) so one request cannot hold the
server.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from aidf.errors import InputError
from aidf.service import web

router = APIRouter(include_in_schema=False)
MAX_BOOK_BYTES = 20 * 1024 * 1024
BOOK_TYPES = (".csv", ".xlsx", ".parquet", ".jsonl")
REFORMS = {"lpp_cap": ("part740/lpp", "annual_tpp_cap"),
           "allocation": ("part742/country_allocation", "tpp_per_country")}


def rule_choices() -> list[str]:
    """The timelines and rule sets a user may compare."""
    from aidf.rules.ruleset import RULE_IDS, TIMELINES

    return [*TIMELINES, *(r for r in RULE_IDS if r not in TIMELINES)]


def scenario_docs(form: dict[str, Any]) -> list[dict[str, Any]]:
    """Scenario documents from the form: each ticked rule set, then one reform if any value is given."""
    docs: list[dict[str, Any]] = [{"name": r, "rules": r} for r in rule_choices() if form.get(f"rules:{r}")]
    overrides: dict[str, dict[str, Any]] = {}
    for field, (path, name) in REFORMS.items():
        raw = str(form.get(field) or "").replace(",", "").strip()
        if raw:
            overrides.setdefault(path, {})[name] = raw
    arranged = [c.strip().upper() for c in str(form.get("arrangements") or "").split(",") if c.strip()]
    if overrides or arranged:
        base = form.get("reform_rules") or (docs[0]["rules"] if docs else None)
        docs.append({"name": "reform", "rules": base, "overrides": overrides,
                     "arrangements": [{"country": c, "since": "2025-01-13"} for c in arranged]})
    if not docs:
        raise InputError("rules", "tick at least one rule set or give a reform")
    return docs


def run_comparison(book: str, docs: list[dict[str, Any]]) -> str:
    """In a worker process: check the scenarios, compare, and render the results fragment."""
    from aidf.simulate import compare, report
    from aidf.simulate.scenario import parse

    scenarios = [parse(d, f"scenario {i + 1}") for i, d in enumerate(docs)]
    return report.render(compare.compare(book, scenarios), "results.html")


async def _compare_in_worker(book: str, docs: list[dict[str, Any]]) -> str:
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        return await loop.run_in_executor(pool, run_comparison, book, docs)


@router.get("/simulate", response_class=HTMLResponse)
def simulate_form(request: Request):
    return web.page(request, "simulate.html", {"choices": rule_choices(), "form": {}, "results": None})


@router.post("/simulate", response_class=HTMLResponse)
async def simulate_submit(request: Request):
    def refuse(form, e):
        return web.page(request, "simulate.html", {"choices": rule_choices(), "form": form, "results": None,
                                                   "error": str(e)}, status=403)

    form, who, answer = await web._signed_form(request, "analyst", refuse)
    if answer is not None:
        return answer
    try:
        with tempfile.TemporaryDirectory() as tmp:
            book = await _book(form, Path(tmp))
            results = Markup(await _compare_in_worker(book, scenario_docs(form)))
    except InputError as e:
        return web.page(request, "simulate.html", {"choices": rule_choices(), "form": form, "results": None,
                                                   "error": str(e)}, status=422)
    return web.page(request, "simulate.html", {"choices": rule_choices(), "form": form, "results": results})


async def _book(form: dict[str, Any], tmp: Path) -> str:
    """The uploaded book (saved under its own suffix) or the sample book shipped with the package."""
    from aidf.simulate.sample import SAMPLE_BOOK

    upload = form.get("book")
    if upload is None or not getattr(upload, "filename", ""):
        return str(SAMPLE_BOOK)
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in BOOK_TYPES:
        raise InputError("book", f"upload a {', '.join(BOOK_TYPES)} file")
    data = await upload.read(MAX_BOOK_BYTES + 1)
    if len(data) > MAX_BOOK_BYTES:
        raise InputError("book", f"larger than {MAX_BOOK_BYTES // (1024 * 1024)} MB; use `aidf compare` for big books")
    path = tmp / f"book{suffix}"
    path.write_bytes(data)
    return str(path)
