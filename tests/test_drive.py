"""Files under /drive (the learner's saved files): written in the worker's memory during a cell and
stored in the browser by the time the cell ends (extension/src/worker/drive-cache.ts).

Each test is a learner's steps on the real site: a reload right after a cell shows what it wrote,
a thousand small writes take seconds, the cell sees its own changes, two tabs see each other's
files, and a file the browser refuses to store is an error in the cell.
"""

import time

import pytest

from tests.harness import notebook as ui
from tests.harness.outputs import output_text

# Stock JupyterLite took 57 s for 1,000 one-byte writes here (bench/RESULTS.md); 30 s in all for
# this cell would still be a regression to the old bridge in Chromium (about 2 s now).
MANY_WRITES_LIMIT_S = 30

WRITE_CELL = """import os, numpy as np
os.makedirs('kept/runs', exist_ok=True)
for i in range(200):
    with open(f'kept/runs/{i}.txt', 'w') as f:
        f.write(f'run {i}')
np.save('kept/array.npy', np.arange(5))
open('kept/draft.txt', 'w').write('first draft')
os.rename('kept/draft.txt', 'kept/final.txt')
os.remove('kept/runs/0.txt')
print('written')"""

READ_CELL = """import os, numpy as np
print(len(os.listdir('kept/runs')), open('kept/runs/199.txt').read(), np.load('kept/array.npy').sum(),
      os.path.exists('kept/draft.txt'), open('kept/final.txt').read(), os.path.exists('kept/runs/0.txt'))"""


@pytest.fixture
def learner(engine_page, base_url):
    """The engine's page with a new notebook open; its kernels and tabs are closed afterwards."""
    ui.new_notebook(engine_page, base_url)
    yield engine_page
    ui.run_code(engine_page, "import shutil; shutil.rmtree('kept', ignore_errors=True)")
    ui.close_everything(engine_page)


def test_a_reload_right_after_a_cell_shows_every_file_it_wrote(learner, base_url):
    assert output_text(ui.run_code(learner, WRITE_CELL)) == "written\n"
    path = learner.evaluate(f"() => {{ window.__beforeReload = true; return {ui.NOTEBOOK}.context.path; }}")
    ui.open_notebook(learner, base_url, path)  # a reload at once, the kernel still running
    assert learner.evaluate("() => window.__beforeReload ?? null") is None, "the page was not reloaded"
    assert output_text(ui.run_code(learner, READ_CELL)) == "199 run 199 10 False first draft False\n"


def test_a_thousand_small_writes_take_seconds(learner):
    start = time.monotonic()
    out = ui.run_code(
        learner,
        """import numpy as np
for i in range(1000):
    open('kept.txt', 'w').write('x')
for i in range(1000):
    np.save(f'kept-{i % 10}.npy', np.arange(3))
print(open('kept.txt').read(), np.load('kept-9.npy').sum())""",
    )
    took = time.monotonic() - start
    assert output_text(out) == "x 3\n"
    print(f"[drive] 1,000 writes and 1,000 np.save: {took:.1f} s")
    assert took < MANY_WRITES_LIMIT_S, f"{took:.0f} s: /drive is as slow as a round trip per write"
    ui.run_code(learner, "import os; [os.remove(f) for f in os.listdir() if f.startswith('kept')]")


def test_a_cell_sees_its_own_changes_and_the_next_cell_sees_the_same(learner):
    check = """import os
def look():
    return (sorted(os.listdir('kept')), open('kept/b.txt').read(), os.path.getsize('kept/b.txt'),
            os.path.isdir('kept/sub'), os.path.exists('kept/a.txt'), sorted(os.listdir('kept/moved')),
            open('kept/moved/x.txt').read())
"""
    changes = """os.makedirs('kept/sub/deeper')
open('kept/a.txt', 'w').write('aaa')
os.rename('kept/a.txt', 'kept/b.txt')
with open('kept/b.txt', 'a') as f:
    f.write('+more')
open('kept/sub/deeper/x.txt', 'w').write('deep')
os.rename('kept/sub/deeper', 'kept/moved')
print(look())"""
    expected = "(['b.txt', 'moved', 'sub'], 'aaa+more', 8, True, False, ['x.txt'], 'deep')\n"
    assert output_text(ui.run_code(learner, check + changes)) == expected  # before storing
    assert output_text(ui.run_code(learner, "print(look())")) == expected  # read back from storage


def test_a_file_the_browser_refuses_to_store_is_an_error_in_the_cell(learner):
    # A notebook is stored as JSON: the storage refuses text that is not JSON under its name.
    learner.evaluate("""() => window.jupyterapp.serviceManager.contents.save('kept-notebook.ipynb', {
      type: 'notebook', format: 'json',
      content: {cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5}})""")
    outputs = ui.run_code(learner, "open('kept-notebook.ipynb', 'w').write('not JSON')\nprint('cell ran')")
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert errors, f"no error in the cell: {outputs}"
    assert "OSError" in errors[0]["ename"] and "/drive/kept-notebook.ipynb" in errors[0]["evalue"]
    stored = learner.evaluate("""async () => (await window.jupyterapp.serviceManager.contents
      .get('kept-notebook.ipynb', {content: true})).content.nbformat""")
    assert stored == 4, "the stored notebook changed"
    ui.run_code(learner, "import os; os.remove('kept-notebook.ipynb')")


def test_two_tabs_see_each_others_saved_files(context_pair, base_url):
    a, b = context_pair
    ui.new_notebook(a, base_url)
    ui.new_notebook(b, base_url)
    ui.run_code(a, "open('shared.txt', 'w').write('from a')")
    assert output_text(ui.run_code(b, "print(open('shared.txt').read())")) == "from a\n"
    ui.run_code(b, "open('shared.txt', 'w').write('from b')")
    assert output_text(ui.run_code(a, "print(open('shared.txt').read())")) == "from b\n"
