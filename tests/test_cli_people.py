"""`aidf` for a newcomer (issue 13): what decide books and where, dry runs, ledger creation, formats,
tables at 80 columns, one-line errors for bad files and URLs, nearest suggestions, quick help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AIDF = Path(sys.executable).parent / "aidf"


def aidf(*args: str, cwd: Path, columns: int = 80) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS=str(columns), AIDF_ACTOR="tester")
    env.pop("AIDF_LEDGER", None)
    return subprocess.run([str(AIDF), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def tx(i: int, dest: str = "IN", qty: int = 2000, chip: str = "nvidia-h100-sxm5") -> dict:
    return {"id": f"P{i}", "date": "2025-07-01", "action": "export", "destination": dest,
            "items": [{"catalog": chip, "quantity": qty}],
            "parties": {"ultimate_consignee": {"name": "Mumbai AI", "country": dest, "private_sector": True}}}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    f = tmp_path / "orders.json"
    f.write_text(json.dumps([tx(1), tx(2, "MX", 10), tx(3, "CN", 8)]))
    return f


def test_decide_says_what_it_booked_and_where_and_creates_the_default_ledger(tmp_path, book):
    r = aidf("decide", str(book), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "created a new ledger at .aidf/ledger.sqlite" in r.stderr
    assert "booked 3 decisions into .aidf/ledger.sqlite; 2 holds placed" in r.stderr
    assert [d["transaction_id"] for d in json.loads(r.stdout)] == ["P1", "P2", "P3"]
    again = aidf("decide", str(book), cwd=tmp_path)
    assert "booked 0 decisions" in again.stderr and "3 already booked" in again.stderr
    assert "created" not in again.stderr


def test_dry_run_decides_in_order_and_writes_nothing(tmp_path, book):
    led = tmp_path / "l.sqlite"
    assert aidf("decide", str(book), "--ledger", str(led), cwd=tmp_path).returncode == 0
    before = led.read_bytes()
    more = tmp_path / "more.json"
    more.write_text(json.dumps([tx(4), tx(5)]))
    r = aidf("decide", str(more), "--ledger", str(led), "--dry-run", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "dry run: decided 2 transactions" in r.stderr and "nothing was booked" in r.stderr
    assert led.read_bytes() == before
    hold = aidf("hold", "list", "--ledger", str(led), "--json", cwd=tmp_path)
    assert {h["transaction_id"] for h in json.loads(hold.stdout)} == {"P1", "P3"}
    # The second dry-run decision sees the first one's draw: both draw on India's allocation in order.
    d4, d5 = json.loads(r.stdout)
    assert d4["ledger_effects"] and d5["ledger_effects"]


def test_a_ledger_is_created_only_in_an_existing_folder(tmp_path, book):
    r = aidf("decide", str(book), "--ledger", str(tmp_path / "no" / "such" / "l.sqlite"), cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("error: --ledger: folder ")
    assert not (tmp_path / "no").exists()
    r = aidf("ledger", "accounts", "--ledger", str(tmp_path / "fresh.sqlite"), cwd=tmp_path)
    assert r.returncode == 0 and "created a new ledger at" in r.stderr


def test_json_format_prints_only_json_even_with_explain(tmp_path, book):
    r = aidf("decide", str(book), "--ledger", "memory", "--format", "json", "--explain", cwd=tmp_path)
    assert r.returncode == 0
    out = json.loads(r.stdout)  # nothing but JSON on stdout
    assert out[0]["trace"]
    assert "--explain applies to --format table" in r.stderr


def test_table_shows_the_trace_only_with_explain_and_never_truncates_at_80_columns(tmp_path, book):
    plain = aidf("decide", str(book), "--ledger", "memory", "--format", "table", cwd=tmp_path)
    assert plain.returncode == 0
    assert "Every rule asked" not in plain.stdout and "…" not in plain.stdout
    assert "presumption of" in plain.stdout and "31,662,400" in plain.stdout
    assert "India — country allocation 2025–2027" in plain.stdout
    assert all(len(line) <= 80 for line in plain.stdout.splitlines())
    explained = aidf("decide", str(book), "--ledger", "memory", "--format", "table", "--explain", cwd=tmp_path)
    assert "Every rule asked, in order" in explained.stdout and "…" not in explained.stdout
    assert "LICENSE_REQUIRED" not in explained.stdout.split("Every rule asked")[0]


@pytest.mark.parametrize("content, args, says", [
    ("[]", [], "holds no transactions"),
    ("", [], "is empty"),
    ('{"id": "x",', [], "not valid JSON"),
    ("[1, 2", [], "not valid JSON"),
    (None, ["--ledger", "mysql://x"], "unsupported database URL scheme 'mysql'"),
    (None, ["--ledger", "postgresql://x@127.0.0.1:1/x"], "cannot open postgresql://x@127.0.0.1:1/x"),
    (None, ["--format", "table"], None),
])
def test_bad_files_and_urls_are_one_line_and_exit_2(tmp_path, content, args, says):
    f = tmp_path / "in.json"
    f.write_text(json.dumps(tx(1)) if content is None else content)
    r = aidf("decide", str(f), *args, cwd=tmp_path)
    if says is None:
        assert r.returncode == 0
        return
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], r.stderr


def test_unknown_chip_suggestions_are_nearest_first_in_decide_and_classify(tmp_path):
    f = tmp_path / "in.json"
    f.write_text(json.dumps(tx(1, chip="nvidia-h100-sxm")))
    r = aidf("decide", str(f), "--ledger", "memory", cwd=tmp_path)
    assert r.returncode == 2 and "did you mean nvidia-h100-sxm5" in r.stderr
    c = aidf("classify", "nvidia-h100-sxm", cwd=tmp_path)
    assert c.returncode == 2 and "did you mean nvidia-h100-sxm5" in c.stderr


def test_rules_are_formatted_by_type(tmp_path):
    r = aidf("rules", "part740/lpp", cwd=tmp_path, columns=200)
    assert r.returncode == 0
    assert "26,900,000" in r.stdout and "export, reexport" in r.stdout and "['export'" not in r.stdout
    alloc = aidf("rules", "part742/country_allocation", cwd=tmp_path, columns=200)
    assert "2025–2027" in alloc.stdout and "first_year" not in alloc.stdout


def test_help_loads_no_command_module(tmp_path):
    code = ("import sys; sys.argv=['aidf','--help']\nfrom aidf.cli import main\ntry:\n main()\nexcept SystemExit:\n pass\n"
            "heavy=[m for m in ('aidf.engine','aidf.ledger','sqlalchemy','polars','aidf.rules.classify','fastapi')"
            " if m in sys.modules]\nprint('HEAVY', heavy)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert "HEAVY []" in r.stdout, r.stdout + r.stderr
    assert "replay" in r.stdout and "decide" in r.stdout


def test_replay_layout_is_printed_and_bad_books_are_one_line(tmp_path):
    r = aidf("replay", "--layout", cwd=tmp_path)
    assert r.returncode == 0 and "order_id" in r.stdout and "consignee_name" in r.stdout
    (tmp_path / "garbage.xlsx").write_text("garbage")
    (tmp_path / "empty.csv").write_text("")
    for name, says in (("garbage.xlsx", "cannot read"), ("empty.csv", "is empty")):
        r = aidf("replay", name, "-q", cwd=tmp_path)
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1 and says in lines[0], r.stderr


def test_serve_and_memo_create_no_ledger_in_a_missing_folder(tmp_path):
    r = aidf("serve", "--ledger", str(tmp_path / "no" / "l.sqlite"), "--port", "1", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("error: --ledger: folder ")
    m = aidf("memo", "X", "--ledger", str(tmp_path / "none.sqlite"), cwd=tmp_path)
    assert m.returncode == 2 and "nothing is booked there" in m.stderr
    assert not (tmp_path / "none.sqlite").exists() and not (tmp_path / "no").exists()
