"""Files the kernel's worker fetches gzipped and unpacks itself, so fewer bytes cross the wire on
any static host, `python -m http.server` included (it sends files as they are, uncompressed).

The build writes NAME.gz beside each file named in the site's settings (overrides/jupyter-lite.json,
the kernel plugin's "gzipped"; the original stays, for hosts and browsers that cannot do this);
the site's kernel worker (extension/src/worker/gzip-fetch.ts) asks for NAME.gz and pipes it
through the browser's DecompressionStream, falling back to NAME if the .gz is not there. Only
files fetched without an integrity check belong there: Pyodide checks each wheel against the
lock's sha256 itself, and wheels are zip files, already compressed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

SITE_KERNEL_PLUGIN = "@python-in-the-browser/tour-kernel:kernel"


def read_config(jupyterlite_json: Path) -> dict:
    """The jupyter-config-data of a jupyter-lite.json ({} if the file is not there yet)."""
    if not jupyterlite_json.exists():
        return {}
    return json.loads(jupyterlite_json.read_text())["jupyter-config-data"]


def gzipped(config: dict) -> list[str]:
    """The files under static/pyodide/ the kernel fetches gzipped (from jupyter-config-data)."""
    return config.get("litePluginSettings", {}).get(SITE_KERNEL_PLUGIN, {}).get("gzipped", [])


def write_gz(pyodide: Path, config: dict) -> int:
    """Write NAME.gz for every file the settings name; return the bytes saved on the wire."""
    saved = 0
    for name in gzipped(config):
        data = (pyodide / name).read_bytes()
        # mtime=0: the same input gives the same .gz, build after build.
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        (pyodide / f"{name}.gz").write_bytes(packed)
        saved += len(data) - len(packed)
    return saved


def check_gz(pyodide: Path, config: dict) -> list[str]:
    """Each NAME.gz unpacks to exactly NAME (a stale or tampered .gz would run other code)."""
    problems = []
    for name in gzipped(config):
        packed = pyodide / f"{name}.gz"
        if not packed.exists():
            problems.append(f"static/pyodide/{name}.gz is missing: the kernel would fetch {name} whole")
            continue
        unpacked = hashlib.sha256(gzip.decompress(packed.read_bytes())).hexdigest()
        if unpacked != hashlib.sha256((pyodide / name).read_bytes()).hexdigest():
            problems.append(f"static/pyodide/{name}.gz does not unpack to {name}: run a clean build")
    return problems
