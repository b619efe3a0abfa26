"""This site's steps inside `jupyter lite build`, as JupyterLite addons (entry points in
pyproject.toml, switched on in jupyter_lite_config.json):

* VendorAddon (pre_init): the verified Pyodide runtime into build/vendor/, which the kernel's own
  addons (PyodideAddon, PipliteAddon) then copy into the site;
* SiteAddon (post_build): the site's notebooks prepared, the interpreter gzipped; its checks
  (site.check_site) run at the end of every build and in `jupyter lite check`.

Each task names what it reads (file_dep) and writes (targets), so a second build with nothing
changed does none of this work again, and doit says so ("-- " before the task's name).
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import doit.tools
from jupyterlite_core.addons.base import BaseAddon
from jupyterlite_core.constants import JUPYTERLITE_JSON
from traitlets import Bool, Unicode

from sitetools import ROOT, precompress
from sitetools.bytecode import tutorial_imports
from sitetools.downloads import PINS, VendorError
from sitetools.site import check_site, checked_settings_digest, prepare_notebooks
from sitetools.vendor import vendor

# The kernel addon whose task writes pyodideUrl into the output's jupyter-lite.json: the
# checks read it, so they come after that task (its name is upstream's, in its pyodide.py).
PYODIDE_ADDON = "jupyterlite_pyodide_kernel.addons.pyodide:PyodideAddon"
PYODIDE_URL_TASK = f"patch:{JUPYTERLITE_JSON}"


def entry_point_name(value: str) -> str:
    """The name an addon is registered under (the manager prefixes its tasks with it)."""
    (name,) = [ep.name for ep in entry_points(group="jupyterlite.addon.v0") if ep.value == value]
    return name


class VendorAddon(BaseAddon):
    """A JupyterLite addon for vendoring the pinned, verified Pyodide runtime (sitetools/vendor.py)."""

    __all__ = ["pre_init"]
    enabled = Bool(False, help="vendor the pinned Pyodide runtime first").tag(config=True)
    downloads_dir = Unicode(
        "../build/downloads", help="where downloads are cached, relative to the lite dir"
    ).tag(config=True)
    vendor_dir = Unicode(
        "../build/vendor", help="where the verified runtime goes, relative to the lite dir"
    ).tag(config=True)

    def pre_init(self, manager):
        if not self.enabled:
            return
        out = self.path(self.vendor_dir)
        yield self.task(
            name="vendor",
            doc="download, verify and prune the Pyodide runtime",
            actions=[(self.vendor, [self.path(self.downloads_dir), out])],
            file_dep=[PINS, *sorted(Path(__file__).parent.glob("*.py"))],
            targets=[out / "pyodide" / "pyodide" / "provenance.json"],
            # The tutorials' imports decide which modules get bytecode: an edited notebook
            # vendors again only if it imports something new.
            uptodate=[doit.tools.config_changed({"imports": tutorial_imports(self.content_dir())})],
        )

    def path(self, setting: str) -> Path:
        return (self.manager.lite_dir / setting).resolve()

    def content_dir(self) -> Path:
        """The build's contents folder (the tutorials), as the build is configured."""
        contents = self.manager.contents or [ROOT / "content"]
        return Path(contents[0]).resolve()

    def vendor(self, downloads: Path, out: Path) -> bool:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            self.log.error(f"[vendor] cannot vendor into {out}: {e}")
            return False
        try:
            provenance = vendor(downloads, out, log=self.log)
        except VendorError as e:
            self.log.error(f"[vendor] {e}")
            return False
        self.log.info(f"[vendor] {len(provenance['packages'])} packages verified into {out}")
        return True


class SiteAddon(BaseAddon):
    """A JupyterLite addon for preparing the site's notebooks and interpreter, and checking
    the built site (sitetools/site.py)."""

    __all__ = ["post_build", "check"]
    enabled = Bool(False, help="prepare the notebooks and check the built site").tag(config=True)

    def post_build(self, manager):
        if not self.enabled:
            return
        yield from self.prepare_notebooks()
        yield from self.precompress()
        yield self.check_task(after=self.own_task_names())

    def check(self, manager):
        if self.enabled:
            yield self.check_task(after=[])

    def prepare_notebooks(self):
        for path in sorted((self.manager.output_dir / "files").rglob("*.ipynb")):
            yield self.task(
                name=f"prepare:{path.name}",
                doc="lines joined, the kernel's language_info, the content version (site.prepare_notebooks)",
                actions=[(self.prepare_one, [path])],
                file_dep=[path],
                uptodate=[lambda task, values, path=path: prepare_notebooks([path], dry_run=True) == 0],
            )

    def prepare_one(self, path: Path) -> None:
        if prepare_notebooks([path]):
            self.log.info(f"[site] prepared {path.name}")

    def precompress(self):
        pyodide = self.manager.output_dir / "static" / "pyodide"
        config = self.manager.output_dir / JUPYTERLITE_JSON
        names = precompress.gzipped(precompress.read_config(config))
        yield self.task(
            name="precompress",
            doc=f"gzipped copies of {', '.join(names)}",
            actions=[(self.write_gz, [pyodide, config])],
            file_dep=[pyodide / name for name in names],
            targets=[pyodide / f"{name}.gz" for name in names],
            uptodate=[doit.tools.config_changed({"gzipped": names})],
        )

    def write_gz(self, pyodide: Path, config: Path) -> None:
        saved = precompress.write_gz(pyodide, precompress.read_config(config))
        self.log.info(f"[site] gzipped copies: {saved / 1e6:.1f} MB less to fetch")

    def own_task_names(self) -> list[str]:
        prefix = f"{self.manager.task_prefix}post_build:{entry_point_name('sitetools.addons:SiteAddon')}"
        notebooks = (self.manager.output_dir / "files").rglob("*.ipynb")
        return [f"{prefix}:precompress", *(f"{prefix}:prepare:{p.name}" for p in sorted(notebooks))]

    def check_task(self, after: list[str]):
        out = self.manager.output_dir
        pyodide_url_task = (
            f"{self.manager.task_prefix}post_build:{entry_point_name(PYODIDE_ADDON)}:{PYODIDE_URL_TASK}"
        )
        return self.task(
            name="check-site",
            doc="refuse a site that is not sound: local Pyodide, every file as pinned, no leaks",
            actions=[(self.check_site, [out])],
            file_dep=self.checked_files(out),
            task_dep=[*after, pyodide_url_task] if after else [],
            # Other addons rewrite jupyter-lite.json in this phase too, in no fixed order: what
            # is compared is the part of it the checks read, as it was when they ran.
            uptodate=[
                doit.tools.config_changed({"checks": (Path(__file__).parent / "site.py").read_text()}),
                lambda task, values: values.get("settings") == checked_settings_digest(out),
            ],
        )

    def checked_files(self, out: Path) -> list[Path]:
        """What check_site reads, named the same in every build (the .gz files may not exist
        yet when this task is made: precompress writes them in the same phase)."""
        pyodide = out / "static" / "pyodide"
        config = precompress.read_config(out / JUPYTERLITE_JSON)
        gzipped = [pyodide / f"{name}.gz" for name in precompress.gzipped(config)]
        unpacked = [p for p in pyodide.glob("*") if p.suffix != ".gz"]
        found = [*unpacked, *out.rglob("*.ipynb"), *out.glob("extensions/*/*/package.json")]
        return sorted({*(p for p in found if p.is_file()), *gzipped})

    def check_site(self, out: Path) -> dict | bool:
        problems = check_site(out)
        for problem in problems:
            self.log.error(f"[site] {problem}")
        if problems:
            return False
        self.log.info("[site] the site is sound")
        return {"settings": checked_settings_digest(out)}
