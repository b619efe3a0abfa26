"""Build the offline site into dist/ from a clean state; the checks every build must pass.

    python -m sitetools.site        (what `make site` runs)

A clean `jupyter lite build`: an incremental build can silently drop pyodideUrl, and the kernel
would then go to a CDN. The build's own addons (addons.py) vendor the verified runtime first,
and prepare the notebooks and run check_site() last, so a bare `jupyter lite build` does the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from sitetools import BUILD, DIST, ROOT, precompress
from sitetools.downloads import load_pins

KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
# Upstream's plugins that the site's extension replaces: the kernel, its client (Interrupt) and
# the service-worker manager (the site's service worker, which makes pages isolated).
REPLACED_PLUGINS = [
    KERNEL_PLUGIN,
    "@jupyterlite/services-extension:kernel-client",
    "@jupyterlite/application-extension:service-worker-manager",
]
# Put at the site's root by the extension's own JupyterLite addon (extension/tour_kernel_extension).
SITE_SERVICE_WORKER = "tour-service-worker.js"
# The site's own kernel extension (extension/), which replaces upstream's kernel plugin.
SITE_KERNEL_PLUGIN = "@python-in-the-browser/tour-kernel:kernel"
SITE_KERNEL_EXTENSION = "extensions/@python-in-the-browser/tour-kernel"
UPSTREAM_KERNEL_EXTENSION = "extensions/@jupyterlite/pyodide-kernel-extension"
# ipywidgets' front end (notebook 2's slider), from the jupyterlab_widgets wheel.
WIDGETS_EXTENSION = "extensions/@jupyter-widgets/jupyterlab-manager"
LOCAL_PYODIDE = "./static/pyodide/pyodide.mjs"
CORE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]
# Names that would mean the build leaked repository or machine files into the site.
NOT_SITE_ANYWHERE = {
    ".venv",
    ".git",
    "__pycache__",
    ".ipynb_checkpoints",
    ".jupyterlite.doit.db",
    ".pytest_cache",
}
NOT_SITE_TOP = {"tests", "sitetools", "downloads", "vendor", "requirements.txt", "README.md"}


class SiteError(Exception):
    pass


def build(dist: Path = DIST) -> None:
    """A clean `jupyter lite build` into dist; SiteError says what failed."""
    started = time.monotonic()
    for stale in (dist, BUILD / "lite-cache"):
        shutil.rmtree(stale, ignore_errors=True)
    (ROOT / ".jupyterlite.doit.db").unlink(missing_ok=True)
    print("[build] jupyter lite build ...", flush=True)
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [str(jupyter), "lite", "build", "--output-dir", str(dist)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0 or not (dist / "jupyter-lite.json").exists():
        raise SiteError(f"`jupyter lite build` failed:\n{failure_lines(result.stdout + result.stderr)}")
    size = sum(p.stat().st_size for p in dist.rglob("*") if p.is_file())
    took = time.monotonic() - started
    print(f"[build] site ready in {dist} ({size / 1e6:.1f} MB, {took:.1f} s)")


def failure_lines(output: str) -> str:
    """What the build said about its failure: this project's messages if any, else the tail."""
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(("[vendor] ERROR", "[site] PROBLEM"))]
    if not starts:
        return output[-3000:]
    ours = []
    for line in lines[starts[0] :]:
        if line.startswith(("TaskFailed", "Python Task failed")):
            break
        ours.append(line)
    return "\n".join(ours)


# What the Pyodide kernel 0.8.6 reports as language_info (kernelInfoRequest in its worker; the
# version is its own hard-coded "3.8"). JupyterLab writes it into a notebook's metadata once the
# kernel starts; a notebook that stores anything else is marked "unsaved" the moment it opens.
KERNEL_LANGUAGE_INFO = {
    "codemirror_mode": {"name": "python", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.8",
}


def prepare_notebooks(paths: list[Path], dry_run: bool = False) -> int:
    """Make the site's copies of the notebooks open as they are meant; return how many change.

    * Every multi-line string becomes one string. nbformat allows a list of lines (the files in
      content/ are written that way, which keeps their diffs readable); JupyterLite 0.8.6 hands
      such a list to the front end as it is, and JupyterLab then shows every line after the
      first with a leading comma, which a save keeps (jupyterlite issue 1105).
    * language_info is the kernel's own, so opening a notebook does not mark it unsaved.
    * lesson_version: the content version of the notebook (stamp_version), which a learner's
      saved copy keeps in its metadata, so the site can tell that a newer lesson is out.
    Same notebook, same meaning: nbformat's reader joins the lines, split_lines=False keeps them.
    With dry_run, only count.
    """
    changed = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        nb.metadata["language_info"] = KERNEL_LANGUAGE_INFO
        stamp_version(nb)
        prepared = nbformat.writes(nb, split_lines=False) + "\n"
        if prepared != path.read_text(encoding="utf-8"):
            changed += 1
            if not dry_run:
                path.write_text(prepared, encoding="utf-8")
    return changed


# Where a shipped notebook's content version lives in its metadata (the site's extension reads
# it: extension/src/lesson-versions.ts). JupyterLab saves a notebook's metadata with the learner's
# copy, so the copy remembers the version it started from.
LESSON_VERSION = "lesson_version"


def cells_sha256(cells: list) -> str:
    """The content version of a notebook: the sha256 of its cells as built (keys sorted)."""
    text = json.dumps(cells, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_date() -> str:
    """Today (UTC), or the day SOURCE_DATE_EPOCH names, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return when.date().isoformat()


def stamp_version(nb) -> None:
    """Write the notebook's content version and the day it was built; a notebook whose cells did
    not change keeps its stamp (and its date)."""
    version = cells_sha256(nb.cells)
    if nb.metadata.get(LESSON_VERSION, {}).get("sha256") != version:
        nb.metadata[LESSON_VERSION] = {"sha256": version, "date": build_date()}


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def split_lines_in(notebook: dict) -> list[str]:
    """Where a notebook stores a multi-line string as a list of lines (JupyterLite shows commas)."""
    found = []
    for number, cell in enumerate(notebook.get("cells", [])):
        places = [("source", cell.get("source"))]
        for out in cell.get("outputs", []):
            places.append(("stream text", out.get("text")))
            data = out.get("data", {}).items()
            places += [(mime, value) for mime, value in data if not mime.endswith("json")]
        found += [f"cell {number} {what}" for what, value in places if isinstance(value, list)]
    return found


def check_site(dist: Path) -> list[str]:
    """Return a list of problems with a built site (empty when it is sound)."""
    config_path = dist / "jupyter-lite.json"
    if not config_path.exists():
        return [f"{config_path} is missing: the build did not finish"]
    config = json.loads(config_path.read_text())["jupyter-config-data"]
    kernel = config.get("litePluginSettings", {}).get(KERNEL_PLUGIN, {})
    pyodide = dist / "static" / "pyodide"
    return [
        *check_kernel_settings(kernel),
        *check_pyodide(pyodide, kernel.get("loadPyodideOptions", {}).get("packages", [])),
        *check_kernel_extensions(dist, config),
        *check_pinned_extension(dist, WIDGETS_EXTENSION, "widgets_extension"),
        *precompress.check_gz(pyodide, config),
        *check_notebooks(dist / "files"),
        *check_nothing_else(dist),
    ]


def checked_settings_digest(dist: Path) -> str:
    """A digest of the part of jupyter-lite.json that check_site reads."""
    config = precompress.read_config(dist / "jupyter-lite.json")
    kernel = config.get("litePluginSettings", {}).get(KERNEL_PLUGIN, {})
    checked = [
        kernel.get("pyodideUrl"),
        kernel.get("disablePyPIFallback"),
        kernel.get("loadPyodideOptions"),
        precompress.gzipped(config),
        config.get("disabledExtensions"),
    ]
    return hashlib.sha256(json.dumps(checked, sort_keys=True).encode()).hexdigest()


def check_kernel_settings(kernel: dict) -> list[str]:
    problems = []
    if kernel.get("pyodideUrl") != LOCAL_PYODIDE:
        problems.append(
            f"jupyter-lite.json pyodideUrl is {kernel.get('pyodideUrl')!r}, not {LOCAL_PYODIDE!r}: "
            "the kernel would load Pyodide from a CDN. Run a clean build (make site)."
        )
    if kernel.get("disablePyPIFallback") is not True:
        problems.append("jupyter-lite.json does not set disablePyPIFallback: piplite would go to PyPI")
    return problems


def check_pyodide(pyodide: Path, start_packages: list[str]) -> list[str]:
    """The core files are there; every file of the lock is served with the lock's hash."""
    problems = [
        f"Pyodide core file {core} is missing from the site"
        for core in CORE_FILES
        if not (pyodide / core).exists()
    ]
    lock_path = pyodide / "pyodide-lock.json"
    if not lock_path.exists():
        return problems + [f"{lock_path} is missing"]
    lock = json.loads(lock_path.read_text())["packages"]
    for name, entry in lock.items():
        wheel = pyodide / entry["file_name"]
        if not wheel.exists():
            problems.append(f"{name}: {entry['file_name']} is in the lock but not in the site")
        elif file_sha256(wheel) != entry["sha256"]:
            problems.append(f"{name}: {entry['file_name']} does not match the lock's sha256")
    for name in start_packages:
        if name not in lock:  # the kernel would stay "unknown" forever, silently
            problems.append(f"loadPyodideOptions.packages names {name!r}, which is not in the lock")
    return problems


def check_kernel_extensions(dist: Path, config: dict) -> list[str]:
    """The site's kernel extension is there and upstream's kernel plugin is off; upstream's
    extension is served exactly as it ships (every file pinned in vendor-pins.json)."""
    problems = []
    if not (dist / SITE_KERNEL_EXTENSION / "package.json").exists():
        problems.append(
            f"{SITE_KERNEL_EXTENSION} is missing: install the site's kernel extension "
            "(pip install -r requirements.txt builds it from extension/)"
        )
    for plugin in REPLACED_PLUGINS:
        if plugin not in config.get("disabledExtensions", []):
            problems.append(f"jupyter-lite.json does not disable {plugin}: the site's extension replaces it")
    if not (dist / SITE_SERVICE_WORKER).exists():
        problems.append(
            f"{SITE_SERVICE_WORKER} is missing from the site's root: reinstall the site's kernel "
            "extension (its JupyterLite addon puts it there), then rebuild"
        )
    return problems + check_pinned_extension(dist, UPSTREAM_KERNEL_EXTENSION, "kernel_extension")


def check_pinned_extension(dist: Path, folder: str, pins_key: str) -> list[str]:
    """A prebuilt extension is served exactly as it ships: every file as pinned, none missing."""
    pinned = load_pins()[pins_key]
    served = dist / folder
    if not served.is_dir():
        return [f"{folder} is missing: install requirements.txt into the build's Python, then make site"]
    problems = []
    for path in sorted(p for p in served.rglob("*") if p.is_file()):
        name = str(path.relative_to(served))
        if pinned.get(name) != file_sha256(path):
            problems.append(
                f"{folder}/{name} is not upstream's file as pinned (sitetools/vendor-pins.json, "
                f"{pins_key}): reinstall requirements.txt; re-pin only a new version (CONTRIBUTING.md)"
            )
    missing = [n for n in pinned if not n.endswith(".map") and not (served / n).exists()]
    return problems + [f"{folder}/{name} is missing" for name in missing]


def check_notebooks(files: Path) -> list[str]:
    problems = []
    for path in sorted(files.rglob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        stamp = notebook.get("metadata", {}).get(LESSON_VERSION, {})
        if stamp.get("sha256") != cells_sha256(notebook.get("cells", [])):
            problems.append(
                f"files/{path.relative_to(files)} carries no content version of its cells "
                f"({LESSON_VERSION}): a learner's saved copy could hide it. Run a clean build (make site)."
            )
        lists = split_lines_in(notebook)
        if lists:
            problems.append(
                f"files/{path.relative_to(files)} stores lists of lines ({lists[0]}, ...): "
                "JupyterLite would show them with commas. Run a clean build (make site)."
            )
    return problems


def check_nothing_else(dist: Path) -> list[str]:
    problems = []
    maps = sorted(str(p.relative_to(dist)) for p in dist.rglob("*.map"))
    if maps:
        problems.append(f"{len(maps)} sourcemaps in the site, e.g. {maps[0]}")
    leaked = sorted(str(p.relative_to(dist)) for p in dist.rglob("*") if p.name in NOT_SITE_ANYWHERE)
    leaked += sorted(p.name for p in dist.iterdir() if p.name in NOT_SITE_TOP)
    if leaked:
        problems.append(f"files that are not part of the site: {', '.join(leaked[:5])}")
    return problems


def main() -> int:
    try:
        build()
    except SiteError as e:
        print(f"[build] ERROR: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
