"""Store in the notebooks of content/ the outputs the browser's Pyodide kernel produces.

    python -m tests.harness.regen_outputs [content/NN-name.ipynb ...]   (make outputs: all of content/)

Builds the site, runs each notebook top to bottom in headless Chromium, and writes the outputs
back (sources, tags and metadata untouched), as stable JSON. A cell whose stored output is still
the same under the comparison rules (sanitize file, images by presence) keeps it byte for byte, so
an unchanged notebook gives no diff.
Exits 1, after writing, if a cell shows an error it is not tagged `raises-exception` for.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

from sitetools import CONTENT
from sitetools import site as site_build
from tests.harness import browser, server
from tests.harness import notebook as ui
from tests.harness import outputs as compare


def store(path: Path, outputs: dict[int, list[dict]]) -> list[str]:
    """Write the fresh outputs into the notebook; return the cells with unexpected errors."""
    nb = nbformat.read(path, as_version=4)
    patterns = compare.sanitize_patterns()
    unexpected = []
    count = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        fresh = [nbformat.from_dict(_clean(o)) for o in outputs[index]]
        # Keep what is stored when it is the same output under the comparison rules (a live
        # timing, an image's bytes): an unchanged notebook then gives no diff.
        if compare.compare_outputs(cell.outputs, fresh, patterns) is not None or len(cell.outputs) != len(
            fresh
        ):
            cell.outputs = fresh
        for out in cell.outputs:
            if out.output_type == "execute_result":
                out.execution_count = count
            if out.output_type == "error" and "raises-exception" not in compare.tags(cell):
                unexpected.append(
                    f"{path.name} cell {index} ({compare.first_line(cell)}): {out.ename}: {out.evalue}"
                )
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return unexpected


def _clean(output: dict) -> dict:
    """Only the nbformat fields of an output, so the stored JSON does not depend on the UI."""
    keep = {
        "stream": ("output_type", "name", "text"),
        "display_data": ("output_type", "data", "metadata"),
        "execute_result": ("output_type", "data", "metadata", "execution_count"),
        "error": ("output_type", "ename", "evalue", "traceback"),
    }[output["output_type"]]
    return {k: output[k] for k in keep if k in output}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--no-build", action="store_true", help="use the site already in dist/")
    args = parser.parse_args()
    notebooks = [p.resolve() for p in args.notebooks] or sorted(CONTENT.glob("*.ipynb"))
    with server.exclusive_site():
        try:
            return regen(notebooks, build=not args.no_build)
        except site_build.SiteError as e:
            print(f"[regen] ERROR: the site does not build: {e}", file=sys.stderr)
            return 1


def regen(notebooks: list[Path], build: bool) -> int:
    if build:
        site_build.build()
    problems = []
    with server.serve() as base_url, sync_playwright() as pw, browser.browser(pw) as context:
        page = context.new_page()
        for path in notebooks:
            rel = path.relative_to(CONTENT).as_posix()
            print(f"[regen] running {rel} in the browser ...", flush=True)
            problems += store(path, ui.run_notebook(page, base_url, rel))
        watch = context.watch
        problems += watch.errors + [f"request left 127.0.0.1: {u}" for u in watch.offsite]
    for problem in problems:
        print(f"[regen] PROBLEM: {problem}", file=sys.stderr)
    print(f"[regen] wrote outputs of {len(notebooks)} notebook(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
