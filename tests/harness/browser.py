"""Debian's headless Chromium through Playwright, with everything a test needs to judge a page."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from tests.harness import LiteError

# Names that stay on this machine: a request to any other host is a request leaving 127.0.0.1.
LOOPBACK = {"127.0.0.1", "localhost"}

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Any host but the loopback names is unresolvable: a request that tries to leave fails at
    # once (and Watch names it), while the HTTP cache keeps working (request routing would not).
    # localhost stays: notebook 4 fetches through it to show a real cross-origin refusal.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]


# How each engine's console words a request or connection that failed (the site shows some on
# purpose: a 404, a refused cross-origin fetch, a socket nothing answers): Chromium, then Firefox
# (the second: a connection still open when the next page loads).
FAILED_LOADS = (
    "Failed to load resource",
    "can’t establish a connection to the server at",
    "was interrupted while the page was loading",
    # Firefox, for a load that went through the site's service worker and failed (a 404)
    "A ServiceWorker intercepted the request and encountered an unexpected error",
)
# JupyterLab 4.6 in Firefox, when a notebook's tab closes (or its kernel restarts) while its
# cells are still being drawn: its windowed list inserts into a disposed layout. Upstream,
# harmless to the learner (nothing is lost); seen on the learner's path.
DISPOSED_WHILE_DRAWING = 'can\'t access property "insertWidget", this.layout is null'


# Firefox's console line when Restart terminates a kernel's worker that is running code (a
# `while True: pass`); Chromium logs nothing, an idle restart logs nothing in either. The learner
# sees no sign of it, and the restarted kernel is checked by the test that restarts.
TERMINATED_BUSY_WORKER = "Error: uncaught exception: undefined"


def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        raise LiteError(
            "Debian's chromium is not installed: run `apt-get install -y chromium` "
            "(`make test` does it). Never `playwright install`: it downloads a browser."
        )
    return path


@dataclass
class Watch:
    """Everything a page and its workers did that a test may need to judge or show.

    The kernel's worker logs through the page's console events, so `console` holds both.
    """

    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)

    def attach(self, context) -> None:
        context.on("request", self._request)
        context.on("page", self._page)
        for page in context.pages:
            self._page(page)

    def _page(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def _console(self, msg) -> None:
        self.log(msg.type, msg.text)

    def log(self, kind: str, text: str) -> None:
        """A console message of the page or its workers (every engine reports them here)."""
        self.console.append(f"[{kind}] {text}")
        # Not an error by itself: every load asks for /favicon.ico (404), and notebook 4 shows a
        # 404 on purpose. A vendored file that fails to load stops the kernel, which fails anyway.
        expected = (
            text == TERMINATED_BUSY_WORKER
            or DISPOSED_WHILE_DRAWING in text
            or any(failed in text for failed in FAILED_LOADS)
        )
        if kind == "error" and not expected:
            self.errors.append(f"console error: {text}")

    def _request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOOPBACK:
            self.offsite.append(request.url)

    def console_tail(self, n: int = 40) -> str:
        return "\n".join(self.console[-n:]) or "(the console is empty)"


@contextlib.contextmanager
def browser(playwright, profile: Path | None = None, **options):
    """Headless Debian Chromium with a persistent profile (a fresh one unless given).

    options go to Playwright's launch_persistent_context (e.g. service_workers="block").
    The context's `watch` records console, errors and requests leaving 127.0.0.1.
    """
    with contextlib.ExitStack() as stack:
        if profile is None:
            profile = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lite-profile-")))
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium_path(),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
            **options,
        )
        stack.callback(context.close)
        context.watch = Watch()
        context.watch.attach(context)
        yield context
