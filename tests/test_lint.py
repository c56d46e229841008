"""The tree stays clean under the project's ruff configuration (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is installed with the test extras")
def test_ruff_is_clean():
    p = subprocess.run([str(RUFF), "check", "src", "tests", "benchmarks", "--output-format", "concise"],
                       cwd=REPO, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
