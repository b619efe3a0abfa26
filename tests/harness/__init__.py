"""Drive the built site like a learner: served by http.server on 127.0.0.1, opened in Debian's
headless Chromium through Playwright, the real Pyodide kernel in its Web Worker. Shared by the
tests (tests/), the benchmark (bench/) and the output tool (sitetools/regen_outputs.py).

    server.py    serve the site (plain, counting bytes, or cross-origin isolated)
    browser.py   launch the browser, record console, errors and any request leaving 127.0.0.1
    notebook.py  a learner's actions: open a notebook, run a cell, answer input(), restart
    outputs.py   compare outputs the way nbval does, and read them as the learner does
"""

# Cold kernel idle takes about 7 s here (STACK.md); generous for a loaded 2-core machine.
KERNEL_IDLE_TIMEOUT = 120.0
# One cell, in either kernel: nbval's --nbval-cell-timeout in pyproject.toml is the same number
# (tests/test_harness.py checks that they agree).
CELL_TIMEOUT = 120.0


class LiteError(AssertionError):
    """A failure in the browser, with what the learner (and the worker's console) saw."""
