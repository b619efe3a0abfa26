"""Drive the built site like a learner: served by http.server on 127.0.0.1, opened in a headless
browser (Debian's Chromium, Firefox ESR or WebKitGTK), the real Pyodide kernel in its Web Worker.
Shared by the tests (tests/), the benchmark (bench/) and the output tool (sitetools/regen_outputs.py).

    server.py    serve the site (plain, counting bytes, or cross-origin isolated)
    browser.py   launch Chromium (Playwright); record console, errors and requests leaving 127.0.0.1
    base.py      what a page of every engine offers the actions below
    engines.py   a page of one engine: chromium (browser.py), firefox (firefox.py, the Node bridge
                 in firefox/), webkit (webkit.py)
    notebook.py  a learner's actions: open a notebook, run a cell, answer input(), restart
    outputs.py   compare outputs the way nbval does (tests/sanitize.cfg), read them as the learner does
"""

# Cold kernel idle takes 5 to 10 s here, by engine (bench/RESULTS.md, "Cold kernel idle per
# engine"); generous for a loaded 2-core machine.
KERNEL_IDLE_TIMEOUT = 120.0
# One cell, in either kernel: nbval's --nbval-cell-timeout in pyproject.toml is the same number
# (tests/test_harness.py checks that they agree).
CELL_TIMEOUT = 120.0


class LiteError(AssertionError):
    """A failure in the browser, with what the learner (and the worker's console) saw."""
