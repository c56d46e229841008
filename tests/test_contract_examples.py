"""The shared contract's worked examples, run through the real CLI as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "contract"
AIDF = Path(sys.executable).parent / "aidf"


@pytest.mark.skipif(not (SHARED / "check_examples.py").exists(), reason="shared/contract is not beside the repository")
def test_contract_examples_pass_through_the_cli():
    env = dict(os.environ, AIDF=str(AIDF))
    p = subprocess.run([sys.executable, str(SHARED / "check_examples.py"), "-v"], capture_output=True, text=True,
                       env=env, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert " 0 failed" in p.stdout
