"""This site's steps inside `jupyter lite build`, as JupyterLite addons (entry point
`jupyterlite.addon.v0`, registered in pyproject.toml), so the one command people type does them.

Both are off unless jupyter_lite_config.json turns them on, so any other JupyterLite build in
the same environment (bench/'s stock build) is left alone.
"""

from __future__ import annotations

import sys

from jupyterlite_core.addons.base import BaseAddon
from jupyterlite_core.constants import JUPYTERLITE_JSON
from traitlets import Bool

from sitetools import BUILD, kernel_start, precompress
from sitetools.downloads import VendorError
from sitetools.site import SiteError, check_site, place_kernel_workers, prepare_notebooks
from sitetools.vendor import vendor

# The kernel addon's task that writes pyodideUrl into the output: the checks must come after it.
PYODIDE_URL_TASK = f"post_build:jupyterlite-pyodide-kernel-pyodide:patch:{JUPYTERLITE_JSON}"


class VendorAddon(BaseAddon):
    """Vendor the verified Pyodide runtime into build/vendor before the build reads it."""

    __all__ = ["pre_init"]
    enabled = Bool(False, help="vendor the pinned Pyodide runtime first").tag(config=True)

    def pre_init(self, manager):
        if self.enabled:
            yield self.task(
                name="vendor",
                doc="download, verify and prune the Pyodide runtime",
                actions=[self.vendor],
                uptodate=[False],
            )

    def vendor(self):
        try:
            vendor(BUILD / "downloads", BUILD / "vendor")
        except VendorError as e:
            print(f"[vendor] ERROR: {e}", file=sys.stderr)
            return False
        return True


class SiteChecksAddon(BaseAddon):
    """Prepare the site's notebooks, serve the patched kernel workers, add the kernel start-up
    script (kernel_start.py), then refuse a site that is not sound (site.py)."""

    __all__ = ["post_build"]
    enabled = Bool(False, help="prepare the notebooks and check the built site").tag(config=True)

    def post_build(self, manager):
        if not self.enabled:
            return
        prefix = f"{manager.task_prefix}post_build:{self.entry_point_name(manager)}"
        yield self.task(name="prepare-notebooks", actions=[self.prepare], uptodate=[False])
        yield self.task(name="place-kernel-workers", actions=[self.place_workers], uptodate=[False])
        pyodide_url_task = f"{manager.task_prefix}{PYODIDE_URL_TASK}"
        yield self.task(
            name="kernel-start-script",
            actions=[self.add_start_script],
            uptodate=[False],
            task_dep=[pyodide_url_task],  # the script carries the pyodideUrl that task writes
        )
        yield self.task(name="precompress", actions=[self.write_gz_copies], uptodate=[False])
        yield self.task(
            name="check-site",
            actions=[self.check],
            uptodate=[False],
            task_dep=[
                f"{prefix}:prepare-notebooks",
                f"{prefix}:place-kernel-workers",
                f"{prefix}:kernel-start-script",
                f"{prefix}:precompress",
                pyodide_url_task,
            ],
        )

    def entry_point_name(self, manager):
        return next(name for name, addon in manager._addons.items() if addon is self)

    def prepare(self):
        changed = prepare_notebooks(self.manager.output_dir / "files")
        print(f"[site] prepared {changed} notebook(s): lines joined, the kernel's language_info")

    def place_workers(self):
        try:
            placed = place_kernel_workers(self.manager.output_dir)
        except SiteError as e:
            print(f"[site] PROBLEM: {e}", file=sys.stderr)
            return False
        print(f"[site] {placed} patched kernel worker(s) in place")
        return True

    def add_start_script(self):
        try:
            pages = kernel_start.add_page_script(self.manager.output_dir)
        except (kernel_start.KernelStartError, KeyError, ValueError) as e:
            print(f"[site] PROBLEM: the kernel start-up script: {e!r}", file=sys.stderr)
            return False
        print(f"[site] kernel start-up script in {pages} app page(s)")
        return True

    def write_gz_copies(self):
        saved = precompress.write_gz(self.manager.output_dir / "static" / "pyodide")
        names = ", ".join(precompress.GZIPPED)
        print(f"[site] gzipped copies of {names}: {saved / 1e6:.1f} MB less to fetch")

    def check(self):
        problems = check_site(self.manager.output_dir)
        for problem in problems:
            print(f"[site] PROBLEM: {problem}", file=sys.stderr)
        return not problems
