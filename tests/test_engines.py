"""The engine layer itself: what it says when a browser is missing, the sub-path server, the
check that nothing leaves 127.0.0.1 (it can fail), and the time limit per cell (it can fail too).
The parity run in each engine is test_parity.py."""

import shutil
import urllib.error
import urllib.request

import pytest

from tests.harness import LiteError, engines, outputs
from tests.harness import notebook as ui

PROBE = "http://offsite.example/probe"


@pytest.mark.parametrize(
    "engine_name, command, package",
    [
        ("firefox", "firefox-esr", "firefox-esr"),
        ("firefox", "node", "nodejs"),
        ("webkit", "WebKitWebDriver", "webkit2gtk-driver"),
        ("webkit", "Xvfb", "xvfb"),
    ],
)
def test_a_missing_browser_or_driver_names_its_debian_package(monkeypatch, engine_name, command, package):
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == command else real_which(name))
    with pytest.raises(LiteError, match=f"apt-get install -y {package}"):
        with engines.engine_page(engine_name, offsite=[], proxy_port=9):
            pass


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def test_the_subpath_server_serves_the_site_only_under_its_prefix(subpath_site):
    url, _ = subpath_site
    root = url.split("/some/path/")[0] + "/"
    assert status(f"{url}jupyter-lite.json") == 200
    assert status(f"{root}jupyter-lite.json") == 404
    assert status(f"{root}some/jupyter-lite.json") == 404


def test_a_request_leaving_127_0_0_1_is_caught(engine, engine_session, subpath_site):
    page, watch = engine_session, engine_session.context.watch
    page.goto(subpath_site[0] + "jupyter-lite.json")
    before = len(watch.offsite)
    answer = page.evaluate("(url) => fetch(url).then((r) => `answered ${r.status}`, (e) => String(e))", PROBE)
    assert not answer.startswith("answered 2"), f"{engine}: the probe reached a server: {answer}"
    page.wait_for_function("() => true")  # one more round trip: the request event has arrived
    caught = [r for r in watch.offsite[before:] if "offsite.example" in r]
    del watch.offsite[before:]  # made on purpose: not a failure of a later test
    assert caught, f"{engine}: a fetch of {PROBE} was not recorded as leaving 127.0.0.1"


# Runs for 4 s by the clock, then prints; the limit in the test below is 1 s.
SLOW_CELL = "import time\nstart = time.time()\nwhile time.time() - start < 4:\n    pass\nprint('done')"


def test_a_cell_past_the_time_limit_fails_by_its_number_and_the_kernel_goes_on(engine, engine_page, base_url):
    """Each engine reports a wait that ran out its own way (Playwright's TimeoutError, the
    harness's EngineTimeout): the test fails with the cell's number and the console, not a raw
    driver error; the cell itself finishes and the kernel runs the next one."""
    ui.new_notebook(engine_page, base_url)
    with pytest.raises(LiteError, match=r"cell \d+ did not finish within 1 s\. Worker and page console"):
        ui.run_code(engine_page, SLOW_CELL, timeout=1)
    ui.wait_idle(engine_page, what="the slow cell finishing")
    assert outputs.output_text(ui.cell_outputs(engine_page, -1)) == "done\n"
    assert outputs.output_text(ui.run_code(engine_page, "print(6 * 7)")) == "42\n"
    ui.close_everything(engine_page)
