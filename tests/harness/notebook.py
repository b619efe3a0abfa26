"""A learner's actions in JupyterLab: open a notebook, run cells, answer input(), save, restart.

Every wait is a wait on a condition in the page (wait_for_function), never a sleep.
The JavaScript snippets that several actions share are named here once. Every action works on a
page of any engine (base.py, engines.py: Chromium, Firefox, WebKit): each runs the JupyterLab command that
the learner's menu item or key runs (notebook:create-new, notebook:run-cell, docmanager:save,
kernelmenu:restart) and presses the dialog's button as the learner would.
"""

from __future__ import annotations

import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.harness import CELL_TIMEOUT, KERNEL_IDLE_TIMEOUT, LiteError
from tests.harness.base import NAVIGATED, POLL_JS, EngineTimeout
from tests.harness.outputs import output_text

STDIN_ANSWER = "Ada"  # what the runner types when a cell calls input()

# The notebook the learner is looking at: the one open_notebook opened (found by its path), else
# the focused one.
NOTEBOOK = "(window.__liteNotebook ?? window.jupyterapp.shell.currentWidget)"
# A wait that timed out, in any engine.
TIMEOUTS = (PlaywrightTimeout, EngineTimeout)
# An open notebook found by its path, not by focus (headless Firefox gives the page no focus,
# so shell.currentWidget can be null there).
PANEL_JS = """(path) => {
  for (const w of window.jupyterapp?.shell.widgets('main') ?? []) if (w.context?.path === path) return w;
  return null;
}"""
KERNEL_STATUS_JS = f"""() => {{
  const panel = window.jupyterapp && {NOTEBOOK};
  const kernel = panel?.sessionContext?.session?.kernel;
  return kernel ? kernel.status : (panel ? 'no kernel yet' : 'no notebook yet');
}}"""
# The tabs JupyterLab's stored layout (the workspace) has open in the main area, in an async function.
STORED_TABS = """(await window.jupyterapp.serviceManager.workspaces.list()).values
    .flatMap(w => w.data['layout-restorer:data']?.main?.dock?.widgets ?? [])"""
# Whether the stored layout lists these notebooks as open tabs.
LAYOUT_SAVED_JS = f"""async (paths) => {{
  const open = {STORED_TABS};
  return paths.every(p => open.includes('notebook:' + p));
}}"""
# Whether the stored layout has no notebook tab open.
LAYOUT_CLOSED_JS = f"async () => !({STORED_TABS}).some(id => id.startsWith('notebook:'))"


# Counts the Pyodide kernels' Workers a page creates (window.__kernelWorkers); an init script, added
# before the page's own scripts.
COUNT_KERNEL_WORKERS_JS = """(() => {
  const Original = window.Worker;
  window.__kernelWorkers = 0;
  window.Worker = class extends Original {
    constructor(url, options) {
      super(url, options);
      if (/[.]worker[.][0-9a-f]+[.]js$/.test(String(url))) window.__kernelWorkers += 1;  // a kernel's worker
    }
  };
})();"""


def wait_until(page, condition_js: str, arg=None, timeout: float = 30.0) -> None:
    """Wait until an async condition holds. Playwright's wait_for_function does not await a
    Promise (one is truthy, so it returns at once); this polls inside the page and awaits each
    answer, in every engine."""
    if not page.evaluate(POLL_JS, {"src": condition_js, "arg": arg, "timeout": timeout * 1000}):
        raise EngineTimeout(f"condition not met within {timeout:.0f} s: {condition_js[:200]}")


# An input() box that the runner has not answered yet.
WAITING_STDIN = ".jp-Stdin-input:not([data-answered])"
# Type an answer into the input() box and press Enter, as JupyterLab's Stdin widget reads it.
ANSWER_STDIN_JS = f"""(answer) => {{
  const box = document.querySelector('{WAITING_STDIN}');
  if (!box) return false;
  box.setAttribute('data-answered', '1');
  box.value = answer;
  const enter = {{key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true}};
  box.dispatchEvent(new KeyboardEvent('keydown', enter));
  return true;
}}"""


# The last steps of the page's Python kernels' boots, as the site's kernel marks them on the
# page's performance timeline (extension/src/kernel.ts): where a kernel that never got ready stopped.
BOOT_STEPS_JS = """() => performance.getEntriesByType('mark')
  .filter((mark) => mark.detail?.pythonKernel)
  .slice(-40)
  .map(({startTime, detail}) => `${(startTime / 1000).toFixed(1)} s  kernel `
    + `${detail.pythonKernel.slice(0, 8)}: ${detail.step}`
    + (detail.workerMs == null ? '' : ` (worker +${(detail.workerMs / 1000).toFixed(1)} s)`))"""


def boot_steps(page) -> str:
    try:
        return "\n".join(page.evaluate(BOOT_STEPS_JS)) or "(none)"
    except Exception as e:  # the page itself may be what failed
        return f"(not readable: {e})"


def fail(page, what: str) -> LiteError:
    return LiteError(
        f"{what}. Worker and page console:\n{page.context.watch.console_tail()}\n"
        f"The kernels' boot steps (seconds since the page loaded):\n{boot_steps(page)}"
    )


def wait_idle(page, what: str, timeout: float = KERNEL_IDLE_TIMEOUT) -> None:
    """Wait until the open notebook's Pyodide kernel is idle."""
    try:
        page.wait_for_function(f"() => ({KERNEL_STATUS_JS})() === 'idle'", timeout=timeout * 1000)
    except TIMEOUTS:
        status = page.evaluate(KERNEL_STATUS_JS)
        raise fail(
            page, f"{what}: the kernel was not idle after {timeout:.0f} s (status: {status})"
        ) from None


# Every page of the site is cross-origin isolated once its service worker controls it.
ISOLATED_JS = "() => document.readyState !== 'loading' && crossOriginIsolated"


def visit(page, url: str, isolated: bool = True, timeout: float = KERNEL_IDLE_TIMEOUT) -> None:
    """Go to a page of the site as a learner's link does. On a first visit the page reloads
    once to become cross-origin isolated (extension/src/isolation.ts): this waits for that,
    unless the browser runs no service worker (`isolated=False`). Short calls, each on its own:
    a call that spans the reload fails (Chromium, Firefox) or, in WebKit, a long in-page wait
    would never answer. What the replaced first document logged (loads cut short by the reload:
    Firefox's ChunkLoadError) never reaches the learner and is not counted as the page's error."""
    errors = page.context.watch.errors
    logged_before = len(errors)
    page.goto(url)
    end = time.monotonic() + timeout
    first_document = False
    while isolated:
        try:
            if page.evaluate(ISOLATED_JS):
                if first_document:
                    del errors[logged_before:]
                return
            first_document = first_document or page.evaluate("() => !crossOriginIsolated")
        except (LiteError, PlaywrightError) as error:
            if not NAVIGATED.search(str(error)):
                raise
        if time.monotonic() > end:
            raise fail(page, f"{url} was not cross-origin isolated after {timeout:.0f} s")
        time.sleep(0.2)  # between two looks at the page, as a learner's reload takes a moment


def open_notebook(page, base_url: str, path: str) -> None:
    """Open a notebook of the site in JupyterLab and wait until its Pyodide kernel is idle.

    The later actions use this notebook, found by its path: focus is not needed (headless Firefox
    gives the page none)."""
    visit(page, f"{base_url}lab/index.html?path={path}")
    use_notebook(page, path, what=f"opening {path}")


def use_notebook(page, path: str, what: str, timeout: float = KERNEL_IDLE_TIMEOUT) -> None:
    """Wait until the page shows the notebook at `path` and its kernel is idle; the later actions
    use that notebook (several may be open)."""
    try:
        # Shown on the page, as the learner sees it: the kernel can be idle before JupyterLab
        # has attached the notebook, and cells added before that trip JupyterLab's windowing.
        shown = f"(path) => !!({PANEL_JS})(path)?.content.isAttached"
        page.wait_for_function(shown, arg=path, timeout=timeout * 1000)
    except TIMEOUTS:
        raise fail(page, f"{what}: JupyterLab showed no {path}") from None
    page.evaluate(f"(path) => {{ window.__liteNotebook = ({PANEL_JS})(path); }}", path)
    wait_idle(page, what=what, timeout=timeout)


def open_without_running(page, base_url: str, path: str) -> None:
    """Open a notebook as a learner first sees it: loaded and drawn, no cell run."""
    visit(page, f"{base_url}lab/index.html?path={path}")
    page.wait_for_function(
        f"(path) => ({PANEL_JS})(path)?.context.isReady", arg=path, timeout=KERNEL_IDLE_TIMEOUT * 1000
    )


def new_notebook(page, base_url: str, isolated: bool = True) -> None:
    """File > New > Notebook (its command); waits for the Pyodide kernel to be idle."""
    visit(page, f"{base_url}lab/index.html", isolated)
    page.wait_for_function("() => window.jupyterapp?.commands.hasCommand('notebook:create-new')")
    # No "Select Kernel" dialog: overrides.json starts the one Pyodide kernel by itself.
    # After the layout is restored: a notebook opened before that is dropped from the main area
    # when JupyterLab puts back the stored tabs (seen in Firefox).
    page.evaluate("""async () => {
      await window.jupyterapp.restored;
      const panel = await window.jupyterapp.commands.execute('notebook:create-new');
      await panel.context.ready;
      window.__liteNotebook = panel;
    }""")
    page.wait_for_function(f"() => {NOTEBOOK}.content.isAttached", timeout=KERNEL_IDLE_TIMEOUT * 1000)
    wait_idle(page, what="a new notebook")


# Press a dialog's button (by its label) if one is shown: what the learner clicks.
PRESS_JS = """(label) => {
  const buttons = [...document.querySelectorAll('.jp-Dialog button')];
  const button = buttons.find((b) => b.textContent.includes(label));
  button?.click();
  return !!button;
}"""


def code_cell_indices(page) -> list[int]:
    return page.evaluate(f"""() => {NOTEBOOK}.content.model.sharedModel.cells
        .map((cell, i) => cell.cell_type === 'code' ? i : -1).filter(i => i >= 0)""")


def add_cell(page, code: str) -> int:
    """Append a code cell holding `code` to the open notebook; return its index."""
    return page.evaluate(
        f"""(code) => {{
      const cells = {NOTEBOOK}.content.model.sharedModel;
      cells.insertCell(cells.cells.length, {{cell_type: 'code', source: code}});
      return cells.cells.length - 1;
    }}""",
        code,
    )


def start_cell(page, index: int) -> None:
    """Select a cell and press Run, as the learner would; do not wait for it."""
    page.evaluate(
        f"""(i) => {{
      const panel = {NOTEBOOK};
      window.jupyterapp.shell.activateById(panel.id);
      const nb = panel.content;
      nb.activeCellIndex = i;
      nb.deselectAll();
      window.__cellRun = {{done: false, error: null}};
      window.jupyterapp.commands.execute('notebook:run-cell').then(
        () => {{ window.__cellRun.endedAt = performance.now(); window.__cellRun.done = true; }},
        (e) => {{ window.__cellRun.done = true; window.__cellRun.error = String(e); }});
    }}""",
        index,
    )


def answer_input(page) -> None:
    """Type STDIN_ANSWER into an input() box, if one is waiting; each box is answered once."""
    page.evaluate(ANSWER_STDIN_JS, STDIN_ANSWER)


def run_cell(page, index: int, timeout: float = CELL_TIMEOUT) -> list[dict]:
    """Run one cell, answer input() prompts, return its outputs (nbformat dicts)."""
    start_cell(page, index)
    finished_or_asking = f"() => window.__cellRun.done || !!document.querySelector('{WAITING_STDIN}')"
    try:
        while True:  # each turn: the cell finished, or it asks for input and gets an answer
            page.wait_for_function(finished_or_asking, timeout=timeout * 1000)
            state = page.evaluate("() => window.__cellRun")
            if state["done"]:
                break
            answer_input(page)
    except TIMEOUTS:
        raise fail(page, f"cell {index} did not finish within {timeout:.0f} s") from None
    if state["error"]:
        raise LiteError(f"cell {index}: JupyterLab could not run it: {state['error']}")
    return cell_outputs(page, index)


def cell_outputs(page, index: int) -> list[dict]:
    """The outputs of a cell of the open notebook (index -1: the last), as nbformat dicts: as the
    notebook document holds them, which is what File > Save writes.

    Not the output area's own `outputs.toJSON()`: in WebKitGTK 2.50 that drops outputs once
    JavaScriptCore's top JIT tier (FTL) has compiled the generator behind it (docs/testing.md,
    "Browser engines")."""
    return page.evaluate(
        f"""(i) => {{
      const cells = {NOTEBOOK}.content.model.cells;
      return cells.get(i < 0 ? cells.length + i : i).toJSON().outputs;
    }}""",
        index,
    )


def run_code(page, code: str, timeout: float = CELL_TIMEOUT) -> list[dict]:
    """Put `code` in a new cell at the end of the open notebook, run it, return its outputs."""
    return run_cell(page, add_cell(page, code), timeout)


def cell_outputs_text(page, index: int) -> str:
    return output_text(cell_outputs(page, index))


# A code cell the text before it asks the learner to run after Kernel > Restart Kernel (notebook 4
# shows what a restart keeps): the runner restarts the kernel first, as the learner does.
RESTART_FIRST = "restart-kernel-first"


def tagged_indices(page, tag: str) -> list[int]:
    """The indices of the open notebook's cells tagged `tag`."""
    return page.evaluate(
        f"""(tag) => {NOTEBOOK}.content.model.sharedModel.cells
        .map((cell, i) => (cell.getMetadata('tags') ?? []).includes(tag) ? i : -1).filter(i => i >= 0)""",
        tag,
    )


def run_cells(page) -> dict[int, list[dict]]:
    """Run every code cell of the open notebook in order, from the top, as a learner does, with
    Kernel > Restart Kernel before each cell tagged RESTART_FIRST; return {cell index: outputs}."""
    restart_first = set(tagged_indices(page, RESTART_FIRST))
    outputs = {}
    for index in code_cell_indices(page):
        if index in restart_first:
            restart_kernel(page)
        outputs[index] = run_cell(page, index)
    return outputs


def run_notebook(page, base_url: str, path: str) -> dict[int, list[dict]]:
    """Open a notebook, run every code cell in order (run_cells), return {cell index: outputs}."""
    open_notebook(page, base_url, path)
    outputs = run_cells(page)
    close_everything(page)
    return outputs


def close_everything(page) -> None:
    """Leave nothing behind for the next notebook: kernels and tabs (else the workspace restores them)."""
    page.evaluate("""async () => {
      const app = window.jupyterapp;
      // Disposed, not closed: closing a notebook with unsaved outputs would ask to save them.
      for (const tab of [...app.shell.widgets('main')]) tab.dispose();
      await app.serviceManager.sessions.shutdownAll();
      delete window.__liteNotebook;
    }""")
    # JupyterLab stores its layout a moment later: a page loaded before that would reopen the
    # closed notebooks and start their kernels (whose start is then cut short: page errors).
    wait_until(page, LAYOUT_CLOSED_JS, timeout=30)


def restart_kernel(page, timeout: float = KERNEL_IDLE_TIMEOUT) -> None:
    """The notebook's Restart button, then Restart in the dialog, as the learner does; waits until
    the kernel is idle again. The panel is named (not found by focus: headless Firefox has none)."""
    page.evaluate(f"""() => {{
      const panel = {NOTEBOOK};
      window.__restarted = false;
      panel.sessionContext.statusChanged.connect((_, status) => {{
        if (status === 'restarting' || status === 'starting') window.__restarted = true;
      }});
      window.jupyterapp.commands.execute('notebook:restart-kernel', {{semanticWidget: panel.id}});
    }}""")
    page.wait_for_function(PRESS_JS, arg="Restart", timeout=10000)
    page.wait_for_function("() => window.__restarted", timeout=timeout * 1000)
    wait_idle(page, what="restarting the kernel", timeout=timeout)


def save(page) -> None:
    """File > Save: the notebook's document context writes it to browser storage. (The command
    acts on the focused tab, and headless Firefox gives the page no focus: it would save nothing.)"""
    page.evaluate(f"async () => {{ await {NOTEBOOK}.context.save(); }}")
    page.wait_for_function(f"() => !{NOTEBOOK}.context.model.dirty", timeout=10000)


def cell_sources(page) -> list[str]:
    """The sources of the open notebook's cells, as the editor holds them."""
    return page.evaluate(f"() => {NOTEBOOK}.content.model.sharedModel.cells.map(c => c.getSource())")


def saved_cells(page) -> str:
    """The open notebook's cells as saved in browser storage (not as the editor shows them)."""
    return page.evaluate(f"""async () => {{
      const contents = window.jupyterapp.serviceManager.contents;
      const saved = await contents.get({NOTEBOOK}.context.path, {{content: true}});
      return JSON.stringify(saved.content.cells);
    }}""")


def notebook_model(page, path: str) -> dict:
    """The open notebook as the front end's model holds it (what a save would write)."""
    return page.evaluate(f"(path) => ({PANEL_JS})(path).context.model.toJSON()", path)


def rendered_outputs(page, path: str) -> list[str]:
    """The text drawn in each code cell's output area, in cell order ('' for no output)."""
    return page.evaluate(
        f"""(path) => ({PANEL_JS})(path).content.widgets
        .filter(cell => cell.model.type === 'code')
        .map(cell => cell.outputArea.node.textContent)""",
        path,
    )
