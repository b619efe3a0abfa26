"""Each shipped notebook, opened in the site and not run, shows its stored outputs as the file
means them: a multi-line text stored as a list of lines is one text (nbformat), not a list."""

import nbformat
import pytest

from sitetools import CONTENT
from tests.harness import notebook as ui

NOTEBOOKS = sorted(CONTENT.glob("*.ipynb"))


def as_the_file_means_it(path) -> list[dict]:
    """The notebook's cells with every multi-line string joined, as nbformat reads them."""
    return [dict(c) for c in nbformat.read(path, as_version=4).cells]


def texts(outputs: list[dict]) -> list:
    """Each output's text: stream text, or every non-image mimetype's data."""
    found = []
    for out in outputs:
        if out["output_type"] == "stream":
            found.append(out["text"])
        for mime, data in sorted(out.get("data", {}).items()):
            if not mime.startswith("image/"):
                found.append((mime, data))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stored_outputs_show_as_stored_on_open(page, base_url, path):
    ui.open_without_running(page, base_url, path.name)
    model = ui.notebook_model(page, path.name)["cells"]
    stored = as_the_file_means_it(path)
    assert len(model) == len(stored)
    for number, (want, got) in enumerate(zip(stored, model, strict=True)):
        where = f"{path.name} cell {number} ({want.get('id')})"
        assert got["source"] == want["source"], f"{where}: the source differs on open"
        if want["cell_type"] == "code":
            assert texts(got["outputs"]) == texts(want["outputs"]), f"{where}: outputs differ on open"

    drawn = ui.rendered_outputs(page, path.name)
    code = [c for c in stored if c["cell_type"] == "code"]
    for cell, text in zip(code, drawn, strict=True):
        for out in cell["outputs"]:
            if out["output_type"] == "stream":
                assert out["text"].strip() in text, (
                    f"{path.name} cell {cell.get('id')}: drawn as {text[:200]!r}, "
                    f"stored {out['text'][:200]!r}"
                )


def test_a_notebook_saved_unchanged_keeps_its_outputs(page, base_url):
    path = NOTEBOOKS[0]
    ui.open_without_running(page, base_url, path.name)
    page.evaluate(f"(path) => ({ui.PANEL_JS})(path).context.save()", path.name)
    saved = page.evaluate(
        """async (path) => JSON.stringify(
        (await window.jupyterapp.serviceManager.contents.get(path, {content: true})).content)""",
        path.name,
    )
    saved_cells = nbformat.reads(saved, as_version=4).cells
    stored = as_the_file_means_it(path)
    assert [texts(c.get("outputs", [])) for c in saved_cells] == [
        texts(c.get("outputs", [])) for c in stored
    ], "saving changed the stored outputs"
    assert [c.source for c in saved_cells] == [c["source"] for c in stored]


def test_opening_a_notebook_leaves_it_unmodified(page, base_url):
    """Once its kernel has started, a notebook the learner has not touched shows no unsaved mark
    (JupyterLab writes the kernel's language_info into it: the site's copy already holds it)."""
    path = NOTEBOOKS[0]
    ui.open_notebook(page, base_url, path.name)
    assert not page.evaluate(f"(path) => ({ui.PANEL_JS})(path).context.model.dirty", path.name), (
        "the notebook is marked unsaved right after it opened"
    )
