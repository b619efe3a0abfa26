"""Time to the first result, this site against the stock configuration, measured side by side.

    .venv/bin/python -m bench.bench [--runs 5]

Builds two sites from the same verified, vendored Pyodide:
  * project: this repository's configuration (scripts/build_site.py);
  * stock:   jupyterlite-pyodide-kernel's defaults: no overrides, no settings, all apps,
             sourcemaps kept; only the `comm` wheel it cannot start without, and PyPI fallback
             off so it cannot leave 127.0.0.1.
Serves each with Python's http.server (in a thread, so the bytes sent can be counted) and drives
Debian's headless Chromium. Reports median, min and max over the runs to bench/RESULTS.md and
bench/results.json. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests import lite

BENCH = Path(__file__).resolve().parent
STOCK = lite.ROOT / "build" / "stock-dist"
NOTEBOOK = "01-python-on-webassembly.ipynb"  # the notebook opened for the idle timings
IMPORTS = ["numpy", "pandas", "matplotlib.pyplot"]


# --- building ---------------------------------------------------------------------------------

def build_project() -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, str(lite.ROOT / "scripts" / "build_site.py")], check=True,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def build_stock() -> float:
    """The same vendored Pyodide with the kernel's default settings, built in a scratch lite dir."""
    work = Path(tempfile.mkdtemp(prefix="stock-lite-"))
    try:
        shutil.copytree(lite.CONTENT, work / "files")
        (work / "jupyter-lite.json").write_text(json.dumps({
            "jupyter-lite-schema-version": 0,
            # exposeAppInBrowser: how the harness reads kernel status and outputs, not an optimisation
            "jupyter-config-data": {"exposeAppInBrowser": "true", "litePluginSettings": {
                "@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True}}}}))
        shutil.rmtree(STOCK, ignore_errors=True)
        vendor = lite.ROOT / "build" / "vendor"
        jupyter = Path(sys.executable).with_name("jupyter")
        started = time.monotonic()
        subprocess.run([str(jupyter), "lite", "build", "--lite-dir", str(work), "--output-dir", str(STOCK),
                        "--pyodide", str(vendor / "stock" / "pyodide"), "--piplite-wheels", str(vendor / "pypi")],
                       check=True, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.monotonic() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)


def site_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


# --- serving, counting bytes ------------------------------------------------------------------

class CountingHandler(http.server.SimpleHTTPRequestHandler):
    sent: list  # (path, bytes), shared per server

    def send_header(self, keyword, value):
        if keyword.lower() == "content-length":
            self.sent.append((self.path.split("?")[0], int(value)))
        super().send_header(keyword, value)

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser closing a socket early
            super().handle_error(request, client_address)


@contextlib.contextmanager
def counting_server(directory: Path):
    sent: list = []
    handler = functools.partial(type("H", (CountingHandler,), {"sent": sent}), directory=str(directory))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", sent
    finally:
        server.shutdown()


# --- measuring --------------------------------------------------------------------------------

def new_result() -> dict:
    return {"cold_idle_s": [], "warm_idle_s": [], "cold_bytes": [], "first_import_s": {m: [] for m in IMPORTS},
            "notebook_run_s": {}, "top_files": None}


def measure_run(pw, url: str, sent: list, out: dict) -> None:
    """One run on one site: cold start, first imports, warm start, every notebook after idle."""
    notebooks = sorted(p.name for p in lite.CONTENT.glob("*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile:
        with lite.browser(pw, Path(profile)) as ctx:
            page = ctx.new_page()
            sent.clear()
            started = time.monotonic()
            page.goto(f"{url}lab/index.html?path={NOTEBOOK}")
            lite.wait_idle(page, what="cold start")
            out["cold_idle_s"].append(time.monotonic() - started)
            out["cold_bytes"].append(sum(n for _, n in sent))
            if out["top_files"] is None:
                by_file: dict[str, int] = {}
                for path, n in sent:
                    by_file[path] = by_file.get(path, 0) + n
                out["top_files"] = sorted(by_file.items(), key=lambda kv: -kv[1])[:8]
            for module in IMPORTS:
                started = time.monotonic()
                lite.run_code(page, f"import {module}")
                out["first_import_s"][module].append(time.monotonic() - started)
            lite.close_everything(page)
            page.close()
            page = ctx.new_page()  # warm: same profile, cached
            started = time.monotonic()
            page.goto(f"{url}lab/index.html?path={NOTEBOOK}")
            lite.wait_idle(page, what="warm start")
            out["warm_idle_s"].append(time.monotonic() - started)
            for name in notebooks:
                lite.open_notebook(page, url, name)
                out["notebook_run_s"].setdefault(name, []).append(run_all_cells(page, name))
                lite.close_everything(page)


def run_all_cells(page, name: str, timeout: float = 300) -> float:
    """Run > Run All Cells, as a learner would (no round trip per cell); the seconds it took."""
    started = time.monotonic()
    page.evaluate("""() => {
      window.__runAll = null;
      window.jupyterapp.commands.execute('notebook:run-all-cells').then(
        () => { window.__runAll = 'done'; }, (e) => { window.__runAll = String(e); });
    }""")
    while (state := page.evaluate("() => window.__runAll")) is None:
        if time.monotonic() - started > timeout:
            raise lite.LiteError(f"{name}: Run All did not finish in {timeout:.0f} s")
        lite.answer_input(page)
        time.sleep(0.05)
    took = time.monotonic() - started
    not_run = page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells
                                 .filter(c => c.cell_type === 'code' && c.execution_count == null).length""")
    if state != "done" or not_run:
        raise lite.LiteError(f"{name}: Run All ended with {state!r}, {not_run} code cell(s) not run")
    return took


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    chromium = subprocess.run([lite.chromium_path(), "--version"], capture_output=True, text=True).stdout.strip()
    return {"cores": os.cpu_count(), "cpu": cpu, "browser": chromium, "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d")}


def report(results: dict) -> str:
    p, s = results["project"], results["stock"]

    def row(label, key, unit, scale=1.0, fmt="{:.2f}"):
        a, b = summary(p[key]), summary(s[key])
        cell = lambda x: f"{fmt.format(x['median'] * scale)} ({fmt.format(x['min'] * scale)}-{fmt.format(x['max'] * scale)})"
        return f"| {label} | {cell(a)} {unit} | {cell(b)} {unit} | {a['median'] / b['median']:.2f} |"

    lines = [
        "| measure (median, min-max) | this site | stock | ratio |", "|---|---|---|---|",
        row("cold kernel idle", "cold_idle_s", "s"),
        row("warm kernel idle", "warm_idle_s", "s"),
        row("bytes served until idle, cold", "cold_bytes", "MB", 1e-6, "{:.1f}"),
    ]
    for module in IMPORTS:
        a, b = summary(p["first_import_s"][module]), summary(s["first_import_s"][module])
        lines.append(f"| first `import {module}` (cell wall time) | {a['median']:.2f} s | {b['median']:.2f} s | "
                     f"{a['median'] / b['median']:.2f} |")
    for name in p["notebook_run_s"]:
        a, b = summary(p["notebook_run_s"][name]), summary(s["notebook_run_s"][name])
        lines.append(f"| run {name} after idle | {a['median']:.2f} s | {b['median']:.2f} s | {a['median'] / b['median']:.2f} |")
    lines.append(f"| clean build | {results['build_s']['project']:.1f} s | {results['build_s']['stock']:.1f} s | "
                 f"{results['build_s']['project'] / results['build_s']['stock']:.2f} |")
    lines.append(f"| built site size | {results['size']['project'] / 1e6:.1f} MB | {results['size']['stock'] / 1e6:.1f} MB | "
                 f"{results['size']['project'] / results['size']['stock']:.2f} |")
    files = "\n".join(f"| `{path}` | {n / 1e6:.2f} MB |" for path, n in p["top_files"])
    m = results["machine"]
    return (f"Machine: {m['cores']} cores, {m['cpu']}; {m['browser']}; {m['date']}; {results['runs']} runs each.\n\n"
            + "\n".join(lines) + "\n\nLargest files served until the kernel is idle (this site, cold):\n\n"
            "| file | bytes |\n|---|---|\n" + files + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with lite.exclusive_site():
        build_s = {"project": build_project(), "stock": build_stock()}
        results = {"runs": 0, "machine": machine(), "build_s": build_s,
                   "size": {"project": site_size(lite.DIST), "stock": site_size(STOCK)},
                   "project": new_result(), "stock": new_result()}
        with sync_playwright() as pw, counting_server(lite.DIST) as (project_url, project_sent), \
                counting_server(STOCK) as (stock_url, stock_sent):
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
