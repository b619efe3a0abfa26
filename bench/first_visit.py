"""What the isolating reload costs a first visit: cold kernel idle in a fresh Chromium profile with
the site's service worker (the page reloads once to become cross-origin isolated) and with service
workers blocked (no reload, no Interrupt), alternating run by run against the same server.

    .venv/bin/python -m bench.first_visit [--runs 5]

Serves the built dist/ (make site first) on 127.0.0.1; prints the median, min and max of each.
"""

from __future__ import annotations

import argparse
import statistics
import time

from playwright.sync_api import sync_playwright

from tests.harness import browser, server
from tests.harness import notebook as ui

NOTEBOOK = "01-python-on-webassembly.ipynb"
WAYS = {"with the service worker (one reload)": "allow", "service workers blocked (no reload)": "block"}


def cold_idle(playwright, base_url: str, service_workers: str) -> float:
    with browser.browser(playwright, service_workers=service_workers) as context:
        page = context.new_page()
        started = time.monotonic()
        page.goto(f"{base_url}lab/index.html?path={NOTEBOOK}")
        page.wait_for_function(f"() => ({ui.KERNEL_STATUS_JS})() === 'idle'", timeout=120_000)
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    times: dict[str, list[float]] = {way: [] for way in WAYS}
    with server.serve() as base_url, sync_playwright() as playwright:
        for _ in range(runs):
            for way, service_workers in WAYS.items():
                times[way].append(cold_idle(playwright, base_url, service_workers))
    for way, seconds in times.items():
        median = statistics.median(seconds)
        print(f"{way}: {median:.2f} s ({min(seconds):.2f}-{max(seconds):.2f}), {runs} runs")


if __name__ == "__main__":
    main()
