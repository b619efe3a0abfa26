"""When Python itself stops, the notebook says so, and a restart brings a working kernel.

Each way below ends the Pyodide runtime for good, not only the cell (issue 14). Upstream's kernel
left such a cell Busy forever; the site's worker (sitetools/patch_worker.py) answers it with
an error. Not checked tabs: the worker's console reports the fatal errors, as it should.
"""

import re
import time

from tests.harness import browser, outputs
from tests.harness import notebook as ui

STOPPED = "Python has stopped"
RESTART = "No cell can run until you restart the kernel"
SECONDS = 20  # "within a few seconds": the error shows in about 0.3 s here

# (how the learner stops Python, the cell, what the error says about it)
WAYS = [
    ("os._exit()", "import os\nos._exit(0)", "the Python process exited with status 0"),
    (
        "a signal to itself",
        "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)",
        "the Python process exited with status 143",
    ),
    (
        "os._exit() after an await",
        "import asyncio, os\nawait asyncio.sleep(0.1)\nos._exit(2)",
        "the Python process exited with status 2",
    ),
    ("os.abort()", "import os\nos.abort()", "WebAssembly trap"),
    (
        "a write outside memory",
        "import ctypes\nctypes.memmove(0xFFFFFF00, b'x' * 4096, 4096)",
        "memory access out of bounds",
    ),
    (
        "a call through a NULL function pointer",
        "import ctypes\nctypes.CFUNCTYPE(None)(0)()",
        "fatal error (TypeError",
    ),
    (
        "recursion deep in C",
        "x = []\nfor _ in range(100_000):\n    x = [x]\nrepr(x)",
        "The WebAssembly stack ran out",
    ),
    (
        "Pyodide's fatal-error path",
        "import pyodide_js\npyodide_js._api.fatal_error('stop')",
        "the Pyodide runtime suffered a fatal error",
    ),
]


def run(page, code: str) -> str:
    """Run a cell; everything the learner reads in its output (the whole error, not its last line)."""
    parts = []
    for out in ui.run_code(page, code, timeout=SECONDS):
        if out["output_type"] == "error":
            parts.append(re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(out["traceback"])) + "\n")
        else:
            parts.append(outputs.output_text([out]))
    return "".join(parts)


def restart_kernel(page) -> float:
    """Kernel > Restart Kernel…, as the learner does; seconds until the kernel is idle."""
    started = time.monotonic()
    ui.restart_kernel(page, timeout=60)
    return time.monotonic() - started


def test_each_way_of_stopping_python_ends_with_an_error_and_a_restart_recovers(playwright, base_url, capsys):
    report = []
    with browser.browser(playwright) as ctx:
        page = ctx.new_page()
        ui.new_notebook(page, base_url)
        for what, code, cause in WAYS:
            started = time.monotonic()
            shown = run(page, code)
            took = time.monotonic() - started
            assert STOPPED in shown and cause in shown and RESTART in shown, f"{what}: {shown!r}"
            ui.wait_idle(page, what=f"after {what}", timeout=5)  # no longer Busy
            later = run(page, "print('still there?')")
            assert "Python stopped earlier" in later and RESTART in later, f"after {what}: {later!r}"
            restarted = restart_kernel(page)
            back = run(page, "print(6 * 7)")
            assert back == "42\n", f"after {what} and a restart, the next cell printed {back!r}"
            report.append(f"{what}: error after {took:.1f} s, idle {restarted:.1f} s after Restart")
        assert ctx.watch.offsite == []
    with capsys.disabled():
        print("\n[runtime stops] " + "\n[runtime stops] ".join(report))


def test_cells_queued_after_the_stop_do_not_hang(playwright, base_url):
    with browser.browser(playwright) as ctx:
        page = ctx.new_page()
        ui.new_notebook(page, base_url)
        for code in ["import os\nos._exit(0)", "print('queued')"]:
            ui.add_cell(page, code)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        # No cell keeps its [*]: the one that stopped Python shows why, the one after it is not run.
        page.wait_for_function(
            """() => [...document.querySelectorAll('.jp-InputPrompt')]
                                    .every(p => !p.textContent.includes('*'))""",
            timeout=SECONDS * 1000,
        )
        stopped_cell = page.evaluate(
            f"() => {ui.NOTEBOOK}.content.widgets.at(-2).outputArea.node.textContent"
        )
        assert "Python has stopped" in stopped_cell, f"the cell that stopped Python shows {stopped_cell!r}"
        assert ui.cell_outputs_text(page, -1) == ""
        ui.wait_idle(page, what="after Run All", timeout=5)
        restart_kernel(page)
        assert run(page, "print('back')") == "back\n"
        assert ctx.watch.offsite == []


def test_python_stopping_between_cells_is_reported_by_the_next_cell(playwright, base_url):
    """A timer ends Python after its cell has finished: the next cell says so at once."""
    with browser.browser(playwright) as ctx:
        page = ctx.new_page()
        ui.new_notebook(page, base_url)
        code = (
            "import os, js\nfrom pyodide.ffi import create_once_callable\n"
            "js.setTimeout(create_once_callable(lambda: os._exit(1)), 0)\nprint('scheduled')"
        )
        assert run(page, code) == "scheduled\n"
        deadline = time.monotonic() + SECONDS
        shown = "alive\n"
        while shown == "alive\n" and time.monotonic() < deadline:  # until the timer has fired
            shown = run(page, "print('alive')")
        assert "the Python process exited with status 1" in shown and RESTART in shown, shown
        restart_kernel(page)
        assert run(page, "print('back')") == "back\n"
        assert ctx.watch.offsite == []
