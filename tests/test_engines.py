"""The engine layer itself: what it says when a browser is missing, the sub-path server, and the
check that nothing leaves 127.0.0.1 (it can fail). The parity run in each engine is test_parity.py."""

import shutil
import urllib.error
import urllib.request

import pytest

from tests.harness import LiteError, engines

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
