"""The dashboard answers "what happened" in words (issue 13): counts by outcome and authorization, the full
holds queue paginated, latest bookings with outcomes, legends on bars, allocation pages for every tier,
parameters formatted by type."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from aidf.model import Transaction
from aidf.service.app import create_app
from aidf.service.keys import Principal
from aidf.service.sample import seed_sample
from aidf.service.views import HOLDS_PER_PAGE


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(str(tmp_path_factory.mktemp("web") / "l.sqlite"), local_dashboard=True)
    seed_sample(app.state.service)
    # Enough Tier 3 shipments that the queue needs a second page.
    for i in range(HOLDS_PER_PAGE + 2):
        tx = {"id": f"Q-{i:03d}", "date": "2025-08-01", "action": "export", "destination": "CN",
              "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 8 + i}],
              "parties": {"ultimate_consignee": {"name": f"Shenzhen Lab {i}", "country": "CN"}}}
        app.state.service.decide(Transaction.model_validate(tx), book=True, actor=Principal("olga", "officer"))
    c = TestClient(app, base_url="http://127.0.0.1")
    yield c
    app.state.service.close()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_overview_counts_by_outcome_and_authorization(client):
    r = client.get("/")
    assert r.status_code == 200
    counts = r.text.split('id="counts"')[1].split("</section>")[0]
    t = text(counts)
    assert "License required — presumption of denial" in t
    assert "Low Processing Performance (LPP), 15 CFR 740.29" in t
    assert "LICENSE_REQUIRED" not in t and "presumption_of" not in t
    period = text(client.get("/?start=2025-08-01&end=2025-08-01").text.split('id="counts"')[1].split("</section>")[0])
    assert f"{HOLDS_PER_PAGE + 2} booked decisions dated in the period" in period


def test_holds_queue_is_complete_paginated_and_in_words(client):
    first = client.get("/").text.split('id="holds"')[1].split("</section>")[0]
    total = int(re.search(r"([\d,]+) shipments wait", first).group(1).replace(",", ""))
    rows = first.count("data-hold=")
    assert rows == HOLDS_PER_PAGE and total > rows
    assert f"showing 1–{HOLDS_PER_PAGE}" in first and 'rel="next"' in first
    seen = set(re.findall(r'data-hold="([^"]+)"', first))
    page = 2
    while len(seen) < total:
        more = client.get(f"/?page={page}").text.split('id="holds"')[1].split("</section>")[0]
        ids = set(re.findall(r'data-hold="([^"]+)"', more))
        assert ids and not ids & seen
        seen |= ids
        page += 1
    t = text(first)
    assert "China (CN)" in t and "Shenzhen Lab" in t and "NVIDIA H100" in t
    assert "License required — presumption of denial" in t and "LICENSE_REQUIRED:" not in t
    holds = client.get("/holds?page=2")
    assert holds.status_code == 200 and "page 2 of" in holds.text


def test_latest_bookings_show_outcomes_and_every_bar_has_a_legend(client):
    html = client.get("/").text
    latest = text(html.split('id="bookings"')[1].split("</section>")[0])
    assert "License required — presumption of denial" in latest and "China (CN)" in latest
    for section in ("allocations", "lpp"):
        part = html.split(f'id="{section}"')[1].split("</section>")[0]
        if 'class="bar"' in part:
            assert "bar-legend" in part and "posted (shipped)" in part and "reserved (pending)" in part


@pytest.mark.parametrize("code, says", [
    ("DE", "Tier 1"), ("CN", "Tier 3"), ("MO", "Tier 3"), ("IN", "Tier 2"),
])
def test_allocation_pages_say_what_applies_per_tier(client, code, says):
    r = client.get(f"/allocations/{code}")
    assert r.status_code == 200
    t = text(r.text)
    assert says in t
    if says != "Tier 2":
        assert "no country allocation applies" in t and "No allocation has been drawn" not in t


@pytest.mark.parametrize("code", ["ZZ", "XX1", "123", "de-"])
def test_allocation_pages_are_404_for_codes_that_are_not_countries(client, code):
    assert client.get(f"/allocations/{code}").status_code == 404


def test_parameters_are_formatted_by_type(client):
    t = text(client.get("/parameters?path=part742/country_allocation").text)
    assert "790,000,000" in t and "2025–2027" in t and "first_year" not in t and "[]" not in t
    lpp = text(client.get("/parameters?path=part740/lpp").text)
    assert "26,900,000" in lpp and "export, reexport" in lpp and "['export'" not in lpp
    groups = text(client.get("/parameters?path=part740/supp5_tier1").text)
    assert "Germany (DE)" in groups


def test_decision_page_shows_words_and_lines_from_one(client):
    html = client.get("/decisions/Q-000").text
    t = text(html)
    assert "License required — presumption of denial" in t
    assert re.search(r"<tr><td>1</td><td>NVIDIA H100", html)
    assert "LICENSE_REQUIRED: presumption_of_denial" not in t
