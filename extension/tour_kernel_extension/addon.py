"""A JupyterLite addon of this package: the site's service worker at the root of the site, and
the script that registers it first thing on each app page.

A service worker controls only the pages under its own folder, so tour-service-worker.js (built
from src/service-worker/ by `npm run build`) cannot stay in the extension's folder. It sits
beside upstream's service-worker.js, which it imports; the extension registers it in place of
upstream's (src/isolation.ts).

tour-first-visit.js (src/service-worker/first-visit.ts) goes inline at the top of each app
page's <head>: on a first visit it registers the worker and reloads the page as soon as the
worker controls it, before JupyterLab's code loads, so that reload costs little.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from jupyterlite_core.addons.base import BaseAddon
from jupyterlite_core.constants import JUPYTER_CONFIG_DATA, JUPYTERLITE_JSON

SERVICE_WORKER = Path(__file__).with_name("tour-service-worker.js")
FIRST_VISIT = Path(__file__).with_name("tour-first-visit.js")
FIRST_VISIT_ID = "tour-first-visit"
# A page that starts JupyterLab: it preloads JupyterLab's main bundle.
APP_PAGE_MARK = 'id="jupyter-lite-main"'
HEAD = re.compile(r"<head>\n?")
INLINED = re.compile(rf'<script id="{FIRST_VISIT_ID}"[^>]*>.*?</script>\n', re.S)


class ServiceWorkerAddon(BaseAddon):
    """Copy the site's service worker to the root of the built site; have each app page register
    it before anything else."""

    __all__ = ["post_build", "check"]

    def post_build(self, manager):
        target = manager.output_dir / SERVICE_WORKER.name
        yield self.task(
            name="copy",
            doc=f"the site's service worker at the root: {SERVICE_WORKER.name}",
            actions=[(self.copy_one, [SERVICE_WORKER, target])],
            file_dep=[SERVICE_WORKER],
            targets=[target],
        )
        # The pages are upstream's targets: this task names none, and is up to date when every
        # page holds the current script.
        yield self.task(
            name="first-visit",
            doc=f"{FIRST_VISIT.name} at the top of each app page",
            actions=[(self.inline_first_visit, [manager.output_dir])],
            file_dep=[FIRST_VISIT],
            uptodate=[lambda: not self.stale_pages(manager.output_dir)],
        )

    def check(self, manager):
        target = manager.output_dir / SERVICE_WORKER.name
        yield self.task(name="check", actions=[(self.is_current, [target])], file_dep=[SERVICE_WORKER])
        yield self.task(
            name="check:first-visit",
            actions=[(self.pages_are_current, [manager.output_dir])],
            file_dep=[FIRST_VISIT],
        )

    def app_pages(self, output_dir: Path) -> list[Path]:
        pages = sorted(output_dir.glob("*/index.html"))
        return [page for page in pages if APP_PAGE_MARK in page.read_text(encoding="utf-8")]

    def first_visit_script(self, output_dir: Path, page: Path) -> str:
        """The script element for an app page (`<app>/index.html`), with the worker's URL as
        upstream's manager registers it, relative to the page: the site works from any sub-path."""
        worker = f"../{SERVICE_WORKER.name}?enableCache={self.enable_cache(output_dir, page)}"
        code = FIRST_VISIT.read_text(encoding="utf-8").strip()
        return f'<script id="{FIRST_VISIT_ID}" data-service-worker="{html.escape(worker)}">{code}</script>\n'

    def enable_cache(self, output_dir: Path, page: Path) -> str:
        """`enableServiceWorkerCache` as the page will read it (the app's config over the site's)."""
        value = False
        for config in (output_dir / JUPYTERLITE_JSON, page.parent / JUPYTERLITE_JSON):
            if config.exists():
                data = json.loads(config.read_text(encoding="utf-8")).get(JUPYTER_CONFIG_DATA, {})
                value = data.get("enableServiceWorkerCache", value)
        return str(value).lower() if isinstance(value, bool) else str(value or "false")

    def stale_pages(self, output_dir: Path) -> list[Path]:
        return [
            page
            for page in self.app_pages(output_dir)
            if self.first_visit_script(output_dir, page) not in page.read_text(encoding="utf-8")
        ]

    def inline_first_visit(self, output_dir: Path) -> None:
        for page in self.app_pages(output_dir):
            text = INLINED.sub("", page.read_text(encoding="utf-8"))
            script = self.first_visit_script(output_dir, page)
            head = HEAD.search(text)
            if not head:
                raise ValueError(f"{page} has no <head> to put {FIRST_VISIT.name} in")
            text = text[: head.end()] + script + text[head.end() :]
            page.write_text(text, encoding="utf-8")
            self.log.debug(f"[tour-first-visit] {page.relative_to(output_dir)}")

    def pages_are_current(self, output_dir: Path) -> bool:
        stale = self.stale_pages(output_dir)
        for page in stale:
            self.log.error(
                f"[tour-first-visit] {page} lacks the current {FIRST_VISIT.name}: run `jupyter lite build`"
            )
        return not stale

    def is_current(self, target: Path) -> bool:
        if target.exists() and target.read_bytes() == SERVICE_WORKER.read_bytes():
            return True
        self.log.error(f"[tour-service-worker] {target} is missing or stale: run `jupyter lite build`")
        return False
