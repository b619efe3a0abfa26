"""What each start-up lever of this site is worth: the built site against copies of it with one
lever undone (or one candidate added), measured side by side.

    .venv/bin/python -m bench.levers [--runs 3]

Uses the site in dist/ (make site first). Each variant is a copy of dist/ changed after the build,
the way the lever works in the site, so only that lever differs:

  site             as built
  no early boot    the site's kernel without its early boot ("earlyBoot": false in its plugin
                   settings, extension/src/settings.ts): the kernel creates its worker when the
                   notebook opens, as stock does
  no gzip          without pyodide.asm.wasm.gz (sitetools/precompress.py): the worker falls back
                   to the 9.6 MB file
  jedi at start    jedi back in the start-up packages, as before this round
  plugins off      a candidate: front-end plugins the tutorials do not use, disabled
                   (disabledExtensions)

Cold and warm kernel idle and bytes served until idle, on loopback, fresh profile per cold run,
interleaved run by run; prints medians (min-max). A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.bench import SiteResult, cold_and_warm
from sitetools import DIST
from tests.harness import server

UNUSED_PLUGINS = [
    "@jupyterlab/lsp-extension",  # no language server in the browser
    "@jupyterlite/application-extension:lsp-connection-manager",
    "@jupyterlab/terminal-extension",  # no terminals in JupyterLite
    "@jupyterlab/mermaid-extension",  # no diagrams in the tutorials
    "@jupyterlab/celltags-extension",
    "@jupyterlab/metadataform-extension",
]


def config(site: Path) -> tuple[Path, dict]:
    path = site / "jupyter-lite.json"
    return path, json.loads(path.read_text())


SITE_KERNEL = "@python-in-the-browser/tour-kernel:kernel"


def no_early_boot(site: Path) -> None:
    path, data = config(site)
    data["jupyter-config-data"]["litePluginSettings"][SITE_KERNEL]["earlyBoot"] = False
    path.write_text(json.dumps(data, indent=2))


def no_gzip(site: Path) -> None:
    for packed in (site / "static" / "pyodide").glob("*.gz"):
        packed.unlink()


def jedi_at_start(site: Path) -> None:
    path, data = config(site)
    kernel = data["jupyter-config-data"]["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    kernel["loadPyodideOptions"]["packages"].append("jedi")  # the early boot reads the same
    path.write_text(json.dumps(data, indent=2))


def plugins_off(site: Path) -> None:
    path, data = config(site)
    data["jupyter-config-data"]["disabledExtensions"] += UNUSED_PLUGINS
    path.write_text(json.dumps(data, indent=2))


VARIANTS = {
    "site": None,
    "no early boot": no_early_boot,
    "no gzip": no_gzip,
    "jedi at start": jedi_at_start,
    "plugins off": plugins_off,
}


# The timings each variant reports, in table order.
def times(r: SiteResult) -> list[list[float]]:
    return [r.cold.idle_s, r.warm.idle_s, r.cold.front_end_s, r.warm.front_end_s]


def spread(values: list[float], fmt: str) -> str:
    """median (min-max)"""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = {name: SiteResult() for name in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="levers-") as work, contextlib.ExitStack() as stack:
        pw = stack.enter_context(sync_playwright())
        served = {}
        for name, change in VARIANTS.items():
            site = Path(work) / name.replace(" ", "-")
            shutil.copytree(DIST, site)
            if change:
                change(site)
            served[name] = stack.enter_context(server.counting_server(site))
        for run in range(args.runs):
            for name, (url, sent) in served.items():
                cold_and_warm(pw, url, sent, results[name].cold, results[name].warm)
            print(f"[levers] run {run + 1}/{args.runs} done", flush=True)
    print(
        "| variant | cold idle, s | warm idle, s | front end ready, cold, s | front end ready, warm, s"
        " | MB until idle, cold |\n|---|---|---|---|---|---|"
    )
    for name, r in results.items():
        cells = [name] + [spread(values, "{:.2f}") for values in times(r)]
        cells.append(spread([n / 1e6 for n in r.cold.bytes], "{:.1f}"))
        print(f"| {' | '.join(cells)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
