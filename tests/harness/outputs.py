"""Outputs compared the way nbval compares them, and read the way a learner reads them."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbval.plugin import coalesce_streams, get_sanitize_patterns, transform_streams_for_comparison

# nbval reads the same file (--nbval-sanitize-with in pyproject.toml).
SANITIZE = Path(__file__).resolve().parent.parent / "sanitize.cfg"
# The same rules as nbval (nbval/plugin.py IPyNbFile.skip_compare, without nbdime): these keys
# are never compared. Images are checked for presence only (see compare_outputs).
SKIP_COMPARE = {
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
}
IMAGES = {"image/png", "image/jpeg"}


def sanitize_patterns(path: Path = SANITIZE) -> list[tuple[str, str]]:
    return get_sanitize_patterns(path.read_text())


def sanitize(value, patterns):
    if not isinstance(value, str):
        return value
    for regex, replace in patterns:
        value = re.sub(regex, replace, value)
    return value


def text(value):
    """A multi-line string, stored as one string or a list of lines."""
    return "".join(value) if isinstance(value, list) else value


def _flatten(outputs: list[dict], patterns) -> tuple[dict[str, list], int]:
    nodes = coalesce_streams([nbformat.from_dict(o) for o in outputs])
    flat: dict[str, list] = {}
    images = 0
    for out in transform_streams_for_comparison(nodes):
        for key, value in out.items():
            if key in SKIP_COMPARE:
                continue
            if key != "data":
                flat.setdefault(key, []).append(sanitize(text(value), patterns))
                continue
            for mime, data in value.items():
                if mime in IMAGES:
                    images += 1
                elif mime not in SKIP_COMPARE:
                    flat.setdefault(mime, []).append(sanitize(text(data), patterns))
    return flat, images


def compare_outputs(stored: list[dict], fresh: list[dict], patterns) -> str | None:
    """None when the outputs agree under nbval's rules; otherwise what differs."""
    want, want_images = _flatten(stored, patterns)
    got, got_images = _flatten(fresh, patterns)
    if want.keys() != got.keys():
        return (
            f"output fields differ: stored {sorted(want)}, got {sorted(got)}\n"
            f"  stored: {want}\n  got:    {got}"
        )
    for key in want:
        if want[key] != got[key]:
            return f"'{key}' differs\n  stored: {want[key]!r}\n  got:    {got[key]!r}"
    if got_images < want_images:
        return f"stored output has {want_images} image(s), the run produced {got_images}"
    return None


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def first_line(cell) -> str:
    source = text(cell.get("source", "")).strip()
    return source.splitlines()[0] if source else "(empty)"


def compare_notebook(nb, fresh: dict[int, list[dict]], patterns) -> tuple[list[str], set[str]]:
    """Compare a browser run with a notebook's stored outputs, cell by cell.

    Returns the failures (the cell numbered as nbval does, "Cell N" counting code cells from 0,
    its id, the first line of its source, what differs) and the ids of the cells compared.
    """
    failures, compared = [], set()
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for number, (index, cell) in enumerate(code_cells):
        compared.add(cell.get("id"))
        diff = compare_outputs(cell.outputs, fresh.get(index, []), patterns)
        if diff:
            failures.append(f"Cell {number} (id {cell.get('id')}) `{first_line(cell)}`: {diff}")
    return failures, compared


def output_text(outputs: list[dict]) -> str:
    """What the learner reads: streams, text/plain results and errors, joined."""
    parts = []
    for out in outputs:
        if out["output_type"] == "stream":
            parts.append(text(out["text"]))
        elif out["output_type"] == "error":  # the traceback's last line, as the UI shows it
            lines = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(out["traceback"])).strip().splitlines()
            parts.append(lines[-1] if lines else f"{out['ename']}: {out['evalue']}")
        else:
            parts.append(text(out.get("data", {}).get("text/plain", "")))
    return "".join(parts)
