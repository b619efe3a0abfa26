"""Time to the first result, this site against the stock configuration, measured side by side.

    .venv/bin/python -m bench.bench [--runs 5]

Builds two sites from the same verified, vendored Pyodide:
  * project: this repository's configuration (make site: sitetools/site.py);
  * stock:   jupyterlite-pyodide-kernel's defaults: no overrides, no settings, all apps,
             sourcemaps kept; only the `comm` wheel it cannot start without, and PyPI fallback
             off so it cannot leave 127.0.0.1.
Serves each with Python's http.server (in a thread, so the bytes sent can be counted) and drives
Debian's headless Chromium. Prints a table of median, min and max over the runs (copy it into
bench/RESULTS.md with what changed) and writes the raw numbers to bench/results.json after every
run. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from sitetools import BUILD, CONTENT, DIST, harness
from sitetools import site as site_build
from sitetools.harness import browser, server
from sitetools.harness import notebook as ui

BENCH = Path(__file__).resolve().parent
STOCK = BUILD / "stock-dist"
NOTEBOOK = "01-python-on-webassembly.ipynb"  # the notebook opened for the idle timings
IMPORTS = ["numpy", "pandas", "matplotlib.pyplot"]


# --- building ---------------------------------------------------------------------------------


def build_project() -> float:
    started = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()):
        site_build.build()
    return time.monotonic() - started


# The kernel's defaults; exposeAppInBrowser is how the harness reads kernel status and outputs,
# not an optimisation, and PyPI fallback off keeps the stock site on 127.0.0.1.
STOCK_CONFIG = {
    "jupyter-lite-schema-version": 0,
    "jupyter-config-data": {
        "exposeAppInBrowser": "true",
        "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True}},
    },
}


def build_stock() -> float:
    """The same vendored Pyodide with the kernel's default settings, built in a scratch lite dir."""
    vendor = BUILD / "vendor"
    jupyter = str(Path(sys.executable).with_name("jupyter"))
    cmd = [
        jupyter,
        "lite",
        "build",
        "--output-dir",
        str(STOCK),
        "--pyodide",
        str(vendor / "stock" / "pyodide"),
    ]
    cmd += ["--piplite-wheels", str(vendor / "pypi")]
    with tempfile.TemporaryDirectory(prefix="stock-lite-") as work:
        shutil.copytree(CONTENT, Path(work) / "files")
        (Path(work) / "jupyter-lite.json").write_text(json.dumps(STOCK_CONFIG))
        shutil.rmtree(STOCK, ignore_errors=True)
        started = time.monotonic()
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(cmd + ["--lite-dir", work], check=True, cwd=work, **quiet)
        return time.monotonic() - started


def site_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


# --- measuring --------------------------------------------------------------------------------


def new_result() -> dict:
    return {
        "cold_idle_s": [],
        "warm_idle_s": [],
        "cold_bytes": [],
        "first_import_s": {m: [] for m in IMPORTS},
        "notebook_run_s": {},
        "top_files": None,
    }


def measure_run(pw, url: str, sent: list, out: dict) -> None:
    """One run on one site: cold start, first imports, warm start, every notebook after idle."""
    notebooks = sorted(p.name for p in CONTENT.glob("*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile:
        with browser.browser(pw, Path(profile)) as ctx:
            page = ctx.new_page()
            sent.clear()
            started = time.monotonic()
            page.goto(f"{url}lab/index.html?path={NOTEBOOK}")
            ui.wait_idle(page, what="cold start")
            out["cold_idle_s"].append(time.monotonic() - started)
            out["cold_bytes"].append(sum(n for _, n in sent))
            if out["top_files"] is None:
                by_file: dict[str, int] = {}
                for path, n in sent:
                    by_file[path] = by_file.get(path, 0) + n
                out["top_files"] = sorted(by_file.items(), key=lambda kv: -kv[1])[:8]
            for module in IMPORTS:
                started = time.monotonic()
                ui.run_code(page, f"import {module}")
                out["first_import_s"][module].append(time.monotonic() - started)
            ui.close_everything(page)
            page.close()
            page = ctx.new_page()  # warm: same profile, cached
            started = time.monotonic()
            page.goto(f"{url}lab/index.html?path={NOTEBOOK}")
            ui.wait_idle(page, what="warm start")
            out["warm_idle_s"].append(time.monotonic() - started)
            for name in notebooks:
                ui.open_notebook(page, url, name)
                out["notebook_run_s"].setdefault(name, []).append(run_all_cells(page, name))
                ui.close_everything(page)


def run_all_cells(page, name: str, timeout: float = 300) -> float:
    """Run > Run All Cells, as a learner would (no round trip per cell); the seconds it took."""
    started = time.monotonic()
    page.evaluate("""() => {
      window.__runAll = null;
      window.jupyterapp.commands.execute('notebook:run-all-cells').then(
        () => { window.__runAll = 'done'; }, (e) => { window.__runAll = String(e); });
    }""")
    finished_or_asking = f"() => window.__runAll !== null || !!document.querySelector('{ui.WAITING_STDIN}')"
    try:
        while (state := page.evaluate("() => window.__runAll")) is None:
            page.wait_for_function(finished_or_asking, timeout=timeout * 1000)
            ui.answer_input(page)
    except PlaywrightTimeout:
        raise harness.LiteError(f"{name}: Run All did not finish in {timeout:.0f} s") from None
    took = time.monotonic() - started
    not_run = page.evaluate(f"""() => {ui.NOTEBOOK}.content.model.sharedModel.cells
                                 .filter(c => c.cell_type === 'code' && c.execution_count == null).length""")
    if state != "done" or not_run:
        raise harness.LiteError(f"{name}: Run All ended with {state!r}, {not_run} code cell(s) not run")
    return took


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    chromium = subprocess.run(
        [browser.chromium_path(), "--version"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "browser": chromium,
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
    }


def compare_row(label: str, ours: list[float], stock: list[float], unit: str, fmt: str = "{:.2f}") -> str:
    """A table row: median (min-max) of this site and of stock, and the ratio of the medians."""
    a, b = summary(ours), summary(stock)

    def cell(x):
        return f"{fmt.format(x['median'])} ({fmt.format(x['min'])}-{fmt.format(x['max'])}) {unit}"

    return f"| {label} | {cell(a)} | {cell(b)} | {a['median'] / b['median']:.2f} |"


def report(results: dict) -> str:
    p, s = results["project"], results["stock"]
    megabytes = [[n / 1e6 for n in r["cold_bytes"]] for r in (p, s)]
    lines = [
        "| measure (median, min-max) | this site | stock | ratio |",
        "|---|---|---|---|",
        compare_row("cold kernel idle", p["cold_idle_s"], s["cold_idle_s"], "s"),
        compare_row("warm kernel idle", p["warm_idle_s"], s["warm_idle_s"], "s"),
        compare_row("bytes served until idle, cold", *megabytes, "MB", "{:.1f}"),
    ]
    for module in IMPORTS:
        label = f"first `import {module}` (cell wall time)"
        lines.append(compare_row(label, p["first_import_s"][module], s["first_import_s"][module], "s"))
    for name in p["notebook_run_s"]:
        lines.append(
            compare_row(f"run {name} after idle", p["notebook_run_s"][name], s["notebook_run_s"][name], "s")
        )
    build, size = results["build_s"], {k: v / 1e6 for k, v in results["size"].items()}
    lines.append(compare_row("clean build", [build["project"]], [build["stock"]], "s", "{:.1f}"))
    lines.append(compare_row("built site size", [size["project"]], [size["stock"]], "MB", "{:.1f}"))
    files = "\n".join(f"| `{path}` | {n / 1e6:.2f} MB |" for path, n in p["top_files"])
    m = results["machine"]
    machine_line = (
        f"Machine: {m['cores']} cores, {m['cpu']}; {m['browser']}; {m['date']}; {results['runs']} runs each."
    )
    largest = "Largest files served until the kernel is idle (this site, cold):"
    return (
        f"{machine_line}\n\n" + "\n".join(lines) + f"\n\n{largest}\n\n| file | bytes |\n|---|---|\n{files}\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with server.exclusive_site():
        build_s = {"project": build_project(), "stock": build_stock()}
        results = {
            "runs": 0,
            "machine": machine(),
            "build_s": build_s,
            "size": {"project": site_size(DIST), "stock": site_size(STOCK)},
            "project": new_result(),
            "stock": new_result(),
        }
        with (
            sync_playwright() as pw,
            server.counting_server(DIST) as (project_url, project_sent),
            server.counting_server(STOCK) as (stock_url, stock_sent),
        ):
            # Interleaved, so both configurations see the same machine conditions; the results
            # are written after every run, so an interrupted benchmark still reports what it has.
            for run in range(args.runs):
                measure_run(pw, stock_url, stock_sent, results["stock"])
                measure_run(pw, project_url, project_sent, results["project"])
                results["runs"] = run + 1
                (BENCH / "results.json").write_text(json.dumps(results, indent=1) + "\n")
                print(f"[bench] run {run + 1}/{args.runs} done", flush=True)
    table = report(results)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
