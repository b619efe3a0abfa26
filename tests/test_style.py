"""The Python code passes the linter and is formatted (ruff, configured in pyproject.toml)."""

import subprocess
import sys

import pytest

from sitetools import ROOT

RUFF = [sys.executable, "-m", "ruff"]


@pytest.mark.parametrize("check", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(check):
    result = subprocess.run(RUFF + check + ["."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"`ruff {' '.join(check)} .` found:\n{result.stdout}{result.stderr}"
