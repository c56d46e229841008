"""`aidf replay --book` with the shapes decided in forked processes (replay/fanout.py): the children
inherit the open store but never touch it, so the booking and the audit chain are those of one process."""

from __future__ import annotations

from typer.testing import CliRunner

from aidf.cli import app
from aidf.replay import fanout
from aidf.replay.generate import generate


def test_replay_books_and_verifies_with_shapes_split_among_processes(durable_url, tmp_path, monkeypatch):
    monkeypatch.setattr(fanout, "MIN_PART", 5)
    src = tmp_path / "book.csv"
    generate(600, seed=21).write_csv(src)
    runs = {}
    for n in (2, 1):
        url = durable_url if n == 2 else f"sqlite:///{tmp_path / 'one.db'}"
        r = CliRunner().invoke(app, ["replay", str(src), "--ledger", url, "--book", "--quiet", "--workers", str(n),
                                     "--summary-json", str(tmp_path / f"s{n}.json")])
        assert r.exit_code == 0, r.output
        v = CliRunner().invoke(app, ["ledger", "verify", "--ledger", url])
        assert v.exit_code == 0, v.output
        runs[n] = (tmp_path / f"s{n}.json").read_text()
    strip = [line for line in runs[2].splitlines() if '"seconds"' not in line and '"lines_per_s"' not in line]
    assert strip == [line for line in runs[1].splitlines() if '"seconds"' not in line and '"lines_per_s"' not in line]
