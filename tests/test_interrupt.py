"""Kernel > Interrupt stops a running cell, as in Jupyter: KeyboardInterrupt, variables kept.

The site's service worker makes every page cross-origin isolated, after one reload on a first
visit (extension/src/isolation.ts); Interrupt then writes SIGINT into Pyodide's interrupt buffer
(extension/src/kernel.ts, kernel-client.ts). Where no service worker runs, Interrupt says so.
"""

import pytest

from tests.harness import browser, engines, server
from tests.harness import notebook as ui
from tests.harness.outputs import output_text

# What the learner expects of Interrupt: the cell ends at once, as on a laptop.
INTERRUPT_LIMIT_S = 1.0
# WebKitGTK under Xvfb draws in software: measured 1.15 s from Interrupt to the cell's end on a
# busy machine (load 8 on 2 cores), timed in the page; Chromium 0.20 s in the same run.
WEBKITGTK_LIMIT_S = 2.0
# Whether the page is the document of a reload (WebKit reports a reload as a navigation), and
# what the site noted of its reload for isolation in this tab (extension/src/isolation.ts).
RELOADED_JS = "() => performance.getEntriesByType('navigation')[0].type === 'reload'"
NOTED_JS = "() => sessionStorage.getItem('@python-in-the-browser/tour-kernel:isolation-reload')"
# The same document as before: a mark set on it is still there.
MARK_JS = "() => { window.__sameDocument = true; }"
SAME_DOCUMENT_JS = "() => window.__sameDocument === true"
# The notebook's Interrupt command, run on the notebook named (headless Firefox gives the page no
# focus, so the commands that act on the focused tab find none): what ■ and I, I run.
INTERRUPT_JS = f"""() => window.jupyterapp.commands.execute(
  'notebook:interrupt-kernel', {{semanticWidget: {ui.NOTEBOOK}.id}})"""
TOOLBAR_BUTTON = ".jp-NotebookPanel-toolbar [data-command='notebook:interrupt-kernel']"
CATCHES_INTERRUPT = """try:
    while True:
        pass
except KeyboardInterrupt:
    print("stopped: cleaning up")"""


def busy_loop(page) -> int:
    """`x = 41`, then `while True: pass` started; returns the running cell's index."""
    ui.run_code(page, "x = 41")
    index = ui.add_cell(page, "while True:\n    pass")
    ui.start_cell(page, index)
    page.wait_for_function(f"() => ({ui.KERNEL_STATUS_JS})() === 'busy'")
    return index


def ended_by(page, index: int, interrupt) -> float:
    """Interrupt the running cell; the seconds until it shows its error, timed in the page (the
    test's own calls to the browser take up to a second in WebKitGTK on a busy machine)."""
    page.evaluate("() => { window.__interruptedAt = performance.now(); }")
    interrupt()
    page.wait_for_function("() => window.__cellRun.done", timeout=30_000)
    return page.evaluate("() => (window.__cellRun.endedAt - window.__interruptedAt) / 1000")


def assert_interrupted_and_usable(
    page, index: int, took: float, how: str, limit: float = INTERRUPT_LIMIT_S
) -> None:
    shown = output_text(ui.cell_outputs(page, index))
    assert "KeyboardInterrupt" in shown, f"{how}: the cell shows {shown!r}"
    assert took <= limit, f"{how}: the cell ended {took:.2f} s after Interrupt"
    ui.wait_idle(page, what=f"after {how}")
    assert output_text(ui.run_code(page, "print(x + 1)")) == "42\n", "variables were lost"
    print(f"[interrupt] {how}: KeyboardInterrupt {took:.2f} s after Interrupt")


# The notice Interrupt shows where it cannot stop the cell, and its full text (a toast shows 140
# characters): what is missing, what to do instead.
NOTICE_JS = """() => document.querySelector('.Toastify__toast')?.innerText ?? ''"""
NOTICE_START = "Interrupt needs shared memory, which this window does not give the page."
NOTICE_END = "Use Kernel > Restart Kernel… (variables are lost)."


def assert_says_unavailable(page) -> None:
    """Interrupt on a page without shared memory: a plain notice; Restart then ends the loop."""
    page.evaluate(INTERRUPT_JS)
    page.wait_for_function(f"() => ({NOTICE_JS})().startsWith({NOTICE_START!r})", timeout=10_000)
    assert page.evaluate(NOTICE_JS).strip().endswith(NOTICE_END), page.evaluate(NOTICE_JS)
    ui.restart_kernel(page)
    assert output_text(ui.run_code(page, "print('back')")) == "back\n"


def interrupts(page, base_url: str, how: str, limit: float = INTERRUPT_LIMIT_S) -> None:
    ui.new_notebook(page, base_url)
    index = busy_loop(page)
    took = ended_by(page, index, lambda: page.evaluate(INTERRUPT_JS))
    assert_interrupted_and_usable(page, index, took, how, limit)
    ui.close_everything(page)


def test_interrupt_stops_a_busy_loop(engine, engine_page, base_url, playwright, offsite_trap):
    """In every engine the page is isolated. WebKitGTK 2.50 gives it no SharedArrayBuffer by
    default (Epiphany's case): there Interrupt says it is not available. Safari has one on
    isolated pages: the same engine with JavaScriptCore's SharedArrayBuffer on interrupts."""
    if engine != "webkit":
        interrupts(engine_page, base_url, f"Interrupt ({engine})")
        return
    ui.new_notebook(engine_page, base_url)
    busy_loop(engine_page)
    assert engine_page.evaluate("() => [crossOriginIsolated, typeof SharedArrayBuffer]") == [
        True,
        "undefined",
    ]
    assert_says_unavailable(engine_page)
    ui.close_everything(engine_page)
    port, seen = offsite_trap
    with engines.engine_page("webkit", playwright, seen, port, shared_memory=True) as safari_like:
        ui.visit(safari_like, f"{base_url}lab/index.html")
        assert safari_like.evaluate("() => typeof SharedArrayBuffer") == "function"
        interrupts(
            safari_like,
            base_url,
            "Interrupt (WebKit with SharedArrayBuffer, as in Safari)",
            WEBKITGTK_LIMIT_S,
        )


@pytest.mark.parametrize("how", ["Kernel menu", "toolbar button", "I, I"])
def test_the_menu_the_button_and_the_keys_interrupt(page, base_url, how):
    ui.new_notebook(page, base_url)
    index = busy_loop(page)

    def press():
        if how == "Kernel menu":
            page.get_by_role("menuitem", name="Kernel").click()
            page.get_by_role("menuitem", name="Interrupt Kernel").click()
        elif how == "toolbar button":
            page.click(TOOLBAR_BUTTON)
        else:
            page.keyboard.press("Escape")  # command mode
            page.keyboard.press("i")
            page.keyboard.press("i")

    assert_interrupted_and_usable(page, index, ended_by(page, index, press), how)


# Once the page shows the kernel busy (when the learner can first press it), waits `delay` ms and
# runs Interrupt: every moment of the cell's start, from the worker still preparing it (IPython
# compiling it) to its loop running. Listens before the cell is started (ui.start_cell).
INTERRUPT_AFTER_BUSY_JS = f"""(delay) => {{
  const kernel = {ui.NOTEBOOK}.sessionContext.session.kernel;
  const seen = (_, status) => {{
    if (status === 'busy') {{
      kernel.statusChanged.disconnect(seen);
      setTimeout(() => ({INTERRUPT_JS})(), delay);
    }}
  }};
  kernel.statusChanged.connect(seen);
}}"""
DELAYS_MS = [0, 1, 2, 3, 5, 8, 12, 20, 30, 50]


def interrupts_at_every_moment(page, base_url: str, rounds: int = 3) -> None:
    ui.new_notebook(page, base_url)
    ui.run_code(page, "x = 41")
    index = ui.add_cell(page, "while True:\n    pass")
    for turn in range(rounds):
        for delay in DELAYS_MS:
            page.evaluate(INTERRUPT_AFTER_BUSY_JS, delay)
            ui.start_cell(page, index)
            try:
                page.wait_for_function("() => window.__cellRun.done", timeout=10_000)
            except ui.TIMEOUTS:
                raise ui.fail(
                    page,
                    f"Interrupt {delay} ms after the kernel showed busy (turn {turn + 1}): "
                    "the loop ran on for 10 s",
                ) from None
            shown = output_text(ui.cell_outputs(page, index))
            assert "KeyboardInterrupt" in shown, f"{delay} ms: the cell shows {shown!r}"
    assert output_text(ui.run_code(page, "print(x + 1)")) == "42\n", "variables were lost"
    ui.close_everything(page)


def test_an_interrupt_at_any_moment_of_a_cells_start_stops_it(
    engine, engine_page, base_url, playwright, offsite_trap
):
    """Interrupt pressed as soon as the kernel shows busy, and at moments after: before, Python
    could see it while the kernel prepared the cell (the KeyboardInterrupt escaped the kernel), or
    lose it as it read the byte (about 1 in 25): the loop ran on. WebKit: as in Safari."""
    if engine != "webkit":
        interrupts_at_every_moment(engine_page, base_url)
        return
    port, seen = offsite_trap
    with engines.engine_page("webkit", playwright, seen, port, shared_memory=True) as safari_like:
        ui.visit(safari_like, f"{base_url}lab/index.html")
        interrupts_at_every_moment(safari_like, base_url, rounds=1)


def test_a_cell_can_catch_the_interrupt_and_clean_up(page, base_url):
    """As in CPython: `except KeyboardInterrupt` in the cell runs, and the cell ends without error."""
    ui.new_notebook(page, base_url)
    index = ui.add_cell(page, CATCHES_INTERRUPT)
    ui.start_cell(page, index)
    page.wait_for_function(f"() => ({ui.KERNEL_STATUS_JS})() === 'busy'")
    ended_by(page, index, lambda: page.evaluate(INTERRUPT_JS))
    assert output_text(ui.cell_outputs(page, index)) == "stopped: cleaning up\n"


# Keeps the kernel's worker busy in JavaScript for 4 s once the cell has ended (Python's checks
# for Interrupt do not run there): the next cell waits in the worker's queue meanwhile.
WORKER_BUSY_AFTER_CELL = """import js
js.setTimeout(js.Function("const end = Date.now() + 4000; while (Date.now() < end) {}"), 0)"""


def test_an_interrupt_before_the_worker_gets_the_cell_still_stops_it(page, base_url):
    """The learner sees the kernel busy and presses Interrupt while the cell is still on its way
    to the worker (the worker is busy with something else): the cell stops once it runs."""
    ui.new_notebook(page, base_url)
    ui.run_code(page, "x = 41")
    ui.run_code(page, WORKER_BUSY_AFTER_CELL)
    index = ui.add_cell(page, "while True:\n    pass")
    ui.start_cell(page, index)
    page.wait_for_function(f"() => ({ui.KERNEL_STATUS_JS})() === 'busy'")
    took = ended_by(page, index, lambda: page.evaluate(INTERRUPT_JS))
    assert_interrupted_and_usable(page, index, took, "Interrupt while the worker was busy", 6.0)


def test_interrupt_without_a_service_worker_says_to_restart(playwright, base_url):
    """Some private windows run no service worker: the page cannot be isolated, nothing reloads,
    and Interrupt says in plain words that it cannot stop the cell here, and what to do."""
    with browser.browser(playwright, service_workers="block") as ctx:
        page = ctx.new_page()
        ui.new_notebook(page, base_url, isolated=False)
        assert page.evaluate("() => crossOriginIsolated") is False
        assert page.evaluate(RELOADED_JS) is False, "the page reloaded without a service worker"
        busy_loop(page)
        assert_says_unavailable(page)
        assert ctx.watch.offsite == []


@pytest.mark.parametrize("prefix", ["/", "/REPO/"])
def test_a_first_visit_reloads_once_then_never(engine, playwright, prefix, offsite_trap):
    """A fresh profile (a first visit), at the root and from a sub-path as on GitHub Pages: the
    page is isolated after exactly one reload, stays the same document while the kernel starts,
    and the next visit is isolated at once."""
    port, seen = offsite_trap
    with server.serve_under(prefix) as (site, _), engines.engine_page(engine, playwright, seen, port) as page:
        ui.open_notebook(page, site, "01-python-on-webassembly.ipynb")
        assert page.evaluate(NOTED_JS) == "isolated after one reload"
        assert page.evaluate(RELOADED_JS) or engine == "webkit", "the first visit was not a reload"
        ui.open_notebook(page, site, "02-javascript-interop.ipynb")  # the next visit
        assert page.evaluate(NOTED_JS) == "isolated after one reload"
        assert page.evaluate(RELOADED_JS) is False, "the next visit reloaded again"
        page.evaluate(MARK_JS)
        assert page.evaluate("() => crossOriginIsolated")
        ui.run_code(page, "import time; time.sleep(2)")  # a while later: still that document
        assert page.evaluate(SAME_DOCUMENT_JS), "the page reloaded again"
        assert engines.left_by_page(page.context.watch.offsite) == []
