"""Fixtures: the site built once per run, served on 127.0.0.1 (at its root, and under a sub-path),
headless Chromium, and a page of each engine (Chromium, Firefox, WebKit: --engine picks).

Every page a test gets fails the test if anything tried to leave 127.0.0.1 or an error appeared
in the page or the kernel's worker (checked). The parity coverage is a plugin of its own
(tests/parity_coverage.py), registered here.
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict

import pytest
from _pytest.runner import runtestprotocol
from playwright.sync_api import sync_playwright

from sitetools import DIST
from sitetools import site as site_build
from tests import parity_coverage
from tests.harness import browser, engines, server, webkit

# Without --engine: the parity run and the essentials in all three engines.
DEFAULT_ENGINES = ["chromium", "firefox", "webkit"]

# Where the parity run serves the site, as GitHub Pages serves a project site at /REPO/.
SUBPATH = "/some/path/"


def pytest_addoption(parser):
    parser.addoption(
        "--engine",
        action="append",
        choices=engines.ENGINES,
        help="run the tests that take an engine in this one only (repeatable; default: see DEFAULT_ENGINES)",
    )


def pytest_configure(config):
    config.pluginmanager.register(parity_coverage, "parity-coverage")


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


@contextlib.contextmanager
def checked(watch):
    """Fails if, meanwhile, a request tried to leave 127.0.0.1 (Firefox's own services aside) or
    a page or worker error appeared."""
    offsite, errors = len(watch.offsite), len(watch.errors)
    yield
    left = engines.left_by_page(watch.offsite[offsite:])
    assert not left, f"{len(left)} request(s) tried to leave 127.0.0.1, first: {left[0]}"
    new_errors = watch.errors[errors:]
    assert not new_errors, "errors in the page or the kernel's worker:\n" + "\n".join(new_errors)


def checked_tab(ctx):
    """A new tab of a Chromium context, checked while it is open, closed after."""
    with checked(ctx.watch):
        tab = ctx.new_page()
        yield tab
        tab.close()


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


class SharedPage:
    """The engine's page shared by its tests, opened again after the engine itself crashed."""

    def __init__(self, open_page):
        self.open_page, self.stack, self.page = open_page, contextlib.ExitStack(), None
        self.renew()

    def renew(self) -> None:
        with contextlib.suppress(Exception):  # the crashed engine may not answer its quit
            self.stack.close()
        self.stack = contextlib.ExitStack()
        self.page = self.stack.enter_context(self.open_page())


@pytest.fixture(scope="session")
def shared_page(engine, playwright, offsite_trap):
    port, seen = offsite_trap
    shared = SharedPage(lambda: engines.engine_page(engine, playwright, offsite=seen, proxy_port=port))
    yield shared
    shared.stack.close()


@pytest.fixture
def engine_session(engine, shared_page):
    """One page of the engine (fresh profile) for every test of that engine."""
    if engine in crashed_engines:
        crashed_engines.discard(engine)
        shared_page.renew()
    return shared_page.page


@pytest.fixture
def fresh_engine_page(engine, playwright, offsite_trap):
    """A page of the engine with a fresh profile of its own (a learner's first visit), checked."""
    port, seen = offsite_trap
    with engines.engine_page(engine, playwright, offsite=seen, proxy_port=port) as page:
        with checked(page.context.watch):
            yield page


@pytest.fixture
def engine_page(engine_session):
    """The engine's page, checked while the test runs."""
    with checked(engine_session.context.watch):
        yield engine_session


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


# WebKitGTK crashed under a test (its JavaScriptCore segfaulted, a bug of the engine, not the site):
# the test runs once more in a new session, and the run's summary says so with the crash's lines.
# A test that fails without such a crash, or fails again, fails.
crashed_engines: set[str] = set()
webkit_reruns: list[tuple[str, list[str]]] = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    if "[webkit" not in item.nodeid:
        return None
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    mark = webkit.crash_mark()
    reports = runtestprotocol(item, nextitem=nextitem, log=False)
    crash = webkit.crashes_since(mark)
    if crash and any(report.failed for report in reports):
        webkit_reruns.append((item.nodeid, crash))
        crashed_engines.add("webkit")
        reports = runtestprotocol(item, nextitem=nextitem, log=False)
    for report in reports:
        item.ihook.pytest_runtest_logreport(report=report)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


# Seconds spent in each engine's tests (setup, call and teardown), for the run's summary.
ENGINE_IN_ID = re.compile(rf"\[({'|'.join(engines.ENGINES)})[\]-]")
engine_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    if found := ENGINE_IN_ID.search(report.nodeid):
        engine_seconds[found.group(1)] += report.duration


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if webkit_reruns:
        terminalreporter.section("WebKitGTK crashed: these tests ran again in a new session")
        for nodeid, crash in webkit_reruns:
            terminalreporter.write_line(f"{nodeid}: {' | '.join(crash)[:300]}")
    if engine_seconds:
        terminalreporter.section("time per engine (tests that take an engine)")
        for engine, seconds in engine_seconds.items():
            terminalreporter.write_line(f"{engine}: {seconds / 60:.1f} min")
