"""Fixtures: the site built once per run, served on 127.0.0.1 (at its root, and under a sub-path),
headless Chromium, and a page of each engine (Chromium, Firefox, WebKit: --engine picks).

Also keeps the parity coverage: which code cells were compared in which kernel (the browser
tests record theirs; nbval's cells are seen through a hook), reported at the end of the run and
written to build/parity-coverage.md. A code cell compared in neither kernel fails the run.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from sitetools import CONTENT, DIST, ROOT
from sitetools import site as site_build
from tests.harness import browser, engines, server

# Without --engine: the parity run and the essentials in all three engines.
DEFAULT_ENGINES = ["chromium", "firefox", "webkit"]

COVERAGE_FILE = ROOT / "build" / "parity-coverage.md"
# Where the parity run serves the site, as GitHub Pages serves a project site at /REPO/.
SUBPATH = "/some/path/"


def pytest_addoption(parser):
    parser.addoption(
        "--engine",
        action="append",
        choices=engines.ENGINES,
        help="run the tests that take an engine in this one only (repeatable; default: see DEFAULT_ENGINES)",
    )


def pytest_generate_tests(metafunc):
    if "engine" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("engine") or DEFAULT_ENGINES
        metafunc.parametrize("engine", chosen, scope="session")


@pytest.fixture(scope="session")
def site():
    """The site in dist/, built from a clean state once per test run, held for the run."""
    with server.exclusive_site():
        try:
            site_build.build()
        except site_build.SiteError as e:
            pytest.fail(f"the site does not build: {e}", pytrace=False)
        yield DIST


@pytest.fixture(scope="session")
def base_url(site):
    with server.serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def context(playwright):
    """One browser with a fresh profile for the whole parity run (tests/test_parity.py)."""
    with browser.browser(playwright) as ctx:
        yield ctx


def checked_tab(ctx):
    """A tab; the test fails if anything leaves 127.0.0.1 or a page or worker error appears."""
    watch = ctx.watch
    offsite, errors = len(watch.offsite), len(watch.errors)
    tab = ctx.new_page()
    yield tab
    tab.close()
    left = watch.offsite[offsite:]
    assert not left, f"{len(left)} request(s) left 127.0.0.1, first: {left[0]}"
    new_errors = watch.errors[errors:]
    assert not new_errors, "errors in the page or the kernel's worker:\n" + "\n".join(new_errors)


@pytest.fixture
def parity_page(context, base_url):
    """A tab of the shared parity browser."""
    yield from checked_tab(context)


@pytest.fixture(scope="session")
def subpath_site(site):
    """The site served only under SUBPATH; yields (URL, [(path, bytes sent), ...])."""
    with server.serve_under(SUBPATH, site) as served:
        yield served


@pytest.fixture(scope="session")
def offsite_trap():
    """(port, [request lines]): the proxy that Firefox and WebKit send every other host to."""
    with server.offsite_trap() as trap:
        yield trap


@pytest.fixture(scope="session")
def engine_session(engine, playwright, offsite_trap):
    """One page of the engine (fresh profile) for every test of that engine."""
    port, seen = offsite_trap
    with engines.engine_page(engine, playwright, offsite=seen, proxy_port=port) as engine_page:
        yield engine_page


@pytest.fixture
def engine_page(engine_session):
    """The engine's page; the test fails if anything tried to leave 127.0.0.1 or an error appeared."""
    watch = engine_session.context.watch
    offsite, errors = len(watch.offsite), len(watch.errors)
    yield engine_session
    left = engines.left_by_page(watch.offsite[offsite:])
    assert not left, f"{len(left)} request(s) tried to leave 127.0.0.1, first: {left[0]}"
    new_errors = watch.errors[errors:]
    assert not new_errors, "errors in the page or the kernel's worker:\n" + "\n".join(new_errors)


@pytest.fixture
def page(playwright, base_url):
    """A tab in a browser of its own (fresh profile): what one test stores cannot leak into another."""
    with browser.browser(playwright) as ctx:
        yield from checked_tab(ctx)


@pytest.fixture
def context_pair(playwright, base_url):
    """Two tabs of one browser: the same site, the same browser storage."""
    with browser.browser(playwright) as ctx:
        tabs = checked_tab(ctx), checked_tab(ctx)
        yield tuple(next(t) for t in tabs)
        for t in tabs:
            next(t, None)


# --- parity coverage -------------------------------------------------------------------------

COMPARED = {"browser": defaultdict(set), "cpython": defaultdict(set)}


@pytest.fixture(scope="session")
def browser_compared():
    """Where the browser parity test records the cells it compared: {notebook: {cell id}}."""
    return COMPARED["browser"]


class NbvalCells:
    """Sees nbval's cells (in content/, outside this conftest's reach, hence a plugin)."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        cell = getattr(item, "cell", None)
        if cell is None or report.when != "call" or not hasattr(item, "options"):
            return
        compared = COMPARED["cpython"][Path(str(item.fspath)).name]  # the notebook ran, at least
        if item.options.get("check") and not item.options.get("skip") and not report.skipped:
            compared.add(cell.get("id"))


def pytest_configure(config):
    config.pluginmanager.register(NbvalCells(), "parity-nbval-cells")


def coverage_rows():
    import nbformat

    rows = []
    for path in sorted(CONTENT.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        counts = {"both": 0, "browser only": 0, "CPython only": 0, "neither": 0}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            in_browser = cell.get("id") in COMPARED["browser"][path.name]
            in_cpython = cell.get("id") in COMPARED["cpython"][path.name]
            key = {
                (True, True): "both",
                (True, False): "browser only",
                (False, True): "CPython only",
                (False, False): "neither",
            }[(in_browser, in_cpython)]
            counts[key] += 1
        rows.append((path.name, counts))
    return rows


def coverage_table(rows) -> str:
    lines = ["| notebook | both kernels | browser only | CPython only | neither |", "|---|---|---|---|---|"]
    for name, c in rows:
        lines.append(f"| {name} | {c['both']} | {c['browser only']} | {c['CPython only']} | {c['neither']} |")
    return "\n".join(lines)


def pytest_sessionfinish(session, exitstatus):
    """Write the coverage report; a run of every notebook with a cell compared in neither kernel fails."""
    notebooks = {p.name for p in CONTENT.glob("*.ipynb")}
    missing = {kernel: sorted(notebooks - set(COMPARED[kernel])) for kernel in COMPARED}
    if any(missing.values()):  # a partial run (-k, one file), or a notebook that failed to run
        session.config.stash[COVERAGE_KEY] = missing
        return
    rows = coverage_rows()
    COVERAGE_FILE.parent.mkdir(exist_ok=True)
    COVERAGE_FILE.write_text(
        "# Parity coverage: code cells compared in each kernel\n\n" + coverage_table(rows) + "\n"
    )
    session.config.stash[COVERAGE_KEY] = rows
    if any(c["neither"] for _, c in rows):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


COVERAGE_KEY = pytest.StashKey[object]()


# Seconds spent in each engine's tests (setup, call and teardown), for the run's summary.
ENGINE_IN_ID = re.compile(rf"\[({'|'.join(engines.ENGINES)})[\]-]")
engine_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    if found := ENGINE_IN_ID.search(report.nodeid):
        engine_seconds[found.group(1)] += report.duration


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if engine_seconds:
        terminalreporter.section("time per engine (tests that take an engine)")
        for engine, seconds in engine_seconds.items():
            terminalreporter.write_line(f"{engine}: {seconds / 60:.1f} min")
    result = config.stash.get(COVERAGE_KEY, None)
    if result is None:
        return
    terminalreporter.section("parity coverage (code cells compared)")
    if isinstance(result, dict):  # not every notebook ran in both kernels: say so, never silently
        for kernel, names in result.items():
            if names:
                terminalreporter.write_line(f"not checked: no {kernel} run compared {', '.join(names)}")
        return
    terminalreporter.write_line(coverage_table(result))
    terminalreporter.write_line(f"written to {COVERAGE_FILE.relative_to(ROOT)}")
    neither = sum(c["neither"] for _, c in result)
    if neither:
        terminalreporter.write_line(
            f"FAILED: {neither} code cell(s) compared in neither kernel: a cell tagged nbval-skip or "
            "nbval-ignore-output must be checked by the browser run",
            red=True,
        )
