"""A pytest plugin (registered by tests/conftest.py) that keeps the parity coverage: which code
cells were compared in which kernel. The browser parity test records its cells through the
`browser_compared` fixture; nbval's cells (in content/, outside the conftest's reach) are seen
through a report hook. At the end of a run of every notebook in both kernels the counts are
reported and written to build/parity-coverage.md, and a code cell compared in neither kernel
fails the run. A partial run (-k, one file) says which notebooks went unchecked.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

from sitetools import CONTENT, ROOT

COVERAGE_FILE = ROOT / "build" / "parity-coverage.md"
# {kernel: {notebook file name: {ids of the code cells compared}}}
COMPARED = {"browser": defaultdict(set), "cpython": defaultdict(set)}
COVERAGE_KEY = pytest.StashKey[object]()
COLUMNS = {(True, True): "both", (True, False): "browser only", (False, True): "CPython only"}
COLUMNS[(False, False)] = "neither"


@pytest.fixture(scope="session")
def browser_compared():
    """Where the browser parity test records the cells it compared: {notebook: {cell id}}."""
    return COMPARED["browser"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """An nbval cell that ran and was compared (not skipped, not nbval-ignore-output) is covered."""
    outcome = yield
    report = outcome.get_result()
    cell = getattr(item, "cell", None)
    if cell is None or report.when != "call" or not hasattr(item, "options"):
        return
    compared = COMPARED["cpython"][Path(str(item.fspath)).name]  # the notebook ran, at least
    if item.options.get("check") and not item.options.get("skip") and not report.skipped:
        compared.add(cell.get("id"))


def coverage_rows() -> list[tuple[str, dict[str, int]]]:
    """Per notebook, how many code cells each kernel, both or neither compared."""
    rows = []
    for path in sorted(CONTENT.glob("*.ipynb")):
        counts = dict.fromkeys(COLUMNS.values(), 0)
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                seen = tuple(cell.get("id") in COMPARED[kernel][path.name] for kernel in COMPARED)
                counts[COLUMNS[seen]] += 1
        rows.append((path.name, counts))
    return rows


def coverage_table(rows) -> str:
    lines = ["| notebook | both kernels | browser only | CPython only | neither |", "|---|---|---|---|---|"]
    for name, c in rows:
        lines.append(f"| {name} | {c['both']} | {c['browser only']} | {c['CPython only']} | {c['neither']} |")
    return "\n".join(lines)


def pytest_sessionfinish(session, exitstatus):
    """Write the coverage report; a run of every notebook with a cell compared in neither kernel fails."""
    notebooks = {p.name for p in CONTENT.glob("*.ipynb")}
    missing = {kernel: sorted(notebooks - set(COMPARED[kernel])) for kernel in COMPARED}
    if any(missing.values()):  # a partial run (-k, one file), or a notebook that failed to run
        session.config.stash[COVERAGE_KEY] = missing
        return
    rows = coverage_rows()
    COVERAGE_FILE.parent.mkdir(exist_ok=True)
    COVERAGE_FILE.write_text(
        "# Parity coverage: code cells compared in each kernel\n\n" + coverage_table(rows) + "\n"
    )
    session.config.stash[COVERAGE_KEY] = rows
    if any(c["neither"] for _, c in rows):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    result = config.stash.get(COVERAGE_KEY, None)
    if result is None:
        return
    terminalreporter.section("parity coverage (code cells compared)")
    if isinstance(result, dict):  # not every notebook ran in both kernels: say so, never silently
        for kernel, names in result.items():
            if names:
                terminalreporter.write_line(f"not checked: no {kernel} run compared {', '.join(names)}")
        return
    terminalreporter.write_line(coverage_table(result))
    terminalreporter.write_line(f"written to {COVERAGE_FILE.relative_to(ROOT)}")
    neither = sum(c["neither"] for _, c in result)
    if neither:
        terminalreporter.write_line(
            f"FAILED: {neither} code cell(s) compared in neither kernel: a cell tagged nbval-skip or "
            "nbval-ignore-output must be checked by the browser run",
            red=True,
        )
