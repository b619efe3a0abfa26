"""A JupyterLite addon of this package: the site's service worker at the root of the site.

A service worker controls only the pages under its own folder, so tour-service-worker.js (built
from src/service-worker/ by `npm run build`) cannot stay in the extension's folder. It sits
beside upstream's service-worker.js, which it imports; the extension registers it in place of
upstream's (src/isolation.ts).
"""

from __future__ import annotations

from pathlib import Path

from jupyterlite_core.addons.base import BaseAddon

SERVICE_WORKER = Path(__file__).with_name("tour-service-worker.js")


class ServiceWorkerAddon(BaseAddon):
    """Copy the site's service worker to the root of the built site."""

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

    def check(self, manager):
        target = manager.output_dir / SERVICE_WORKER.name
        yield self.task(name="check", actions=[(self.is_current, [target])], file_dep=[SERVICE_WORKER])

    def is_current(self, target: Path) -> bool:
        if target.exists() and target.read_bytes() == SERVICE_WORKER.read_bytes():
            return True
        self.log.error(f"[tour-service-worker] {target} is missing or stale: run `jupyter lite build`")
        return False
