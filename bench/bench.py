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
import dataclasses
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
from dataclasses import dataclass, field
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
# A learner's pause before Kernel > Restart and before opening the next notebook (reading the
# notebook in front): this site boots the next Python meanwhile (booted-workers.ts).
READING_S = 10.0


# --- building ---------------------------------------------------------------------------------


def build_project() -> float:
    started = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()):
        site_build.build()
    return time.monotonic() - started


# The kernel's defaults; exposeAppInBrowser is how the harness reads kernel status and outputs,
# not an optimisation, and PyPI fallback off keeps the stock site on 127.0.0.1. The site's own
# kernel extension is installed in this environment too: all its plugins are off, so upstream's
# kernel, kernel client and service worker are the ones that register (its files still load: a
# few kB; its service worker file is built but never registered).
STOCK_CONFIG = {
    "jupyter-lite-schema-version": 0,
    "jupyter-config-data": {
        "exposeAppInBrowser": "true",
        "disabledExtensions": ["@python-in-the-browser/tour-kernel"],
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


@dataclass
class Starts:
    """One kind of start (cold or warm, on one server), per run: seconds from navigation until the
    kernel was idle, until JupyterLab's front end had restored its layout (in the same page load:
    the part of the idle time that is not the kernel's), and the bytes served until idle."""

    idle_s: list[float] = field(default_factory=list)
    front_end_s: list[float] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)

    def add(self, took: float, served: int, front_end: float) -> None:
        self.idle_s.append(took)
        self.bytes.append(served)
        self.front_end_s.append(front_end)


@dataclass
class Restored:
    """The page load that restores the six open notebooks, per run (measure_restored_layout)."""

    idle_s: list[float] = field(default_factory=list)  # notebook 1's kernel
    kernels: list[int] = field(default_factory=list)  # kernel Workers created (one per Pyodide kernel)
    sessions: list[int] = field(default_factory=list)  # sessions running when notebook 1 was idle
    bytes: list[int] = field(default_factory=list)  # served until then (the profile has it all cached)
    open_s: list[list[float]] = field(default_factory=list)  # opening notebook k (1..6), k-1 left open
    paced_open_s: list[list[float]] = field(default_factory=list)  # the same, READING_S between


@dataclass
class SiteResult:
    """Everything measured on one site (this one or stock), over the runs."""

    cold: Starts = field(default_factory=Starts)
    warm: Starts = field(default_factory=Starts)
    link_cold: Starts = field(default_factory=Starts)  # through the slow link
    link_warm: Starts = field(default_factory=Starts)
    restored: Restored = field(default_factory=Restored)
    first_import_s: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in IMPORTS})
    restart_s: list[float] = field(default_factory=list)  # Kernel > Restart to idle, READING_S after idle
    notebook_run_s: dict[str, list[float]] = field(default_factory=dict)  # Run All, per notebook
    top_files: list | None = None  # the largest files of the first cold start: [(path, bytes)]

    @classmethod
    def from_json(cls, data: dict) -> SiteResult:
        starts = {k: Starts(**data[k]) for k in ("cold", "warm", "link_cold", "link_warm")}
        return cls(**(data | starts | {"restored": Restored(**data["restored"])}))


@dataclass
class Results:
    """A benchmark: its settings, the machine, both builds and both sites' measures (results.json)."""

    quick: bool
    link: server.Link
    machine: dict
    build_s: dict[str, float]  # clean build, "project" and "stock"
    size: dict[str, int]  # bytes of the built site
    runs: int = 0
    project: SiteResult = field(default_factory=SiteResult)
    stock: SiteResult = field(default_factory=SiteResult)

    @classmethod
    def from_json(cls, data: dict) -> Results:
        sites = {name: SiteResult.from_json(data[name]) for name in ("project", "stock")}
        return cls(**(data | sites | {"link": server.Link(**data["link"])}))

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=1) + "\n"

    def sites(self) -> dict[str, SiteResult]:
        """Both sites' measures, stock first (the order every measure takes them in)."""
        return {"stock": self.stock, "project": self.project}


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


def cold_and_warm(pw, url: str, sent: list, cold: Starts, warm: Starts, on_cold=None, on_warm=None):
    """Cold start in a fresh profile, then a warm start in a new page of the same profile (cached),
    each added to its Starts; on_cold(page) runs on the cold page after idle, on_warm(page) on the
    warm one."""
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile:
        with browser.browser(pw, Path(profile)) as ctx:
            page = ctx.new_page()
            cold.add(*start(page, url, sent, what="cold start"))
            if on_cold:
                on_cold(page)
            ui.close_everything(page)
            page.close()
            page = ctx.new_page()
            warm.add(*start(page, url, sent, what="warm start"))
            if on_warm:
                on_warm(page)


def largest_files(sent: list, n: int = 8) -> list[tuple[str, int]]:
    """The n files that took the most bytes, a file's requests summed."""
    by_file: dict[str, int] = {}
    for path, size in sent:
        by_file[path] = by_file.get(path, 0) + size
    return sorted(by_file.items(), key=lambda kv: -kv[1])[:n]


def measure_loopback(pw, site: Site, out: SiteResult, quick: bool) -> None:
    """Cold start, the first imports, warm start, every notebook with Run All (quick: start-up only)."""

    def after_cold(page):
        if out.top_files is None:  # what the first cold start was served, before any import
            out.top_files = largest_files(site.sent)
        for module in [] if quick else IMPORTS:
            started = time.monotonic()
            ui.run_code(page, f"import {module}")
            out.first_import_s[module].append(time.monotonic() - started)
        time.sleep(READING_S)
        started = time.monotonic()
        ui.restart_kernel(page)
        out.restart_s.append(time.monotonic() - started)

    def every_notebook(page):
        for name in sorted(p.name for p in CONTENT.glob("*.ipynb")):
            ui.close_everything(page)
            ui.open_notebook(page, site.url, name)
            out.notebook_run_s.setdefault(name, []).append(run_all_cells(page, name))
        ui.close_everything(page)

    on_warm = None if quick else every_notebook
    cold_and_warm(pw, site.url, site.sent, out.cold, out.warm, on_cold=after_cold, on_warm=on_warm)


def measure_slow_link(pw, site: Site, out: SiteResult, quick: bool) -> None:
    """Cold and warm start through the slow link (its own server of the same site)."""
    cold_and_warm(pw, site.link_url, site.link_sent, out.link_cold, out.link_warm)


# Every open notebook's kernel is idle.
ALL_IDLE_JS = """() => {
  const panels = [...window.jupyterapp.shell.widgets('main')].filter(w => w.sessionContext);
  return panels.every(w => w.sessionContext.session?.kernel?.status === 'idle');
}"""


def measure_restored_layout(pw, site: Site, out: SiteResult, quick: bool) -> None:
    """A learner opens the six notebooks one after another in one page (notebook 1 from a link,
    the others through JupyterLab's document manager, docmanager:open, as from the file browser),
    leaves them open and idle, then loads the lab again with notebook 1: JupyterLab restores all
    six tabs and starts a kernel for each. The measure (loopback): notebook 1's kernel idle on that
    page load, the kernels (Workers) it started and the bytes it was served."""
    notebooks = sorted(p.name for p in CONTENT.glob("*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile:
        with browser.browser(pw, Path(profile)) as ctx:
            ctx.add_init_script(ui.COUNT_KERNEL_WORKERS_JS)
            page = ctx.new_page()
            opening = open_one_after_another(page, site.url, notebooks)
            ui.close_everything(page)
            paced = open_one_after_another(page, site.url, notebooks, pause=READING_S)
            site.sent.clear()
            took, counts = load_restored_layout(page, site.url)
            served = sum(n for _, n in site.sent)
    if counts["notebooks"] != len(notebooks):
        raise harness.LiteError(
            f"the restored layout held {counts['notebooks']} notebooks, not {len(notebooks)}"
        )
    out.restored.idle_s.append(took)
    out.restored.kernels.append(counts["workers"])
    out.restored.sessions.append(counts["sessions"])
    out.restored.bytes.append(served)
    out.restored.open_s.append(opening)
    out.restored.paced_open_s.append(paced)


# Opens a notebook as the file browser does. Returns nothing: the command's result is the
# notebook's widget, which Playwright would walk and copy to Python (measured: 5.6 s with one
# notebook open, 22 s with five; this was most of "each next notebook" in rounds 4 to 6).
OPEN_JS = "(path) => { window.jupyterapp.commands.execute('docmanager:open', {path}); }"


def open_one_after_another(page, url: str, notebooks: list[str], pause: float = 0.0) -> list[float]:
    """Open the notebooks in one page, each left open, `pause` seconds after the one before was
    idle, until all are idle and the layout is stored; the seconds each took to be idle."""
    opening = []
    for name in notebooks:
        if name != notebooks[0]:
            time.sleep(pause)
        started = time.monotonic()
        if name == notebooks[0]:
            page.goto(f"{url}lab/index.html?path={name}")
        else:
            page.evaluate(OPEN_JS, name)
        ui.use_notebook(page, name, f"opening {name} with the others open", RESTORED_TIMEOUT)
        opening.append(time.monotonic() - started)
        print(f"[bench]   {name} idle after {opening[-1]:.1f} s", flush=True)
    page.wait_for_function(ALL_IDLE_JS, timeout=RESTORED_TIMEOUT * 1000)
    ui.wait_until(page, ui.LAYOUT_SAVED_JS, notebooks, timeout=60)
    print("[bench]   layout stored; loading it again", flush=True)
    return opening


# What the restored page load started: kernel Workers, running sessions, open notebooks.
RESTORED_COUNTS_JS = """() => ({
  workers: window.__kernelWorkers,
  sessions: [...window.jupyterapp.serviceManager.sessions.running()].length,
  notebooks: [...window.jupyterapp.shell.widgets('main')].filter(w => w.sessionContext).length,
})"""


def load_restored_layout(page, url: str) -> tuple[float, dict]:
    """Load the lab with NOTEBOOK again (the stored layout reopens every tab): the seconds until
    its kernel is idle, and what the page load started (RESTORED_COUNTS_JS)."""
    started = time.monotonic()
    page.goto(f"{url}lab/index.html?path={NOTEBOOK}")
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
    took = time.monotonic() - started
    return took, page.evaluate(RESTORED_COUNTS_JS)


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


def report(results: Results) -> str:
    """The Markdown that bench/RESULTS.md quotes: the machine, the table, the layout line, the files."""
    p, s = results.project, results.stock
    rows = ["| measure (median, min-max) | this site | stock | ratio |", "|---|---|---|---|"]
    rows += start_rows(p, s, results.link) + restored_rows(p, s) + work_rows(p, s) + build_rows(results)
    files = "\n".join(f"| `{path}` | {n / 1e6:.2f} MB |" for path, n in p.top_files)
    largest = "Largest files served until the kernel is idle (this site, cold):"
    return (
        f"{machine_line(results)}\n\n"
        + "\n".join(rows)
        + f"\n\n{layout_line(p, s)}\n\n{largest}\n\n| file | bytes |\n|---|---|\n{files}\n"
    )


def megabytes(values: list[int]) -> list[float]:
    return [n / 1e6 for n in values]


def start_rows(p: SiteResult, s: SiteResult, link: server.Link) -> list[str]:
    """Kernel idle, the front end and the bytes served, cold and warm: on loopback, then over the link."""
    loopback = ("kernel idle", "of which JupyterLab's front end (layout restored)", "bytes served until idle")
    slow = (f"kernel idle over the slow link ({link})", "of which the front end, slow link")
    return [
        *start_group((p.cold, p.warm), (s.cold, s.warm), *loopback),
        *start_group(
            (p.link_cold, p.link_warm), (s.link_cold, s.link_warm), *slow, "bytes on the slow link until idle"
        ),
    ]


def start_group(ours: tuple, stock: tuple, idle: str, front_end: str, served: str) -> list[str]:
    """Six rows from (cold, warm) Starts of each site: kernel idle, front end, bytes; cold, then warm."""
    (cold, warm), (stock_cold, stock_warm) = ours, stock
    pairs = [("cold", cold, stock_cold, "{:.1f}"), ("warm", warm, stock_warm, "{:.2f}")]
    return [
        *(compare_row(f"{when} {idle}", a.idle_s, b.idle_s, "s") for when, a, b, _ in pairs),
        *(compare_row(f"{front_end}, {when}", a.front_end_s, b.front_end_s, "s") for when, a, b, _ in pairs),
        *(
            compare_row(f"{served}, {when}", megabytes(a.bytes), megabytes(b.bytes), "MB", f)
            for when, a, b, f in pairs
        ),
    ]


def restored_rows(p: SiteResult, s: SiteResult) -> list[str]:
    a, b = p.restored, s.restored
    return [
        compare_row(
            "restored layout: kernel idle of the notebook opened, with the six tutorial notebooks open",
            a.idle_s,
            b.idle_s,
            "s",
        ),
        compare_row("restored layout: kernel workers created by idle", a.kernels, b.kernels, "", "{:.0f}"),
        compare_row("restored layout: bytes served until idle", megabytes(a.bytes), megabytes(b.bytes), "MB"),
    ]


def work_rows(p: SiteResult, s: SiteResult) -> list[str]:
    """The first imports and each notebook's Run All (none with --quick)."""
    rows = [
        compare_row(
            f"first `import {module}` (cell wall time)",
            p.first_import_s[module],
            s.first_import_s[module],
            "s",
        )
        for module in IMPORTS
        if p.first_import_s[module]
    ]
    if p.restart_s:
        rows.append(
            compare_row(
                f"Kernel > Restart to idle, {READING_S:.0f} s after idle", p.restart_s, s.restart_s, "s"
            )
        )
        sixth = [[run[-1]] for run in p.restored.paced_open_s], [[run[-1]] for run in s.restored.paced_open_s]
        rows.append(
            compare_row(
                f"sixth notebook opened, five open, {READING_S:.0f} s after the fifth was idle",
                [x for [x] in sixth[0]],
                [x for [x] in sixth[1]],
                "s",
            )
        )
    for name, ours in p.notebook_run_s.items():
        rows.append(compare_row(f"run {name} after idle", ours, s.notebook_run_s[name], "s"))
    return rows


def build_rows(results: Results) -> list[str]:
    build, size = results.build_s, {k: v / 1e6 for k, v in results.size.items()}
    return [
        compare_row("clean build", [build["project"]], [build["stock"]], "s", "{:.1f}"),
        compare_row("built site size", [size["project"]], [size["stock"]], "MB", "{:.1f}"),
    ]


def machine_line(results: Results) -> str:
    m = results.machine
    quick = " (--quick: start-up only)" if results.quick else ""
    return (
        f"Machine: {m['cores']} cores, {m['cpu']}; {m['browser']}; {m['date']}; "
        f"{results.runs} runs each{quick}."
    )


def layout_line(p: SiteResult, s: SiteResult) -> str:
    def opening(r: SiteResult) -> str:  # median over the runs of the seconds to open notebook k, k-1 open
        return ", ".join(f"{statistics.median(k):.1f}" for k in zip(*r.restored.open_s, strict=True))

    def paced(r: SiteResult) -> str:
        return ", ".join(f"{statistics.median(k):.1f}" for k in zip(*r.restored.paced_open_s, strict=True))

    return (
        "Opening the six notebooks one after another in one page, the others left open (kernel idle, "
        f"s, notebook 1..6): this site {opening(p)}; stock {opening(s)}. The same, each opened "
        f"{READING_S:.0f} s after the one before was idle: this site {paced(p)}; stock {paced(s)}."
    )


def arguments() -> argparse.Namespace:
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
    return parser.parse_args()


def serve_both(stack: contextlib.ExitStack, link: server.Link) -> dict[str, Site]:
    """Stock and this site, each on loopback and through its own slow link, for the stack's life."""
    sites = {}
    for name, directory in (("stock", STOCK), ("project", DIST)):
        url, sent = stack.enter_context(server.counting_server(directory))
        link_url, link_sent = stack.enter_context(server.counting_server(directory, link=link))
        sites[name] = Site(url, sent, link_url, link_sent)
    return sites


def run_measures(pw, sites: dict[str, Site], results: Results, runs: int, out: Path) -> None:
    """Interleaved measure by measure, so both configurations see the same machine conditions;
    the results are written after every run, so an interrupted benchmark still reports what it has."""
    for run in range(runs):
        for measure in MEASURES:
            for name, measured in results.sites().items():
                measure(pw, sites[name], measured, results.quick)
                print(f"[bench] run {run + 1}: {measure.__name__} {name} done", flush=True)
        results.runs = run + 1
        out.write_text(results.to_json())
        print(f"[bench] run {run + 1}/{runs} done", flush=True)


def main() -> int:
    args = arguments()
    link = server.Link(mbit_per_s=args.mbit, latency_ms=args.latency_ms)
    with server.exclusive_site():
        build_s = {"project": build_project(), "stock": build_stock()}
        size = {"project": site_size(DIST), "stock": site_size(STOCK)}
        results = Results(quick=args.quick, link=link, machine=machine(), build_s=build_s, size=size)
        with contextlib.ExitStack() as stack:
            pw = stack.enter_context(sync_playwright())
            run_measures(pw, serve_both(stack, link), results, args.runs, args.out)
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
