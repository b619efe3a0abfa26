"""Notebook 2's slider, as a learner uses it, in every engine (Chromium, Firefox, WebKit): the
widget draws in the page, a move made in the page reaches the Python callback in the kernel's
worker, and the callback's answer comes back into the page.

The move is the learner's second way of moving an ipywidgets slider: type a number into the
slider's number box and press Enter (the same keydown the slider's view listens to). The page
measures the round trip, from the key press until the label shows Python's answer, and the test
prints it ("[widget] ..."). Requests leaving 127.0.0.1 fail the test (the engine_page fixture).
"""

import re

import nbformat
import pytest

from sitetools import CONTENT
from tests.harness import notebook as ui
from tests.harness.outputs import output_text

NOTEBOOK = "02-javascript-interop.ipynb"
# The code cell that draws the slider and its label (a VBox of the two).
WIDGET_CELL_ENDS = "widgets.VBox([slider, answer])"
MOVE_TO = 7
ANSWER = re.compile(rf"x = {MOVE_TO}, x² = {MOVE_TO**2}: (\d+) ms from the page to Python")
# The widget cell's output area: the slider, its number box and the label Python writes into.
WIDGET_JS = f"""(i) => {{
  const cell = {ui.NOTEBOOK}.content.widgets[i];
  cell.node.scrollIntoView();
  const box = cell.outputArea.node.querySelector('.widget-vbox');
  if (!box) return null;
  const readout = box.querySelector('.widget-readout');
  return {{
    handles: box.querySelectorAll('.noUi-handle').length,
    readout: readout ? readout.textContent : null,
    label: box.children[1]?.textContent ?? null,
  }};
}}"""
# Type a number into the slider's box and press Enter; time until the label changes to Python's answer.
MOVE_JS = f"""({{i, value}}) => {{
  const box = {ui.NOTEBOOK}.content.widgets[i].outputArea.node.querySelector('.widget-vbox');
  const readout = box.querySelector('.widget-readout');
  const label = box.children[1];
  const started = performance.now();
  window.__roundTripMs = null;
  new MutationObserver((_, observer) => {{
    if (!label.textContent.startsWith(`x = ${{value}},`)) return;
    window.__roundTripMs = performance.now() - started;
    observer.disconnect();
  }}).observe(label, {{childList: true, characterData: true, subtree: true}});
  readout.textContent = String(value);
  readout.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', keyCode: 13, bubbles: true}}));
}}"""


def widget_cell_index() -> int:
    cells = nbformat.read(CONTENT / NOTEBOOK, as_version=4).cells
    return next(i for i, c in enumerate(cells) if c.source.rstrip().endswith(WIDGET_CELL_ENDS))


@pytest.fixture
def slider(engine_page, base_url):
    """Notebook 2 open and run down to the slider; its kernel and tab are closed afterwards."""
    ui.open_notebook(engine_page, base_url, NOTEBOOK)
    index = widget_cell_index()
    for code_index in [i for i in ui.code_cell_indices(engine_page) if i <= index]:
        ui.run_cell(engine_page, code_index)
    yield engine_page, index
    # Python closes its widgets first. Otherwise closing the tab makes the page send a comm_close
    # per widget while the kernel shuts down: Firefox once logged a Pyodide fatal error at this
    # teardown (1 run in 11 here), most likely the worker terminated in the middle of one.
    ui.run_code(engine_page, "widgets.Widget.close_all()")
    ui.close_everything(engine_page)


def test_the_slider_draws_and_each_move_runs_python(slider):
    page, index = slider
    drawn_js = f"() => ({WIDGET_JS})({index})?.handles === 1"
    ui.wait_until(page, drawn_js, timeout=60)
    drawn = page.evaluate(WIDGET_JS, index)
    assert drawn["readout"] == "3" and drawn["label"] == "Move the slider: Python answers here.", drawn

    page.evaluate(MOVE_JS, {"i": index, "value": MOVE_TO})
    ui.wait_until(page, "() => window.__roundTripMs !== null", timeout=30)
    shown = page.evaluate(WIDGET_JS, index)
    assert shown["readout"] == str(MOVE_TO), f"the slider did not move: {shown}"
    assert ANSWER.fullmatch(shown["label"]), f"Python's answer is not in the page: {shown['label']!r}"

    in_python = output_text(ui.run_code(page, "print(slider.value, '|', answer.value)"))
    assert in_python == f"{MOVE_TO} | {shown['label']}\n", f"Python holds {in_python!r}"
    round_trip = page.evaluate("() => window.__roundTripMs")
    waited = ANSWER.fullmatch(shown["label"]).group(1)
    print(f"[widget] {page.engine}: {waited} ms from the page to Python (its clock); ", end="")
    print(f"key press to Python's answer drawn in the page: {round_trip:.0f} ms")
