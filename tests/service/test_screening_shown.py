"""Screening on the pages people read (issue 16): the decision page and the memo show each party's
screening in words - party, list, entry, the finding and what it changed - read from the decision."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from aidf.memo import memo_for_booked
from aidf.screening import store
from aidf.screening.words import screening_rows
from tests.screening.helpers import load_fixture, tx


def _officer(app) -> tuple[TestClient, str]:
    key, _ = app.state.service.keys.create("olga", "officer")
    c = TestClient(app, base_url="http://127.0.0.1")
    assert c.post("/login", data={"key": key}).status_code == 200
    return c, key


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_decision_page_and_memo_show_screening_in_words(sqlite_app):
    app, service = sqlite_app, sqlite_app.state.service
    load_fixture(service.ledger)
    c, key = _officer(app)
    h = {"X-API-Key": key}
    listed = tx("LYSANDRE CALCUL S.A.S.", "FR", id="S-EL")
    fuzzy = tx("Lyon Calcul", "FR", id="S-POSS", end_user={"name": "Lysandra Calcul", "country": "FR"})
    for body in (listed, fuzzy):
        assert c.post("/v1/decisions?book=true", json=body, headers=h).status_code == 200

    page = _text(c.get("/decisions/S-EL").text)
    assert "Restricted-party screening" in page
    assert "Ultimate consignee: LYSANDRE CALCUL S.A.S. Entity List Lysandre Calcul SAS (EL:fx13)" in page
    assert "match (score 1.00)" in page and "a license is required" in page and "744.11" in page
    memo = _text(memo_for_booked(service, "S-EL").html)
    assert "Entity List" in memo and "Lysandre Calcul SAS (EL:fx13)" in memo and "a license is required" in memo

    page = _text(c.get("/decisions/S-POSS").text)
    assert "Ultimate consignee: Lyon Calcul — — no list entry resembles it nothing" in page
    assert "End user: Lysandra Calcul Entity List" in page and "possible match (score" in page
    assert "held for review" in page
    memo = _text(memo_for_booked(service, "S-POSS").html)
    assert "End user: Lysandra Calcul" in memo and "possible match" in memo and "held for review" in memo


def test_cleared_by_an_officer_changes_nothing(sqlite_app):
    app, service = sqlite_app, sqlite_app.state.service
    load_fixture(service.ledger)
    store.clear(service.ledger, "Lysandra Calcul", "FR", "EL:fx13", None, "another company", "officer-1")
    c, key = _officer(app)
    body = tx("Lysandra Calcul", "FR", id="S-CLR")
    d = c.post("/v1/decisions?book=true", json=body, headers={"X-API-Key": key}).json()
    assert d["outcome"] == "LICENSE_EXCEPTION"
    rows = screening_rows(d, body)
    assert [(r["finding"].split(" (")[0], r["effect"]) for r in rows] == [
        ("cleared by an officer", "nothing: an officer cleared this entry for this party")]
    page = _text(c.get("/decisions/S-CLR").text)
    assert "cleared by an officer" in page and "an officer cleared this entry" in page
    assert "cleared by an officer" in _text(memo_for_booked(service, "S-CLR").html)


def test_no_list_loaded_says_not_screened(sqlite_app):
    app, service = sqlite_app, sqlite_app.state.service
    c, key = _officer(app)
    assert c.post("/v1/decisions?book=true", json=tx("Lyon Calcul", "FR", id="S-NONE"),
                  headers={"X-API-Key": key}).status_code == 200
    assert "Not screened: no restricted-party list was loaded" in _text(c.get("/decisions/S-NONE").text)
    assert "Not screened" in _text(memo_for_booked(service, "S-NONE").html)
