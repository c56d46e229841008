"""The memo as printed (issue 13): a one-line order's determination on 1-2 A4 pages, the trace once as
an appendix, items as a table (weights with their training operations), words not codes, and no word
outside the page margins (checked on the word boxes of the rendered PDF)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape

import pytest

from aidf.memo import memo_for_booked
from aidf.model import Transaction
from aidf.service.core import Service
from aidf.service.keys import Principal

A4_WIDTH_PT = 595.28
MARGIN_PT = 15 / 25.4 * 72  # the memo's left and right page margins (15 mm)
ORDERS = [
    {"id": "L-IN", "date": "2025-07-01", "action": "export", "destination": "IN", "end_use": "data_center",
     "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 2000}],
     "parties": {"ultimate_consignee": {"name": "Mumbai AI Private Limited", "country": "IN", "private_sector": True}}},
    {"id": "L-MX", "date": "2025-07-01", "action": "export", "destination": "MX",
     "items": [{"catalog": "nvidia-h200-sxm", "quantity": 100}],
     "parties": {"ultimate_consignee": {"name": "Monterrey Nube", "country": "MX"}}},
    {"id": "L-W", "date": "2025-07-01", "action": "export", "destination": "AE",
     "items": [{"model_weights": {"training_operations": 2e26, "published": False}}],
     "parties": {"ultimate_consignee": {"name": "Abu Dhabi Models", "country": "AE", "private_sector": True}}},
]


@pytest.fixture(scope="module")
def memos(tmp_path_factory):
    if not (shutil.which("pdftotext") and shutil.which("pdfinfo")):
        pytest.skip("poppler-utils (pdftotext, pdfinfo) not installed")
    tmp = tmp_path_factory.mktemp("memos")
    service = Service(str(tmp / "ledger.sqlite"))
    out = {}
    for t in ORDERS:
        service.decide(Transaction.model_validate(t), book=True, actor=Principal("maria", "officer"))
        html, pdf = memo_for_booked(service, t["id"]).write(tmp)
        out[t["id"]] = (html.read_text(), pdf)
    service.close()
    return out


def pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def word_boxes(pdf) -> list[tuple[int, float, float, str]]:
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out, page = [], 0
    for line in xml.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*)</word>', line)
        if m:
            out.append((page, float(m.group(1)), float(m.group(2)), unescape(m.group(3))))
    return out


@pytest.mark.parametrize("tid", [t["id"] for t in ORDERS])
def test_no_word_leaves_the_margins(memos, tid):
    boxes = word_boxes(memos[tid][1])
    assert boxes
    outside = [(p, x0, x1, w) for p, x0, x1, w in boxes if x0 < MARGIN_PT - 1 or x1 > A4_WIDTH_PT - MARGIN_PT + 1]
    assert not outside, outside[:10]


@pytest.mark.parametrize("tid", [t["id"] for t in ORDERS])
def test_determination_fits_two_pages_and_the_trace_is_printed_once_as_an_appendix(memos, tid):
    ps = [p for p in pages(memos[tid][1]) if p.strip()]
    start = next(i for i, p in enumerate(ps) if "Appendix: every rule asked" in p)
    assert 1 <= start <= 2, f"the determination takes {start} pages"
    assert all("Appendix" not in p for p in ps[:start])
    assert sum(p.count("Appendix: every rule asked") for p in ps) == 1
    html = memos[tid][0]
    assert html.count('id="trace"') == 1


def test_words_not_codes(memos):
    html, pdf = memos["L-IN"]
    text = " ".join(pages(pdf))
    assert "License required — presumption of approval" in html
    assert "India — country allocation 2025–2027" in html
    inputs = html.split("<h2>2. Inputs</h2>")[1].split("<h3>Items</h3>")[0]
    assert "Data center" in inputs and "data_center" not in inputs
    assert "LICENSE_REQUIRED:" not in text and "country_allocation:country=" not in text
    assert "31,662,400.0" not in text and "31,662,400" in text
    assert "2,000 H100-equivalents" in text


def test_items_are_a_table_and_weights_show_their_training_operations(memos):
    html = memos["L-W"][0]
    items = html.split('id="items"')[1].split("</table>")[0]
    assert "trained with 2 × 10^26 operations; unpublished" in items
    assert "{" not in items  # no raw JSON
    mx = memos["L-MX"][0].split('id="items"')[1].split("</table>")[0]
    assert "NVIDIA H200" in mx and "15,831.2" in mx and "1,583,120" in mx and "3A090.a" in mx


def test_transfer_rows_stay_whole_and_rows_never_split(memos):
    html = memos["L-IN"][0]
    assert "break-inside: avoid" in html and "table-layout: fixed" in html
    ps = pages(memos["L-IN"][1])
    on = [i for i, p in enumerate(ps) if "Transfers booked" in p]
    assert len(on) == 1
    assert "L-IN/0" in ps[on[0]] or "L-IN/0" in ps[on[0] + 1]
