"""Bytecode for the modules a learner's first steps import, made by the vendored Pyodide itself.

The official wheels and python_stdlib.zip hold .py files only, so every import in the browser
compiles source first, on every start. compile_pyc.mjs runs the vendored Pyodide in Node, imports
what a session imports first and writes .pyc files for exactly those modules (bench/RESULTS.md
gives what it gains and costs).
"""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from sitetools import CONTENT
from sitetools.downloads import VendorError

SCRIPT = Path(__file__).with_name("compile_pyc.mjs")
WHEEL_ZIP = Path(__file__).with_name("wheel_zip.py")
# The kernel itself, then the tutorials' big packages, then every module the tutorials import.
FIRST_IMPORTS = ["import pyodide_kernel", "import numpy, pandas, matplotlib.pyplot"]
ALLOW_AWAIT = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def cell_imports(source: str) -> set[str]:
    """The modules the import statements of one code cell name (IPython magics left out)."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = compile(code, "<cell>", "exec", flags=ALLOW_AWAIT)
    except SyntaxError:  # a cell that shows a syntax error on purpose
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def tutorial_imports(content: Path = CONTENT) -> list[str]:
    """`import X` for every module an import statement of content/*.ipynb names."""
    names = set()
    for notebook in sorted(content.glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] == "code":
                names |= cell_imports("".join(cell["source"]))
    return [f"import {name}" for name in sorted(names)]


def add_bytecode(downloads: Path, pyodide_dir: Path) -> dict[str, Path]:
    """{file name: rewritten file} with .pyc added for the modules the first imports load.

    Cached in downloads/ under a key of everything the output depends on, so a rebuild costs
    nothing; the cache is only ever written by this function, whole or not at all.
    """
    imports = FIRST_IMPORTS + tutorial_imports()
    inputs = [SCRIPT, WHEEL_ZIP, pyodide_dir / "pyodide-lock.json", pyodide_dir / "python_stdlib.zip"]
    key = hashlib.sha256(json.dumps(imports).encode())
    for path in inputs:
        key.update(path.read_bytes())
    cache = downloads / f"bytecode-{key.hexdigest()[:16]}"
    if not cache.exists():
        compile_into(cache, pyodide_dir, imports)
    return {p.name: p for p in sorted(cache.iterdir())}


def compile_into(cache: Path, pyodide_dir: Path, imports: list[str]) -> None:
    node = shutil.which("node")
    if node is None:
        raise VendorError(
            "node is not installed; it runs the vendored Pyodide to compile bytecode "
            "(Debian: apt-get install nodejs)"
        )
    partial = cache.with_name(cache.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    print("[vendor] compiling bytecode for the first imports (node, about 40 s) ...", flush=True)
    cmd = [node, str(SCRIPT), str(pyodide_dir), str(partial), *imports]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise VendorError(f"compile_pyc.mjs failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
    partial.rename(cache)
