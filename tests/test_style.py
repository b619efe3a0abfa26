"""The Python code passes the linter and is formatted (ruff, configured in pyproject.toml), and
its functions stay short."""

import ast
import subprocess
import sys

import pytest

from sitetools import ROOT

RUFF = [sys.executable, "-m", "ruff"]


@pytest.mark.parametrize("check", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(check):
    result = subprocess.run(RUFF + check + ["."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"`ruff {' '.join(check)} .` found:\n{result.stdout}{result.stderr}"


MAX_FUNCTION_LINES = 40  # CONTRIBUTING.md, "Style"


def python_files():
    skipped = {".venv", "node_modules", "build", "dist", ".git"}
    return [p for p in sorted(ROOT.rglob("*.py")) if not skipped & set(p.relative_to(ROOT).parts)]


def test_no_function_is_longer_than_the_projects_limit():
    too_long = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines} lines")
    assert not too_long, "split these functions:\n" + "\n".join(too_long)
