"""What every engine's page offers the notebook actions (notebook.py), whatever drives it:
goto(url), evaluate(js, arg), wait_for_function(js, arg=, timeout= in ms),
set_viewport_size({"width", "height"}) (the page's own size, CSS pixels) and `context.watch`
(browser.Watch). Firefox (firefox.py) and WebKit (webkit.py) subclass EnginePage; Chromium's
Playwright Page offers the same by itself. engines.py picks one; this module imports none of them.
"""

from __future__ import annotations

import re
import shutil
import time
from types import SimpleNamespace

from tests.harness import LiteError
from tests.harness.browser import Watch

# Waits on a condition in the page: call the predicate every 100 ms until it is truthy or time is up.
POLL_JS = """async ({src, arg, timeout}) => {
  const predicate = (0, eval)(`(${src})`);
  const end = Date.now() + timeout;
  for (;;) {
    if (await predicate(arg)) return true;
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}"""


# How the engines word a call whose document went away as the page navigated.
NAVIGATED = re.compile(r"context was destroyed|navigat|unload|document.*(gone|detached)", re.IGNORECASE)


class EngineTimeout(LiteError):
    """A wait_for_function whose condition did not hold in time (Playwright's TimeoutError elsewhere)."""


class EnginePage:
    """What the harness needs from a page; an engine implements call(src, arg), goto(url) and
    set_viewport_size(size)."""

    engine = "?"

    def __init__(self, watch: Watch):
        self.context = SimpleNamespace(watch=watch)

    def call(self, src: str, arg):
        raise NotImplementedError

    def evaluate(self, js: str, arg=None):
        return self.call(js, arg)

    def wait_for_function(self, js: str, arg=None, timeout: float = 30000) -> None:
        """As Playwright's: a page that navigates while it waits (the site's one reload on a
        first visit, extension/src/isolation.ts) is waited on again in its new document."""
        end = time.monotonic() + timeout / 1000
        while True:
            left = max(0.0, end - time.monotonic()) * 1000
            try:
                if self.call(POLL_JS, {"src": js, "arg": arg, "timeout": left}):
                    return
            except LiteError as error:
                if not NAVIGATED.search(str(error)):
                    raise
            if time.monotonic() >= end:
                raise EngineTimeout(
                    f"{self.engine}: condition not met within {timeout / 1000:.0f} s: {js[:200]}"
                )


def require(command: str, package: str) -> str:
    """The absolute path of a command, or an error naming the Debian package that provides it."""
    path = shutil.which(command)
    if not path:
        raise LiteError(
            f"`{command}` is not installed: run `apt-get install -y {package}` (`make test` does it)."
        )
    return path
