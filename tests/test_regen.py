"""Storing outputs is stable: what is the same under the comparison rules is kept byte for byte."""

import shutil

import nbformat

from sitetools import CONTENT
from tests.harness.regen_outputs import store

NOTEBOOK = CONTENT / "06-execution-environment.ipynb"  # it has live timings and a stdin cell


def stored_outputs(path) -> dict[int, list[dict]]:
    nb = nbformat.read(path, as_version=4)
    return {i: [dict(o) for o in c.outputs] for i, c in enumerate(nb.cells) if c.cell_type == "code"}


def test_an_unchanged_notebook_gives_no_diff(tmp_path):
    copy = tmp_path / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, copy)
    before = copy.read_bytes()
    outputs = stored_outputs(copy)
    live = [
        i
        for i, outs in outputs.items()
        if any(o["output_type"] == "stream" and "[live]" in "".join(o["text"]) for o in outs)
    ]
    assert live, "the notebook should have a live timing line"
    for o in outputs[live[0]]:  # a new run prints another time: the same output under sanitize.cfg
        if o["output_type"] == "stream":
            o["text"] = "".join(o["text"]).replace(".", "9.", 1)
    assert store(copy, outputs) == [], "no cell should show an unexpected error"
    assert copy.read_bytes() == before, "re-storing the same outputs changed the file"


def test_a_changed_output_is_written(tmp_path):
    copy = tmp_path / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, copy)
    outputs = stored_outputs(copy)
    index = next(i for i, outs in outputs.items() if outs and outs[0]["output_type"] == "stream")
    outputs[index][0]["text"] = "something new\n"
    store(copy, outputs)
    written = nbformat.read(copy, as_version=4).cells[index].outputs[0].text
    assert written == "something new\n", f"the new output was not written: {written!r}"
