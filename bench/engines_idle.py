"""Cold kernel idle in each browser engine: from navigating to a notebook until its Pyodide kernel
is idle, a fresh profile (empty cache, no service worker) every run; the median of the runs.

    .venv/bin/python -m bench.engines_idle [--runs 3] [--engine chromium --engine webkit ...]

Serves the built dist/ (make site first) on 127.0.0.1 and drives the engines through the test
harness (tests/harness/engines.py); the browser's own start is not counted.
"""

from __future__ import annotations

import argparse
import statistics
import time

from playwright.sync_api import sync_playwright

from sitetools import DIST
from tests.harness import engines, server
from tests.harness import notebook as ui

NOTEBOOK = "01-python-on-webassembly.ipynb"


def cold_idle(engine: str, playwright, base_url: str, trap) -> float:
    port, seen = trap
    with engines.engine_page(engine, playwright, offsite=seen, proxy_port=port) as page:
        started = time.monotonic()
        ui.open_notebook(page, base_url, NOTEBOOK)
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", action="append", choices=engines.ENGINES)
    args = parser.parse_args()
    with sync_playwright() as pw, server.offsite_trap() as trap, server.serve(DIST) as base_url:
        for engine in args.engine or engines.ENGINES:
            times = [cold_idle(engine, pw, base_url, trap) for _ in range(args.runs)]
            shown = ", ".join(f"{t:.1f}" for t in times)
            median = statistics.median(times)
            print(f"{engine:<9} cold kernel idle: median {median:.1f} s ({shown})", flush=True)
        left = engines.left_by_page(trap[1])
        if left:
            raise SystemExit(f"requests tried to leave 127.0.0.1: {left}")


if __name__ == "__main__":
    main()
