"""`aidf replay` asks Polars' allocator to return freed memory promptly (replay/allocator.py): set before
Polars is loaded, never over a setting of the user's, and too late once Polars is loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from aidf.replay.allocator import ENV, PROMPT_RETURN

PROBE = """
import json, os, sys
{before}
from aidf.replay.allocator import ENV, prompt_return
done = prompt_return()
value = os.environ.get(ENV)
import polars
print(json.dumps({{"done": done, "value": value, "loaded": os.environ.get(ENV)}}))
"""


def _probe(before: str = "", env: dict | None = None) -> dict:
    base = {k: v for k, v in os.environ.items() if k != ENV}
    r = subprocess.run([sys.executable, "-c", PROBE.format(before=before)], capture_output=True, text=True,
                       env=base | (env or {}), check=True)
    return json.loads(r.stdout)


def test_set_before_polars_is_loaded():
    got = _probe()
    assert got["done"] is True and got["value"] == PROMPT_RETURN
    assert got["loaded"].endswith("," + PROMPT_RETURN)  # Polars puts it after its own options: it wins


def test_too_late_once_polars_is_loaded():
    got = _probe("import polars")  # Polars sets its own options then (allocator.py)
    assert got["done"] is False and PROMPT_RETURN not in got["value"]


def test_the_users_setting_is_kept():
    got = _probe(env={ENV: "narenas:1"})
    assert got["done"] is False and got["value"] == "narenas:1" and PROMPT_RETURN not in got["loaded"]


def test_the_cli_loads_polars_only_in_the_command():
    r = subprocess.run([sys.executable, "-c", "import sys; from aidf.cli import app; print('polars' in sys.modules)"],
                       capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"


def _sized(path, size: int):
    with open(path, "wb") as f:
        f.truncate(size)  # a sparse file: its size without writing it
    return path


def test_only_a_large_book_asks_for_it(tmp_path):
    from aidf.replay.allocator import LARGE_BOOK_BYTES, large_book

    for kind in ("csv", "parquet"):
        limit = LARGE_BOOK_BYTES[kind]
        assert large_book(_sized(tmp_path / f"a.{kind}", limit)) is True
        assert large_book(_sized(tmp_path / f"b.{kind}", limit - 1)) is False
    assert large_book(_sized(tmp_path / "c.ndjson", LARGE_BOOK_BYTES["jsonl"])) is True
    assert large_book(_sized(tmp_path / "d.pq", LARGE_BOOK_BYTES["parquet"] - 1)) is False
    assert large_book(_sized(tmp_path / "e.xlsx", 1 << 40)) is False  # a sheet holds at most ~10^6 rows
    assert large_book(tmp_path / "missing.csv") is True  # size unknown: the setting, to be safe
    assert large_book(None) is True


def test_the_replay_command_leaves_a_small_book_to_polars_own_setting(tmp_path):
    small = tmp_path / "small.csv"
    small.write_text("order_id\n")
    big = _sized(tmp_path / "big.csv", 1 << 30)
    probe = ("import json, os, sys\nfrom pathlib import Path\nfrom aidf.cli.replay import _prompt_return\n"
             "_prompt_return(Path(sys.argv[1]))\nassert 'polars' not in sys.modules\n"
             "print(json.dumps(os.environ.get('" + ENV + "')))")
    base = {k: v for k, v in os.environ.items() if k != ENV}
    got = [json.loads(subprocess.run([sys.executable, "-c", probe, str(p)], capture_output=True, text=True,
                                     env=base, check=True).stdout) for p in (small, big)]
    assert got == [None, PROMPT_RETURN]
