"""Debian's WebKitGTK: its MiniBrowser in automation mode, driven by WebKitWebDriver (package
webkit2gtk-driver) on a virtual display, Xvfb (package xvfb), spoken to by Selenium's W3C remote client.

The driver is started here with its absolute path: Selenium never looks for (or downloads) one.
WebKit's console is not reported over W3C WebDriver (nor is a worker's console written out by
MiniBrowser in automation mode): a failure shows what the page itself records, such as the kernels'
boot steps (notebook.fail).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import select
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.webkitgtk.options import Options

from tests.harness import LiteError
from tests.harness.base import EnginePage, require
from tests.harness.browser import Watch

# Where Debian's libwebkit2gtk-4.1-0 puts it (`dpkg -L libwebkit2gtk-4.1-0 | grep MiniBrowser`).
MINIBROWSER = Path("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser")
START_TIMEOUT = 60.0
# For MiniBrowser's start on a bare Xvfb: no accessibility bridge (GTK otherwise looks for the
# AT-SPI bus over D-Bus, which is not there), no GPU compositing (software only under Xvfb).
# A session starts in about 1 s (10 s on a loaded machine); one that has not in this time never will.
SESSION_TIMEOUT = 30.0
QUIET_START = {"NO_AT_BRIDGE": "1", "WEBKIT_DISABLE_COMPOSITING_MODE": "1"}
# WebKitGTK 2.50 builds JavaScriptCore with SharedArrayBuffer off, even on a cross-origin isolated
# page; Safari turns it on there. JavaScriptCore's own option turns it on (measured: an isolated
# page then has `SharedArrayBuffer`), so the same engine can be tested as Safari runs it.
SAFARI_SHARED_MEMORY = {"JSC_useSharedArrayBuffer": "1"}
SCRIPT_TIMEOUT = 900.0  # no single command of the harness takes this long (waits are bounded in the page)

# Calls a function's source with its argument; answers {value} or {error}, awaiting a promise.
# The error's message and its stack: JavaScriptCore's stack does not repeat the message.
CALL_JS = """const [src, arg, done] = arguments;
Promise.resolve().then(() => {
  const value = (0, eval)(`(${src})`);
  return typeof value === 'function' ? value(arg) : value;
}).then(
  (value) => done({value: value ?? null}),
  (e) => done({error: [String(e), e?.stack].filter(Boolean).join('\\n')}));"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def virtual_display():
    """Xvfb on a display number it picks itself and reports once it accepts clients (-displayfd):
    no race with another run for the same number, as `xvfb-run -a` has. Yields ":N"."""
    xvfb = require("Xvfb", "xvfb")
    read, write = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(write)
    try:
        with os.fdopen(read) as reported:
            ready, _, _ = select.select([reported], [], [], START_TIMEOUT)
            number = reported.readline().strip() if ready else ""
        if not number.isdigit():
            raise LiteError(f"Xvfb reported no display within {START_TIMEOUT:.0f} s (exit {proc.poll()})")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def offsite_proxy(proxy_port: int) -> dict[str, str]:
    """The environment that sends every request for another host to the proxy on `proxy_port`
    (GLib's proxy resolver, libproxy, reads it in WebKit's network process).

    Not WebDriver's `proxy` capability: with a `noProxy` list (needed to keep 127.0.0.1 direct),
    WebKitGTK 2.50.6's MiniBrowser crashes in webkit_network_proxy_settings_new now and then
    (SIGSEGV; 16 of 98 starts here; 0 of 110 without a `noProxy` list, 50 of them by environment),
    and the session never starts."""
    trap = f"http://127.0.0.1:{proxy_port}"
    return {"http_proxy": trap, "https_proxy": trap, "no_proxy": "127.0.0.1,localhost"}


def without_proxies(env) -> dict[str, str]:
    """The environment without proxy settings of its own (HTTPS_PROXY, no_proxy, ...), which
    could send the page's requests past the trap."""
    return {k: v for k, v in env.items() if not k.lower().endswith("_proxy")}


# What says that WebKitGTK itself crashed (not the site): MiniBrowser's warning in its log, and the
# kernel's record of a segfault in JavaScriptCore (seen: "WebCore: Worker[...]: segfault ... in
# libjavascriptcoregtk-4.1.so", in 1 of about 40 WebKit tests of a CI run; the page then stopped
# answering, or answered "Could not parse script result").
CRASHED = re.compile(r"WebProcess CRASHED|segfault.*libjavascriptcoregtk", re.IGNORECASE)
LOGS: list[Path] = []  # every MiniBrowser's log of this run, in the order the sessions started
atexit.register(lambda: [log.unlink(missing_ok=True) for log in LOGS])


def kernel_log() -> list[str]:
    """The kernel's ring buffer where this user may read it (root, as in CI), else nothing."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run(["dmesg"], capture_output=True, text=True, timeout=10).stdout.splitlines()
    return []


def crash_mark() -> tuple[dict[Path, int], int]:
    """Where the logs are now: crashes_since(mark) reads what came after."""
    return {log: log.stat().st_size for log in LOGS if log.exists()}, len(kernel_log())


def crashes_since(mark: tuple[dict[Path, int], int]) -> list[str]:
    """The crash lines WebKitGTK's processes and the kernel logged since `mark`."""
    sizes, kernel_lines = mark
    found = []
    for log in LOGS:
        with contextlib.suppress(OSError), log.open("rb") as f:
            f.seek(sizes.get(log, 0))
            found += [line for line in f.read().decode(errors="replace").splitlines() if CRASHED.search(line)]
    return found + [line for line in kernel_log()[kernel_lines:] if CRASHED.search(line)]


@contextlib.contextmanager
def webkit_driver(display: str, proxy_port: int, shared_memory: bool = False):
    """WebKitWebDriver on `display`, in a process group of its own; yields its URL. Its output and
    MiniBrowser's go to a log of this run (LOGS), read for crashes."""
    driver = require("WebKitWebDriver", "webkit2gtk-driver")
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="minibrowser-", suffix=".log")[1])
    LOGS.append(log)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [driver, f"--port={port}", "--host=127.0.0.1"],
            env={
                **without_proxies(os.environ),
                **QUIET_START,
                **offsite_proxy(proxy_port),
                "DISPLAY": display,
                **(SAFARI_SHARED_MEMORY if shared_memory else {}),
            },
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def wait_until_up(url: str, proc: subprocess.Popen) -> None:
    """Poll the driver's /status until it answers (the condition), for at most START_TIMEOUT."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LiteError(f"WebKitWebDriver exited at start (code {proc.returncode})")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/status", timeout=2):
                return
        time.sleep(0.2)
    raise LiteError(f"WebKitWebDriver did not answer within {START_TIMEOUT:.0f} s")


def options() -> Options:
    if not MINIBROWSER.exists():
        raise LiteError(f"{MINIBROWSER} is missing: run `apt-get install -y webkit2gtk-driver`")
    o = Options()
    o.binary_location = str(MINIBROWSER)
    o.add_argument("--automation")
    return o


class WebKitPage(EnginePage):
    engine = "webkit"

    def __init__(self, driver, watch: Watch):
        super().__init__(watch)
        self.driver = driver
        self.version = f"WebKitGTK {driver.capabilities.get('browserVersion', '?')}"

    def call(self, src: str, arg):
        result = self.driver.execute_async_script(CALL_JS, src, arg)
        if "error" in result:
            raise LiteError(f"webkit: {result['error']}")
        return result["value"]

    def goto(self, url: str) -> None:
        self.driver.get(url)

    def set_viewport_size(self, size: dict) -> None:
        """WebDriver sizes the window, MiniBrowser's toolbar and frame included: size it, measure
        the page's own size, and size it again by the difference."""
        width, height = size["width"], size["height"]
        self.driver.set_window_size(width, height)
        inner = self.call("() => [window.innerWidth, window.innerHeight]", None)
        self.driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def start_session(url: str, o: Options):
    """A W3C session, or None if the driver did not answer within SESSION_TIMEOUT (MiniBrowser
    died at start: seen only with the `proxy` capability, see offsite_proxy)."""
    result = []
    thread = threading.Thread(target=lambda: result.append(webdriver.Remote(command_executor=url, options=o)))
    thread.daemon = True
    thread.start()
    thread.join(SESSION_TIMEOUT)
    return result[0] if result else None


@contextlib.contextmanager
def webkit_page(watch: Watch, proxy_port: int, shared_memory: bool = False):
    """A page of WebKitGTK's MiniBrowser (a fresh, ephemeral profile); yields a WebKitPage.
    `shared_memory`: SharedArrayBuffer on isolated pages, as Safari has it (SAFARI_SHARED_MEMORY)."""
    with virtual_display() as display, webkit_driver(display, proxy_port, shared_memory) as url:
        driver = start_session(url, options())
        if driver is None:
            raise LiteError(f"WebKitWebDriver started no MiniBrowser session within {SESSION_TIMEOUT:.0f} s")
        try:
            driver.set_script_timeout(SCRIPT_TIMEOUT)
            driver.set_window_size(1280, 900)
            yield WebKitPage(driver, watch)
        finally:
            driver.quit()
