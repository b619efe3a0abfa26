"""Time to the first result, this site against the stock configuration, measured side by side.

    .venv/bin/python -m bench.bench [--runs 5] [--quick] [--mbit 20] [--latency-ms 40]

Builds two sites from the same verified, vendored Pyodide:
  * project: this repository's configuration (make site: sitetools/site.py);
  * stock:   jupyterlite-pyodide-kernel's defaults: no overrides, no settings, all apps,
             sourcemaps kept; only the `comm` wheel it cannot start without, and PyPI fallback
             off so it cannot leave 127.0.0.1.
Serves each with Python's http.server (in a thread, so the bytes sent can be counted) and drives
Debian's headless Chromium. Per run and site, each in a fresh profile:
  * loopback: cold and warm kernel idle and the bytes served until idle; then (unless --quick)
    the first imports and Run All of every tutorial notebook;
  * slow link: the same start-up, cold and warm, through a second server of the same site that
    delays every response (--latency-ms) and lets all responses share one bandwidth (--mbit);
  * restored layout: the six notebooks opened one after another in one page and left open, then
    a new page load of notebook 1, which restores all six: its kernel idle, and the kernels started.
Each measure is taken for stock, then this site, before the next measure (same machine conditions).
Prints a table of median, min and max over the runs (copy it into bench/RESULTS.md with what
changed) and writes the raw numbers to bench/results.json after every run. A benchmark, not a
test: it asserts nothing.
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
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from sitetools import BUILD, CONTENT, DIST
from sitetools import site as site_build
from tests import harness
from tests.harness import browser, server
from tests.harness import notebook as ui

BENCH = Path(__file__).resolve().parent
STOCK = BUILD / "stock-dist"
NOTEBOOK = "01-python-on-webassembly.ipynb"  # the notebook opened for the idle timings
IMPORTS = ["numpy", "pandas", "matplotlib.pyplot"]
# The restored layout starts one kernel per open notebook at once: far slower than one start.
RESTORED_TIMEOUT = 600.0


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
        "warm_bytes": [],
        "link_cold_idle_s": [],
        "link_warm_idle_s": [],
        "link_cold_bytes": [],
        "link_warm_bytes": [],
        # When JupyterLab's front end had restored its layout (navigation = 0), in the same page loads
        # as cold_idle_s, ...: the part of the kernel-idle time that is not the kernel's.
        "cold_front_end_s": [],
        "warm_front_end_s": [],
        "link_cold_front_end_s": [],
        "link_warm_front_end_s": [],
        "restored_idle_s": [],  # notebook 1's kernel, on the page load that restores all six
        "restored_kernels": [],  # kernel Workers that page load created (one per Pyodide kernel)
        "restored_sessions": [],  # sessions running when notebook 1's kernel was idle
        "restored_bytes": [],  # served by that page load until then (the profile has it all cached)
        "layout_open_s": [],  # per run: opening notebook k (1..6) in one page, k-1 left open
        "first_import_s": {m: [] for m in IMPORTS},
        "notebook_run_s": {},
        "top_files": None,
    }


@dataclass
class Site:
    """One site, served twice: on loopback, and through the slow link (its own shared cap)."""

    url: str
    sent: list  # (path, bytes) the loopback server sent
    link_url: str
    link_sent: list


# Notes the time (from navigation) at which JupyterLab has restored its layout: its front end is ready.
FRONT_END_READY_JS = """(() => {
  const wait = setInterval(() => {
    if (!window.jupyterapp) return;
    clearInterval(wait);
    window.jupyterapp.restored.then(() => { window.__frontEndReady = performance.now() / 1000; });
  }, 10);
})();"""


def start(page, url: str, sent: list, what: str, timeout: float = harness.KERNEL_IDLE_TIMEOUT):
    """Load the lab with NOTEBOOK, as a learner's link does: (seconds, bytes served) until its
    kernel is idle, and the seconds until JupyterLab's front end was ready (layout restored)."""
    sent.clear()
    page.add_init_script(FRONT_END_READY_JS)
    started = time.monotonic()
    page.goto(f"{url}lab/index.html?path={NOTEBOOK}")
    ui.use_notebook(page, NOTEBOOK, what, timeout)
    took = time.monotonic() - started
    return took, sum(n for _, n in sent), page.evaluate("() => window.__frontEndReady")


def cold_and_warm(pw, url: str, sent: list, out: dict, prefix: str = "", on_cold=None, on_warm=None):
    """Cold start in a fresh profile, then a warm start in a new page of the same profile (cached):
    kernel idle and bytes served into out[prefix + "cold_idle_s"], ...; on_cold(page) runs on the
    cold page after idle, on_warm(page) on the warm one."""
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile:
        with browser.browser(pw, Path(profile)) as ctx:
            page = ctx.new_page()
            took, served, front_end = start(page, url, sent, what=f"{prefix}cold start")
            out[prefix + "cold_idle_s"].append(took)
            out[prefix + "cold_front_end_s"].append(front_end)
            out[prefix + "cold_bytes"].append(served)
            if out["top_files"] is None and not prefix:
                by_file: dict[str, int] = {}
                for path, n in sent:
                    by_file[path] = by_file.get(path, 0) + n
                out["top_files"] = sorted(by_file.items(), key=lambda kv: -kv[1])[:8]
            if on_cold:
                on_cold(page)
            ui.close_everything(page)
            page.close()
            page = ctx.new_page()
            took, served, front_end = start(page, url, sent, what=f"{prefix}warm start")
            out[prefix + "warm_idle_s"].append(took)
            out[prefix + "warm_front_end_s"].append(front_end)
            out[prefix + "warm_bytes"].append(served)
            if on_warm:
                on_warm(page)


def measure_loopback(pw, site: Site, out: dict, quick: bool) -> None:
    """Cold start, the first imports, warm start, every notebook with Run All (quick: start-up only)."""

    def first_imports(page):
        for module in IMPORTS:
            started = time.monotonic()
            ui.run_code(page, f"import {module}")
            out["first_import_s"][module].append(time.monotonic() - started)

    def every_notebook(page):
        for name in sorted(p.name for p in CONTENT.glob("*.ipynb")):
            ui.close_everything(page)
            ui.open_notebook(page, site.url, name)
            out["notebook_run_s"].setdefault(name, []).append(run_all_cells(page, name))
        ui.close_everything(page)

    if quick:
        cold_and_warm(pw, site.url, site.sent, out)
    else:
        cold_and_warm(pw, site.url, site.sent, out, on_cold=first_imports, on_warm=every_notebook)


def measure_slow_link(pw, site: Site, out: dict, quick: bool) -> None:
    """Cold and warm start through the slow link (its own server of the same site)."""
    cold_and_warm(pw, site.link_url, site.link_sent, out, prefix="link_")


# Every open notebook's kernel is idle.
ALL_IDLE_JS = """() => {
  const panels = [...window.jupyterapp.shell.widgets('main')].filter(w => w.sessionContext);
  return panels.every(w => w.sessionContext.session?.kernel?.status === 'idle');
}"""


def measure_restored_layout(pw, site: Site, out: dict, quick: bool) -> None:
    """A learner opens the six notebooks one after another in one page (notebook 1 from a link,
    the others through JupyterLab's document manager, docmanager:open, as from the file browser),
    leaves them open and idle, then loads the lab again with notebook 1: JupyterLab restores all
    six tabs and starts a kernel for each. The measure (loopback): notebook 1's kernel idle on that
    page load, the kernels (Workers) it started and the bytes it was served."""
    notebooks = sorted(p.name for p in CONTENT.glob("*.ipynb"))
    opening = []
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile:
        with browser.browser(pw, Path(profile)) as ctx:
            ctx.add_init_script(ui.COUNT_KERNEL_WORKERS_JS)
            page = ctx.new_page()
            for name in notebooks:
                started = time.monotonic()
                if name == notebooks[0]:
                    page.goto(f"{site.url}lab/index.html?path={name}")
                else:
                    page.evaluate(
                        "(p) => window.jupyterapp.commands.execute('docmanager:open', {path: p})", name
                    )
                ui.use_notebook(page, name, f"opening {name} with the others open", RESTORED_TIMEOUT)
                opening.append(time.monotonic() - started)
                print(f"[bench]   {name} idle after {opening[-1]:.1f} s", flush=True)
            page.wait_for_function(ALL_IDLE_JS, timeout=RESTORED_TIMEOUT * 1000)
            ui.wait_until(page, ui.LAYOUT_SAVED_JS, notebooks, timeout=60)
            print("[bench]   layout stored; loading it again", flush=True)
            site.sent.clear()
            started = time.monotonic()
            page.goto(f"{site.url}lab/index.html?path={NOTEBOOK}")
            # JupyterLab may put the layout's last tab in front of the linked one (a race between
            # its restorer and its router); then the learner clicks the notebook's tab.
            page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
            page.evaluate(
                f"""async (p) => {{
              await window.jupyterapp.restored;
              window.jupyterapp.shell.activateById(({ui.PANEL_JS})(p).id);
            }}""",
                NOTEBOOK,
            )
            ui.use_notebook(page, NOTEBOOK, "the restored layout", RESTORED_TIMEOUT)
            took, served = time.monotonic() - started, sum(n for _, n in site.sent)
            counts = page.evaluate("""() => ({
              workers: window.__kernelWorkers,
              sessions: [...window.jupyterapp.serviceManager.sessions.running()].length,
              notebooks: [...window.jupyterapp.shell.widgets('main')].filter(w => w.sessionContext).length,
            })""")
    if counts["notebooks"] != len(notebooks):
        raise harness.LiteError(
            f"the restored layout held {counts['notebooks']} notebooks, not {len(notebooks)}"
        )
    out["restored_idle_s"].append(took)
    out["restored_kernels"].append(counts["workers"])
    out["restored_sessions"].append(counts["sessions"])
    out["restored_bytes"].append(served)
    out["layout_open_s"].append(opening)


MEASURES = [measure_loopback, measure_slow_link, measure_restored_layout]


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
        return f"{fmt.format(x['median'])} ({fmt.format(x['min'])}-{fmt.format(x['max'])}) {unit}".rstrip()

    ratio = f"{a['median'] / b['median']:.2f}" if b["median"] else "-"  # warm bytes: 0 on both
    return f"| {label} | {cell(a)} | {cell(b)} | {ratio} |"


def report(results: dict) -> str:
    p, s = results["project"], results["stock"]
    link = results["link"]
    over = (
        f"over the slow link ({link['mbit_per_s']:g} Mbit/s shared, {link['latency_ms']:g} ms per response)"
    )

    def megabytes(key):
        return [[n / 1e6 for n in r[key]] for r in (p, s)]

    def front_end(kind):
        return [r[f"{kind}_front_end_s"] for r in (p, s)]

    lines = [
        "| measure (median, min-max) | this site | stock | ratio |",
        "|---|---|---|---|",
        compare_row("cold kernel idle", p["cold_idle_s"], s["cold_idle_s"], "s"),
        compare_row("warm kernel idle", p["warm_idle_s"], s["warm_idle_s"], "s"),
        compare_row("of which JupyterLab's front end (layout restored), cold", *front_end("cold"), "s"),
        compare_row("of which JupyterLab's front end (layout restored), warm", *front_end("warm"), "s"),
        compare_row("bytes served until idle, cold", *megabytes("cold_bytes"), "MB", "{:.1f}"),
        compare_row("bytes served until idle, warm", *megabytes("warm_bytes"), "MB", "{:.2f}"),
        compare_row(f"cold kernel idle {over}", p["link_cold_idle_s"], s["link_cold_idle_s"], "s"),
        compare_row(f"warm kernel idle {over}", p["link_warm_idle_s"], s["link_warm_idle_s"], "s"),
        compare_row("of which the front end, slow link, cold", *front_end("link_cold"), "s"),
        compare_row("of which the front end, slow link, warm", *front_end("link_warm"), "s"),
        compare_row("bytes on the slow link until idle, cold", *megabytes("link_cold_bytes"), "MB", "{:.1f}"),
        compare_row("bytes on the slow link until idle, warm", *megabytes("link_warm_bytes"), "MB", "{:.2f}"),
        compare_row(
            "restored layout: kernel idle of the notebook opened, with the six tutorial notebooks open",
            p["restored_idle_s"],
            s["restored_idle_s"],
            "s",
        ),
        compare_row(
            "restored layout: kernels started by that page load",
            p["restored_kernels"],
            s["restored_kernels"],
            "",
            "{:.0f}",
        ),
        compare_row("restored layout: bytes served until idle", *megabytes("restored_bytes"), "MB", "{:.2f}"),
    ]
    for module in IMPORTS:
        if p["first_import_s"][module]:  # not measured with --quick
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
    quick = " (--quick: start-up only)" if results["quick"] else ""
    machine_line = (
        f"Machine: {m['cores']} cores, {m['cpu']}; {m['browser']}; {m['date']}; "
        f"{results['runs']} runs each{quick}."
    )

    def opening(r):  # median over the runs of the seconds to open notebook k with k-1 open
        return ", ".join(f"{statistics.median(k):.1f}" for k in zip(*r["layout_open_s"], strict=True))

    layout = (
        "Opening the six notebooks one after another in one page, the others left open (kernel idle, "
        f"s, notebook 1..6): this site {opening(p)}; stock {opening(s)}."
    )
    largest = "Largest files served until the kernel is idle (this site, cold):"
    return (
        f"{machine_line}\n\n"
        + "\n".join(lines)
        + f"\n\n{layout}\n\n{largest}\n\n| file | bytes |\n|---|---|\n{files}\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--quick", action="store_true", help="start-up only: no first imports, no Run All of the notebooks"
    )
    parser.add_argument("--mbit", type=float, default=20.0, help="slow link: Mbit/s shared by all responses")
    parser.add_argument(
        "--latency-ms", type=float, default=40.0, help="slow link: delay before every response"
    )
    parser.add_argument("--out", type=Path, default=BENCH / "results.json", help="where the raw numbers go")
    args = parser.parse_args()
    link = server.Link(mbit_per_s=args.mbit, latency_ms=args.latency_ms)
    with server.exclusive_site():
        build_s = {"project": build_project(), "stock": build_stock()}
        results = {
            "runs": 0,
            "quick": args.quick,
            "link": {"mbit_per_s": link.mbit_per_s, "latency_ms": link.latency_ms},
            "machine": machine(),
            "build_s": build_s,
            "size": {"project": site_size(DIST), "stock": site_size(STOCK)},
            "project": new_result(),
            "stock": new_result(),
        }
        with contextlib.ExitStack() as stack:
            pw = stack.enter_context(sync_playwright())
            sites = {}
            for name, directory in (("stock", STOCK), ("project", DIST)):
                url, sent = stack.enter_context(server.counting_server(directory))
                link_url, link_sent = stack.enter_context(server.counting_server(directory, link=link))
                sites[name] = Site(url, sent, link_url, link_sent)
            # Interleaved measure by measure, so both configurations see the same machine
            # conditions; the results are written after every run, so an interrupted benchmark
            # still reports what it has.
            for run in range(args.runs):
                for measure in MEASURES:
                    for name, site in sites.items():
                        measure(pw, site, results[name], args.quick)
                        print(f"[bench] run {run + 1}: {measure.__name__} {name} done", flush=True)
                results["runs"] = run + 1
                args.out.write_text(json.dumps(results, indent=1) + "\n")
                print(f"[bench] run {run + 1}/{args.runs} done", flush=True)
    table = report(results)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
