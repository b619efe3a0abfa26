"""Build the offline site into dist/ from a clean state, then check it.

    python scripts/build_site.py

1. vendor the verified Pyodide runtime (scripts/vendor_pyodide.py; downloads are cached);
2. `jupyter lite build` from scratch (an incremental build can silently drop pyodideUrl);
3. join the notebooks' multi-line strings in the site's copy (see join_notebook_lines);
4. check the output: jupyter-lite.json points at the local Pyodide, every file of the pruned
   lock is served with the hash the lock gives, PyPI fallback is off, the notebooks hold no
   lists of lines, no sourcemaps, and nothing but the site is in dist/.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
LOCAL_PYODIDE = "./static/pyodide/pyodide.mjs"
# Names that would mean the build leaked repository or machine files into the site.
NOT_SITE_ANYWHERE = {".venv", ".git", "__pycache__", ".ipynb_checkpoints", ".jupyterlite.doit.db",
                     ".pytest_cache"}
NOT_SITE_TOP = {"tests", "scripts", "downloads", "vendor", "requirements.txt", "README.md"}


class SiteError(Exception):
    pass


def join_notebook_lines(files: Path) -> int:
    """Store every multi-line string of the site's notebooks as one string; return how many
    notebooks changed.

    nbformat allows a multi-line string to be a list of lines (the files in content/ are written
    that way, which keeps their diffs readable). JupyterLite 0.8.6 hands such a list to the front
    end as it is, and JupyterLab then shows every line after the first with a leading comma (a
    list joined by String()); a save keeps the damage (jupyterlite issue 1105). nbformat's reader
    joins the lines; writing with split_lines=False keeps them joined. Same notebook, same meaning.
    """
    import nbformat

    changed = 0
    for path in sorted(files.rglob("*.ipynb")):
        joined = nbformat.writes(nbformat.read(path, as_version=4), split_lines=False) + "\n"
        if joined != path.read_text(encoding="utf-8"):
            path.write_text(joined, encoding="utf-8")
            changed += 1
    return changed


def split_lines_in(notebook: dict) -> list[str]:
    """Where a notebook stores a multi-line string as a list of lines (JupyterLite shows commas)."""
    found = []
    for number, cell in enumerate(notebook.get("cells", [])):
        places = [("source", cell.get("source"))]
        for out in cell.get("outputs", []):
            places.append(("stream text", out.get("text")))
            places += [(mime, data) for mime, data in out.get("data", {}).items()
                       if not mime.endswith("json")]
        found += [f"cell {number} {what}" for what, value in places if isinstance(value, list)]
    return found


def check_site(dist: Path) -> list[str]:
    """Return a list of problems with a built site (empty when it is sound)."""
    problems = []
    config_path = dist / "jupyter-lite.json"
    if not config_path.exists():
        return [f"{config_path} is missing: the build did not finish"]
    config = json.loads(config_path.read_text())["jupyter-config-data"]
    kernel = config.get("litePluginSettings", {}).get(KERNEL_PLUGIN, {})
    if kernel.get("pyodideUrl") != LOCAL_PYODIDE:
        problems.append(
            f"jupyter-lite.json pyodideUrl is {kernel.get('pyodideUrl')!r}, not {LOCAL_PYODIDE!r}: "
            "the kernel would load Pyodide from a CDN. Run a clean build (this script).")
    if kernel.get("disablePyPIFallback") is not True:
        problems.append("jupyter-lite.json does not set disablePyPIFallback: piplite would go to PyPI")

    pyodide = dist / "static" / "pyodide"
    lock_path = pyodide / "pyodide-lock.json"
    if not lock_path.exists():
        problems.append(f"{lock_path} is missing")
    else:
        for name, entry in json.loads(lock_path.read_text())["packages"].items():
            wheel = pyodide / entry["file_name"]
            if not wheel.exists():
                problems.append(f"{name}: {entry['file_name']} is in the lock but not in the site")
            elif hashlib.sha256(wheel.read_bytes()).hexdigest() != entry["sha256"]:
                problems.append(f"{name}: {entry['file_name']} does not match the lock's sha256")
        lock = json.loads(lock_path.read_text())["packages"]
        for name in kernel.get("loadPyodideOptions", {}).get("packages", []):
            if name not in lock:  # the kernel would stay "unknown" forever, silently
                problems.append(f"loadPyodideOptions.packages names {name!r}, which is not in the lock")
    for core in ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]:
        if not (pyodide / core).exists():
            problems.append(f"Pyodide core file {core} is missing from the site")

    for path in sorted((dist / "files").rglob("*.ipynb")):
        lists = split_lines_in(json.loads(path.read_text(encoding="utf-8")))
        if lists:
            problems.append(f"{path.relative_to(dist)} stores lists of lines ({lists[0]}, ...): "
                            "JupyterLite would show them with commas. Run a clean build (this script).")

    maps = sorted(str(p.relative_to(dist)) for p in dist.rglob("*.map"))
    if maps:
        problems.append(f"{len(maps)} sourcemaps in the site, e.g. {maps[0]}")
    leaked = sorted(str(p.relative_to(dist)) for p in dist.rglob("*") if p.name in NOT_SITE_ANYWHERE)
    leaked += sorted(p.name for p in dist.iterdir() if p.name in NOT_SITE_TOP)
    if leaked:
        problems.append(f"files that are not part of the site: {', '.join(leaked[:5])}")
    return problems


def build(dist: Path = DIST) -> None:
    started = time.monotonic()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor_pyodide.py")], check=True)
    for stale in (dist, ROOT / "build" / "lite-cache"):
        shutil.rmtree(stale, ignore_errors=True)
    (ROOT / ".jupyterlite.doit.db").unlink(missing_ok=True)
    print("[build] jupyter lite build ...", flush=True)
    jupyter = Path(sys.executable).with_name("jupyter")
    result = subprocess.run([str(jupyter), "lite", "build", "--output-dir", str(dist)],
                            cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SiteError(f"jupyter lite build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    joined = join_notebook_lines(dist / "files")
    print(f"[build] joined the multi-line strings of {joined} notebook(s) in the site", flush=True)
    problems = check_site(dist)
    if problems:
        raise SiteError("the built site is not sound:\n  - " + "\n  - ".join(problems))
    size = sum(p.stat().st_size for p in dist.rglob("*") if p.is_file())
    print(f"[build] site ready in {dist} ({size / 1e6:.1f} MB, {time.monotonic() - started:.1f} s)")


def main() -> int:
    try:
        build()
    except subprocess.CalledProcessError as e:
        print(f"[build] ERROR: {' '.join(map(str, e.cmd))} failed (exit {e.returncode})", file=sys.stderr)
        return 1
    except SiteError as e:
        print(f"[build] ERROR: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
