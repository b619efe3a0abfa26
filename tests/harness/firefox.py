"""Debian's firefox-esr, headless, over WebDriver BiDi: npm's puppeteer-core (pinned in firefox/,
installed by `npm ci`, never downloading a browser) in a Node process that speaks JSON lines.

Headless Firefox gives the page no focus, so JupyterLab's shell.currentWidget stays null there: the
notebook actions find a notebook by its path (notebook.PANEL_JS) and activate it before running.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import tempfile
import threading
from pathlib import Path

from tests.harness import LiteError
from tests.harness.base import EnginePage, require
from tests.harness.browser import Watch

BRIDGE = Path(__file__).parent / "firefox" / "bridge.mjs"
START_TIMEOUT = 120.0  # seconds until Firefox is up
REPLY_TIMEOUT = 900.0  # no single command of the harness takes this long (waits are bounded in the page)


def prefs(proxy_port: int) -> dict:
    """Offline: every host but 127.0.0.1 and localhost goes to the recording proxy on proxy_port."""
    return {
        "network.proxy.type": 1,
        "network.proxy.http": "127.0.0.1",
        "network.proxy.http_port": proxy_port,
        "network.proxy.ssl": "127.0.0.1",
        "network.proxy.ssl_port": proxy_port,
        "network.proxy.share_proxy_settings": True,
        "network.proxy.no_proxies_on": "127.0.0.1,localhost",
        "network.proxy.allow_hijacking_localhost": False,
        # Firefox's own background traffic (not the page's): off, so the proxy sees only the page.
        "network.captive-portal-service.enabled": False,
        "network.connectivity-service.enabled": False,
        "app.update.enabled": False,
        "browser.safebrowsing.update.enabled": False,
        "browser.region.network.url": "",
        "extensions.getAddons.cache.enabled": False,
        "services.settings.server": "data:,#remote-settings-dummy/v1",  # as Firefox's own test runs
    }


def bridge_command() -> list[str]:
    node = require("node", "nodejs")
    if not (BRIDGE.parent / "node_modules" / "puppeteer-core").is_dir():
        raise LiteError(
            f"puppeteer-core is not installed: run `npm ci` in {BRIDGE.parent} (`make test` does it)"
        )
    return [node, str(BRIDGE)]


class FirefoxPage(EnginePage):
    engine = "firefox"

    def __init__(self, proc: subprocess.Popen, watch: Watch):
        super().__init__(watch)
        self.proc, self.replies, self.next_id = proc, queue.Queue(), 0
        self.version = ""
        threading.Thread(target=self._read, daemon=True).start()
        ready = self._reply(None, START_TIMEOUT)
        self.version = ready.get("version", "")

    def _read(self) -> None:
        for line in self.proc.stdout:
            message = json.loads(line)
            if message.get("event") in ("console", "pageerror"):
                self.context.watch.log(message["type"], message["text"])
            else:
                self.replies.put(message)
        self.replies.put({"id": None, "error": "the Firefox bridge stopped"})

    def _reply(self, wanted, timeout: float) -> dict:
        try:
            message = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise LiteError(f"firefox: no answer within {timeout:.0f} s") from None
        if "error" in message:
            raise LiteError(f"firefox: {message['error']}\n{self.context.watch.console_tail()}")
        if message.get("id") != wanted:
            raise LiteError(f"firefox bridge: expected reply {wanted}, got {message}")
        return message

    def send(self, op: str, **args):
        self.next_id += 1
        self.proc.stdin.write(json.dumps({"id": self.next_id, "op": op, **args}) + "\n")
        self.proc.stdin.flush()
        return self._reply(self.next_id, REPLY_TIMEOUT)["value"]

    def call(self, src: str, arg):
        return self.send("evaluate", src=src, arg=arg)

    def goto(self, url: str) -> None:
        self.send("goto", url=url)

    def set_viewport_size(self, size: dict) -> None:
        self.send("viewport", width=size["width"], height=size["height"])


@contextlib.contextmanager
def firefox_page(watch: Watch, proxy_port: int):
    """A page of a headless firefox-esr with a fresh profile; yields a FirefoxPage."""
    executable = require("firefox-esr", "firefox-esr")
    command = bridge_command()
    with tempfile.TemporaryDirectory(prefix="lite-firefox-") as profile:
        config = {"executablePath": executable, "userDataDir": profile, "prefs": prefs(proxy_port)}
        proc = subprocess.Popen(
            [*command, json.dumps(config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            yield FirefoxPage(proc, watch)
        finally:
            with contextlib.suppress(OSError, LiteError):
                proc.stdin.write(json.dumps({"id": -1, "op": "close"}) + "\n")
                proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
