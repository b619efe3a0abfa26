"""A learner's mistakes cost neither their work nor the kernel: tried in the real browser."""

from tests.harness import browser, outputs, server
from tests.harness import notebook as ui

# (what the learner does, the code, what the output must say)
BAD_INPUTS = [
    ("a syntax error", "def f(:\n    pass", "SyntaxError"),
    ("an uncaught exception", "raise ValueError('boom')", "ValueError: boom"),
    ("raise KeyboardInterrupt", "raise KeyboardInterrupt", "KeyboardInterrupt"),
    (
        "deep recursion",
        "def f(n):\n    return f(n + 1)\nf(0)",
        "RecursionError: maximum recursion depth exceeded",
    ),
    ("a huge allocation", "x = bytearray(2**31 - 1)", "MemoryError"),
    (
        "an allocation past 32-bit sizes",
        "x = bytearray(2**31)",
        "OverflowError: cannot fit 'int' into an index-sized integer",
    ),
    ("a lone surrogate", "print('\\udcff')", "\udcff"),
    (
        "a package the site does not have",
        "import requests",
        "ModuleNotFoundError: No module named 'requests'",
    ),
    ("200,000 lines in one print", "print('\\n'.join(map(str, range(200_000))))", "199999"),
]
# 200,000 print() calls, printed HTML, a restart during runaway code, saved work across a reload:
# tests/test_essentials.py, in every engine.


def test_bad_input_leaves_the_kernel_usable(page, base_url):
    ui.new_notebook(page, base_url)
    for what, code, expected in BAD_INPUTS:  # one kernel for all: each must leave it usable
        shown = outputs.output_text(ui.run_code(page, code))
        assert expected in shown, f"{what}: the learner sees {shown[-300:]!r}"
        after = outputs.output_text(ui.run_code(page, "print(6 * 7)"))
        assert after == "42\n", f"after {what}, the next cell printed {after!r}"


def test_saved_work_survives_a_browser_restart(playwright, base_url, tmp_path):
    profile = tmp_path / "profile"
    with browser.browser(playwright, profile) as ctx:
        page = ctx.new_page()
        ui.new_notebook(page, base_url)
        ui.run_code(page, "open('kept.txt', 'w').write('written in the browser')")
        ui.add_cell(page, "# my edit")
        ui.save(page)
        # JupyterLab stores its layout (which tabs are open) a moment after it changes; the
        # kernel is often idle before that now, so wait for it as a learner's pause would.
        path = page.evaluate(f"() => {ui.NOTEBOOK}.context.path")
        ui.wait_until(page, ui.LAYOUT_SAVED_JS, [path], timeout=30)
        assert ctx.watch.offsite == [] and ctx.watch.errors == []
    with browser.browser(playwright, profile) as ctx:
        page = ctx.new_page()
        ui.visit(page, f"{base_url}lab/index.html")
        ui.wait_idle(page, what="reopening the browser")
        assert "# my edit" in ui.cell_sources(page)
        kept = outputs.output_text(ui.run_code(page, "print(open('kept.txt').read())"))
        assert kept == "written in the browser\n"
        assert ctx.watch.offsite == [] and ctx.watch.errors == []


def test_output_still_streams_while_a_cell_runs(page, base_url):
    """Buffered output must not hide progress: the first line shows while the cell is busy."""
    ui.new_notebook(page, base_url)
    code = (
        "import time\nprint('started')\nt = time.time()\nwhile time.time() - t < 4:\n    pass\nprint('done')"
    )
    ui.start_cell(page, ui.add_cell(page, code))
    page.wait_for_function(
        f"""() => {{
      const cells = {ui.NOTEBOOK}.content.model.cells;
      return JSON.stringify(cells.get(cells.length - 1).toJSON().outputs).includes('started');
    }}""",
        timeout=3000,
    )
    assert page.evaluate(ui.KERNEL_STATUS_JS) == "busy"
    ui.wait_idle(page, what="the busy cell")
    assert ui.cell_outputs_text(page, -1) == "started\ndone\n"


def test_clear_browser_data_brings_back_the_shipped_notebooks(page, base_url):
    name = "01-python-on-webassembly.ipynb"
    ui.open_notebook(page, base_url, name)
    shipped = ui.cell_sources(page)
    ui.add_cell(page, "# my edit")
    ui.save(page)
    ui.open_notebook(page, base_url, name)
    assert ui.cell_sources(page) == shipped + ["# my edit"]
    page.get_by_role("menuitem", name="Help").click()
    page.get_by_role("menuitem", name="Clear Browser Data").click()
    # Upstream's dialog says what it erases (the README sends learners to the safer choices first).
    warning = page.locator(".jp-Dialog").inner_text()
    assert "permanently remove" in warning and "Notebooks and files stored in the browser" in warning, warning
    with page.expect_navigation():  # it reloads the page itself
        page.locator(".jp-Dialog button.jp-mod-accept", has_text="Clear").click()
    ui.open_notebook(page, base_url, name)
    assert ui.cell_sources(page) == shipped


def test_two_tabs_saving_the_same_notebook_do_not_overwrite_each_other_silently(context_pair, base_url):
    """Tab B saves a stale copy after tab A saved: JupyterLab asks instead of overwriting."""
    a, b = context_pair
    name = "02-javascript-interop.ipynb"
    for page in (a, b):
        ui.open_notebook(page, base_url, name)
    ui.add_cell(a, "# edit from tab A")
    ui.save(a)
    ui.add_cell(b, "# edit from tab B")
    b.keyboard.press("Control+s")
    dialog = b.locator(".jp-Dialog")
    dialog.wait_for(timeout=10000)
    assert "File Changed" in dialog.inner_text()
    # Nothing was written yet: storage still holds tab A's notebook, whole.
    assert "# edit from tab A" in ui.saved_cells(a) and "# edit from tab B" not in ui.saved_cells(a)
    dialog.locator("button", has_text="Overwrite").click()  # the learner's choice, made knowingly
    b.wait_for_function(f"() => !{ui.NOTEBOOK}.context.model.dirty", timeout=10000)
    ui.open_notebook(a, base_url, name)
    sources = ui.cell_sources(a)
    assert sources[-1] == "# edit from tab B" and "# edit from tab A" not in sources


def test_an_unsaved_edit_makes_the_browser_ask_before_leaving(page, base_url):
    ui.new_notebook(page, base_url)
    page.locator(".jp-Notebook .jp-Cell .cm-content").first.click()
    page.keyboard.type("# typed, not saved")
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload", f"the browser asked {asked.value.type!r}"
    asked.value.dismiss()


def test_input_without_a_service_worker_says_why(playwright, base_url):
    """Where no service worker runs (some private windows), input() cannot be answered.

    Upstream returns None silently; the site's kernel raises EOFError saying what to do. Not a
    checked tab: without a service worker JupyterLab itself reports an uncaught 'undefined'.
    """
    with browser.browser(playwright, service_workers="block") as ctx:
        page = ctx.new_page()
        ui.new_notebook(page, base_url, isolated=False)
        shown = outputs.output_text(ui.run_code(page, "name = input('Your name? ')"))
        assert shown.startswith("EOFError: input() got no answer"), shown
        assert "service worker" in shown and "normal window" in shown
        assert outputs.output_text(ui.run_code(page, "print(6 * 7)")) == "42\n"
        assert ctx.watch.offsite == []


def test_pyfetch_to_another_origin_without_cors_raises_a_clear_error(playwright, base_url):
    """A second server on another port is another origin: it answers, but sends no CORS headers."""
    with server.counting_server() as (other, served), browser.browser(playwright) as ctx:
        page = ctx.new_page()
        ui.new_notebook(page, base_url)
        code = (
            f"from pyodide.http import pyfetch\ntry:\n    await pyfetch('{other}jupyter-lite.json')\n"
            "except OSError as err:\n    print(type(err).__name__, err)"
        )
        assert outputs.output_text(ui.run_code(page, code)) == "AbortError Failed to fetch\n"
        # The server did answer: it was the browser that kept the response from Python.
        assert [path for path, _ in served] == ["/jupyter-lite.json"]
        assert ctx.watch.offsite == []
