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
