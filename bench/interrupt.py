"""How soon Kernel > Interrupt ends a running cell, by the kind of work it runs.

    .venv/bin/python -m bench.interrupt [--runs 3]

Headless Chromium, the built site served by http.server, a new notebook: each kind of cell is
started, interrupted 2 s later through the Kernel menu's command, and timed until the cell
shows KeyboardInterrupt (medians of --runs). Python checks Pyodide's interrupt buffer between
bytecodes: a Python loop stops at once; C code (a built-in such as sum, a NumPy call,
time.sleep) first runs to its end. The figures go in the README ("If something goes wrong").
"""

import argparse
import statistics
import time

from playwright.sync_api import sync_playwright

from tests.harness import browser, server
from tests.harness import notebook as ui
from tests.harness.outputs import output_text

WORK = {
    "a Python loop (for i in range(10**9): pass)": "for i in range(10**9):\n    pass",
    "a built-in that loops in C (sum(range(10**9)))": "sum(range(10**9))",
    "a long NumPy call (a 1500 x 1500 SVD)": (
        "import numpy as np\nnp.linalg.svd(np.random.default_rng(0).random((1500, 1500)))"
    ),
    "time.sleep(30)": "import time\ntime.sleep(30)",
}
STARTED_AFTER_S = 2.0


def interrupted_after(page, code: str) -> float:
    """Start `code`, interrupt it after STARTED_AFTER_S, return the seconds until it ended."""
    index = ui.add_cell(page, code)
    ui.start_cell(page, index)
    page.wait_for_function(f"() => ({ui.KERNEL_STATUS_JS})() === 'busy'")
    page.wait_for_timeout(STARTED_AFTER_S * 1000)  # the experiment: let the work get going
    started = time.monotonic()
    page.evaluate("() => window.jupyterapp.commands.execute('kernelmenu:interrupt')")
    page.wait_for_function("() => window.__cellRun.done", timeout=120_000)
    took = time.monotonic() - started
    shown = output_text(ui.cell_outputs(page, index))
    if "KeyboardInterrupt" not in shown:
        raise AssertionError(f"{code!r} ended without KeyboardInterrupt: {shown[:200]!r}")
    ui.wait_idle(page, "after the interrupt")
    return took


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = {name: [] for name in WORK}
    with server.serve() as url, sync_playwright() as pw, browser.browser(pw) as ctx:
        page = ctx.new_page()
        ui.new_notebook(page, url)
        ui.run_code(page, "import numpy")  # loaded once, not timed
        for run in range(args.runs):
            for name, code in WORK.items():
                times[name].append(interrupted_after(page, code))
                print(f"[interrupt] run {run + 1}: {name}: {times[name][-1]:.2f} s", flush=True)
    for name, seconds in times.items():
        print(f"{name}: ended {statistics.median(seconds):.2f} s after Interrupt (median of {args.runs})")


if __name__ == "__main__":
    main()
