"""Browser side of parity: every notebook, run in the Pyodide kernel of each browser engine from a
sub-path, prints what is stored.

The CPython side is nbval on the same files (`--nbval content/`), with the same sanitize file.
"""

import subprocess
import sys

import nbformat
import pytest

from sitetools import CONTENT
from tests.harness import notebook as ui
from tests.harness import outputs

NOTEBOOKS = sorted(CONTENT.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_browser_kernel_prints_the_stored_outputs(engine, engine_page, subpath_site, path, browser_compared):
    """In each engine (Chromium, Firefox, WebKit), with the site served from a sub-path, as a
    GitHub Pages project site is: stored outputs depend neither on the browser nor on the host."""
    nb = nbformat.read(path, as_version=4)
    url, _ = subpath_site
    fresh = ui.run_notebook(engine_page, url, path.name)
    failures, compared = outputs.compare_notebook(nb, fresh, outputs.sanitize_patterns())
    browser_compared[path.name] |= compared
    assert not failures, f"{path.name}: {len(failures)} cell(s) differ in {engine}:\n" + "\n".join(failures)


def tamper_one_output(nb) -> int:
    """Change the first stored stream text of a cell both kernels compare; return its number
    as nbval counts (code cells from 0)."""
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for number, cell in enumerate(code_cells):
        skipped = outputs.tags(cell) & {"nbval-skip", "nbval-ignore-output"}
        streams = [o for o in cell.get("outputs", []) if o.output_type == "stream"]
        if streams and not skipped:
            streams[0].text = "tampered: " + streams[0].text
            return number
    raise AssertionError("no code cell with a stream output compared in both kernels")


def test_a_changed_stored_output_fails_in_both_kernels(parity_page, base_url, tmp_path):
    path = NOTEBOOKS[0]
    nb = nbformat.read(path, as_version=4)
    number = tamper_one_output(nb)
    copy = tmp_path / path.name
    nbformat.write(nb, copy)
    (tmp_path / "data").symlink_to(CONTENT / "data")

    fresh = ui.run_notebook(parity_page, base_url, path.name)
    failures, _ = outputs.compare_notebook(
        nbformat.read(copy, as_version=4), fresh, outputs.sanitize_patterns()
    )
    assert len(failures) == 1 and failures[0].startswith(f"Cell {number} "), failures
    assert "tampered: " in failures[0]

    cpython = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            str(copy),
            "-p",
            "no:cacheprovider",
            "-q",
            "--nbval-sanitize-with",
            str(outputs.SANITIZE),
            "--rootdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert cpython.returncode == 1, cpython.stdout[-3000:]
    assert f"{path.name}::Cell {number}" in cpython.stdout, cpython.stdout[-3000:]
    assert "tampered: " in cpython.stdout
