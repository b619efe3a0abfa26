"""Does a cross-origin isolated page let Kernel > Interrupt stop `while True: pass`?

    .venv/bin/python -m bench.interrupt_experiment [--runs 3]

Serves dist/ with COOP/COEP headers (tests/harness/server.py), opens a new notebook in a fresh
headless Chromium, checks that the page is isolated, runs a busy loop, presses Kernel > Interrupt
and looks at the kernel 5 s later. Prints one line per run. An experiment, not a test: the
isolated mode was not reliable enough here to gate CI on (see docs/how-it-works.md).
"""

import argparse

from playwright.sync_api import sync_playwright

from sitetools import DIST
from tests import harness
from tests.harness import browser, outputs, server
from tests.harness import notebook as ui


def one_run(pw, url) -> str:
    with browser.browser(pw) as ctx:
        page = ctx.new_page()
        try:
            ui.new_notebook(page, url)
            isolated = outputs.output_text(
                ui.run_code(
                    page,
                    "import js\nprint(js.crossOriginIsolated, hasattr(js, 'SharedArrayBuffer'))",
                    timeout=60,
                )
            )
            ui.start_cell(page, ui.add_cell(page, "while True:\n    pass"))
            page.wait_for_function(f"() => ({ui.KERNEL_STATUS_JS})() === 'busy'")
            page.get_by_role("menuitem", name="Kernel").click()
            page.get_by_role("menuitem", name="Interrupt Kernel").click()
            page.wait_for_timeout(5000)  # the experiment: what the kernel does in the 5 s after
            status = page.evaluate(ui.KERNEL_STATUS_JS)
            return (
                f"isolated, SharedArrayBuffer: {isolated.strip()}; kernel 5 s after Interrupt: {status}; "
                f"page errors: {ctx.watch.errors or 'none'}"
            )
        except harness.LiteError as e:
            return f"kernel failed before the loop: {str(e).splitlines()[0]}; page errors: {ctx.watch.errors}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    isolated = server.counting_server(DIST, headers=server.ISOLATION_HEADERS)
    with server.exclusive_site(), isolated as (url, _), sync_playwright() as pw:
        for run in range(args.runs):
            print(f"run {run + 1}: {one_run(pw, url)}", flush=True)


if __name__ == "__main__":
    main()
