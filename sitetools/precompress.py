"""Files the kernel's worker fetches gzipped and unpacks itself, so fewer bytes cross the wire on
any static host, `python -m http.server` included (it sends files as they are, uncompressed).

The build writes NAME.gz beside each file named here (the original stays, for hosts and browsers
that cannot do this); the patched worker (patch_worker.py, FETCH_JS) asks for NAME.gz and pipes it
through the browser's DecompressionStream, falling back to NAME if the .gz is not there. Only
files fetched without an integrity check are named: Pyodide checks each wheel against the lock's
sha256 itself, and wheels are zip files, already compressed.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

# Under static/pyodide/: the interpreter, 9.6 MB, 3.5 MB gzipped.
GZIPPED = ["pyodide.asm.wasm"]


def write_gz(pyodide: Path) -> int:
    """Write NAME.gz for every file of GZIPPED; return the bytes saved on the wire."""
    saved = 0
    for name in GZIPPED:
        data = (pyodide / name).read_bytes()
        # mtime=0: the same input gives the same .gz, build after build.
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        (pyodide / f"{name}.gz").write_bytes(packed)
        saved += len(data) - len(packed)
    return saved


def check_gz(pyodide: Path) -> list[str]:
    """Each NAME.gz unpacks to exactly NAME (a stale or tampered .gz would run other code)."""
    problems = []
    for name in GZIPPED:
        packed = pyodide / f"{name}.gz"
        if not packed.exists():
            problems.append(f"static/pyodide/{name}.gz is missing: the kernel would fetch {name} whole")
            continue
        unpacked = hashlib.sha256(gzip.decompress(packed.read_bytes())).hexdigest()
        if unpacked != hashlib.sha256((pyodide / name).read_bytes()).hexdigest():
            problems.append(f"static/pyodide/{name}.gz does not unpack to {name}: run a clean build")
    return problems
