"""Determination memos: `aidf memo` writes HTML and PDF whose text carries the working and a hash."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from aidf.cli import app
from aidf.memo import content_hash
from aidf.model import Transaction
from aidf.service.core import Service
from aidf.service.keys import Principal
from tests.service.conftest import tx


def pdf_text(path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    pytest.skip("pdftotext (poppler-utils) not installed")


def test_memo_cli_writes_html_and_pdf(tmp_path):
    spec = str(tmp_path / "ledger.sqlite")
    service = Service(spec)
    decision = service.decide(Transaction.model_validate(tx("M-1")), book=True, actor=Principal("maria", "officer"))
    service.close()
    out = tmp_path / "memos"
    r = CliRunner().invoke(app, ["memo", "M-1", "--ledger", spec, "--out", str(out)])
    assert r.exit_code == 0, r.output
    digest = content_hash(decision)
    canonical = json.dumps(decision.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert digest == hashlib.sha256(canonical.encode()).hexdigest() and digest in r.output
    html = (out / "memo-M-1.html").read_text()
    # Memos show words, not codes (issue 13): the outcome and the LPP account read as people say them.
    for text in ("License exception — LPP, 15 CFR 740.29", "15 CFR 740.29(a)", "maria", digest, "Consignee MX",
                 "ai-diffusion-2025", "LPP annual limit"):
        assert text in html
    text = pdf_text(out / "memo-M-1.pdf")
    assert "Determination memo" in text and "740.29" in text and digest[:16] in text.replace("\n", "")


def test_memo_cli_refuses_unknown_ids(tmp_path):
    r = CliRunner().invoke(app, ["memo", "NOPE", "--ledger", str(tmp_path / "l.sqlite"), "--out", str(tmp_path)])
    assert r.exit_code != 0
