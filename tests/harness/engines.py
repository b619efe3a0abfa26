"""One small driver layer over the three browser engines, so a notebook run reads the same in each.

    chromium  Debian's chromium through Playwright (browser.py): its Page is used as it is
    firefox   Debian's firefox-esr over WebDriver BiDi, by npm's puppeteer-core (firefox.py)
    webkit    Debian's WebKitGTK MiniBrowser through WebKitWebDriver and Selenium (webkit.py)

A page of any engine offers what the notebook actions (notebook.py) use (base.py says what).
Firefox and WebKit send every request for a host other than 127.0.0.1 or localhost to a proxy
that forwards nothing and records it (server.offsite_trap).
"""

from __future__ import annotations

import contextlib
import re

from tests.harness import LiteError
from tests.harness.browser import Watch

ENGINES = ("chromium", "firefox", "webkit")

# Firefox's own service traffic (remote settings, updates): not the page's. It never leaves either:
# it reaches the recording proxy (server.offsite_trap), which refuses it.
FIREFOX_SERVICES = re.compile(r"^CONNECT [\w.-]+\.(?:mozilla\.(?:com|org|net)|firefox\.com):443 ")


def left_by_page(offsite: list[str]) -> list[str]:
    """The recorded requests for other hosts that the page made (Firefox's own services left out)."""
    return [r for r in offsite if not FIREFOX_SERVICES.match(r)]


@contextlib.contextmanager
def engine_page(engine: str, playwright=None, offsite: list | None = None, proxy_port: int = 0, **options):
    """One page of `engine`, fresh profile. Chromium needs `playwright`; Firefox and WebKit send
    requests leaving 127.0.0.1 to the proxy on `proxy_port`, whose record is `offsite`. `options`
    go to the engine's opener (WebKit: shared_memory)."""
    if engine == "chromium":
        from tests.harness.browser import browser

        with browser(playwright) as context:
            page = context.new_page()
            page.engine = "chromium"
            yield page
        return
    watch = Watch()
    watch.offsite = offsite if offsite is not None else []
    if engine == "firefox":
        from tests.harness.firefox import firefox_page as opener
    elif engine == "webkit":
        from tests.harness.webkit import webkit_page as opener
    else:
        raise LiteError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")
    with opener(watch, proxy_port, **options) as page:
        yield page
