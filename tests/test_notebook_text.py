"""What a learner reads in the notebooks: reasons in plain words, exercises with their checks."""

import re

import nbformat
import pytest

from sitetools import CONTENT
from tests.harness import outputs
from tests.harness.notebook import RESTART_FIRST

NOTEBOOKS = sorted(CONTENT.glob("*.ipynb"))
# Tags that change what one kernel compares; the learner must still see why the cell differs.
COMPARISON_TAGS = {"nbval-skip", "nbval-ignore-output"}
TOOL_WORDS = re.compile(r"nbval|pytest|ipykernel|parity|sanitiz", re.IGNORECASE)


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_cell_names_a_test_tool(path):
    named = [
        f"{c.id}: {line}"
        for c in nbformat.read(path, as_version=4).cells
        for line in c.source.splitlines()
        if TOOL_WORDS.search(line)
    ]
    assert not named, f"{path.name}: test-tool words a learner reads:\n" + "\n".join(named)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_tagged_cell_says_why_in_its_first_line(path):
    silent = []
    for cell in code_cells(path):
        if outputs.tags(cell) & COMPARISON_TAGS:
            first = outputs.first_line(cell)
            if not (first.startswith("# ") and len(first.split()) >= 4):
                silent.append(f"{cell.id}: {first!r}")
    assert not silent, f"{path.name}: tagged cells without a reason in their first line:\n" + "\n".join(
        silent
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_cell_run_after_a_restart_is_asked_for_and_browser_only(path):
    """The browser's runner restarts the kernel before such a cell; the text right before it
    asks the learner to, and CPython's run (which never restarts) leaves it out."""
    cells = nbformat.read(path, as_version=4).cells
    wrong = []
    for i, cell in enumerate(cells):
        if RESTART_FIRST in outputs.tags(cell):
            before = cells[i - 1] if i else None
            if not (before and before.cell_type == "markdown" and "Kernel > Restart Kernel" in before.source):
                wrong.append(f"{cell.id}: the cell before it does not ask for Kernel > Restart Kernel")
            if "nbval-skip" not in outputs.tags(cell):
                wrong.append(f"{cell.id}: not left out of CPython's run, which does not restart")
    assert not wrong, f"{path.name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_exercise_has_a_stub_a_checker_and_a_solution_further_down(path):
    cells = nbformat.read(path, as_version=4).cells
    headings = [
        i for i, c in enumerate(cells) if c.cell_type == "markdown" and re.match(r"#+ Exercise", c.source)
    ]
    solutions = [
        i for i, c in enumerate(cells) if c.cell_type == "markdown" and re.match(r"#+ Solution", c.source)
    ]
    assert len(headings) == 1, f"{path.name}: {len(headings)} exercise headings, want one"
    assert len(solutions) == 1, f"{path.name}: {len(solutions)} solution headings, want one"
    exercise, solution = headings[0], solutions[0]
    section = cells[exercise + 1 : solution]
    stubs = [c for c in section if c.cell_type == "code" and c.source.lstrip().startswith("# Your turn")]
    checkers = [c for c in section if c.cell_type == "code" and re.match(r"def check\w*\(", c.source)]
    assert stubs and checkers, f"{path.name}: the exercise needs a '# Your turn' cell and a check function"
    assert solution > exercise + 4, f"{path.name}: the solution sits right below the exercise"
    checker = re.match(r"def (check\w*)\(", checkers[0].source).group(1)
    calls = [c for c in cells[solution:] if c.cell_type == "code" and f"{checker}(" in c.source]
    assert calls, f"{path.name}: the solution never calls {checker}()"
    assert any("All checks passed" in outputs.output_text(c.outputs) for c in calls), (
        f"{path.name}: the solution's stored output does not show the check passing"
    )
