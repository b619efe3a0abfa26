"""Does a cross-origin isolated page let Kernel > Interrupt stop `while True: pass`?

    .venv/bin/python -m bench.interrupt_experiment [--runs 3]

Serves dist/ with COOP/COEP headers (bench/isolated_server.py), opens a new notebook in a fresh
headless Chromium, checks that the page is isolated, runs a busy loop, presses Kernel > Interrupt
and looks at the kernel 5 s later. Prints one line per run. An experiment, not a test: the
isolated mode was not reliable enough here to gate CI on (see the README).
"""

import argparse

from playwright.sync_api import sync_playwright

from tests import lite


def one_run(pw, url) -> str:
    with lite.browser(pw) as ctx:
        page = ctx.new_page()
        try:
            lite.new_notebook(page, url)
            isolated = lite.output_text(lite.run_code(
                page, "import js\nprint(js.crossOriginIsolated, hasattr(js, 'SharedArrayBuffer'))", timeout=60))
            lite.start_cell(page, lite.add_cell(page, "while True:\n    pass"))
            page.wait_for_timeout(1500)
            page.get_by_role("menuitem", name="Kernel").click()
            page.get_by_role("menuitem", name="Interrupt Kernel").click()
            page.wait_for_timeout(5000)
            status = page.evaluate(lite.KERNEL_STATUS_JS)
            return (f"isolated, SharedArrayBuffer: {isolated.strip()}; kernel 5 s after Interrupt: {status}; "
                    f"page errors: {ctx.watch.errors or 'none'}")
        except lite.LiteError as e:
            return f"kernel failed before the loop: {str(e).splitlines()[0]}; page errors: {ctx.watch.errors}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with lite.exclusive_site(), lite.serve(lite.DIST, isolated=True) as url, sync_playwright() as pw:
        for run in range(args.runs):
            print(f"run {run + 1}: {one_run(pw, url)}", flush=True)


if __name__ == "__main__":
    main()
