"""Drive the built site like a learner: served by http.server on 127.0.0.1, opened in a headless
browser (Debian's Chromium, Firefox ESR or WebKitGTK), the real Pyodide kernel in its Web Worker.
Shared by the tests (tests/), the benchmark (bench/) and the output tool (regen_outputs.py, `make outputs`).

    server.py    serve the site (plain, or counting bytes; the site isolates itself)
    browser.py   launch Chromium (Playwright); record console, errors and requests leaving 127.0.0.1
    base.py      what a page of every engine offers the actions below
    engines.py   a page of one engine: chromium (browser.py), firefox (firefox.py, the Node bridge
                 in firefox/), webkit (webkit.py)
    notebook.py  a learner's actions: open a notebook, run a cell, answer input(), restart
    outputs.py   compare outputs the way nbval does (tests/sanitize.cfg), read them as the learner does
"""

import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
# Cold kernel idle takes 5 to 10 s here, by engine (bench/RESULTS.md, "Cold kernel idle per
# engine"); generous for a loaded 2-core machine.
KERNEL_IDLE_TIMEOUT = 120.0


class LiteError(AssertionError):
    """A failure in the browser, with what the learner (and the worker's console) saw."""


def nbval_cell_timeout(pyproject: Path = PYPROJECT) -> float:
    """The seconds nbval gives a cell (--nbval-cell-timeout in pyproject.toml's pytest addopts)."""
    settings = tomllib.loads(pyproject.read_text()).get("tool", {}).get("pytest", {})
    addopts = settings.get("ini_options", {}).get("addopts", [])
    found = [o.split("=", 1)[1] for o in addopts if o.startswith("--nbval-cell-timeout=")]
    if len(found) != 1:
        raise LiteError(
            f"{pyproject.name}: [tool.pytest.ini_options] addopts should hold --nbval-cell-timeout=SECONDS"
            f" once (found {len(found)}): both kernels give a cell that time"
        )
    return float(found[0])


# One cell, in either kernel: the browser's limit is nbval's, read from the one place it is set.
CELL_TIMEOUT = nbval_cell_timeout()
