"""The kernel starts sooner, only where the learner looks, and still completes code
(sitetools/kernel_start.py, patch_worker.py's early boot, precompress.py). In the real site, Chromium."""

from sitetools import CONTENT
from sitetools.harness import notebook as ui
from sitetools.harness.outputs import output_text

NOTEBOOKS = sorted(p.name for p in CONTENT.glob("*.ipynb"))
# Counts the kernel workers the page creates (the Worker constructor, wrapped before any script).
COUNT_WORKERS_JS = """(() => {
  const Original = window.Worker;
  window.__kernelWorkers = 0;
  window.Worker = function (url, options) {
    if (String(url).includes('pyodide-kernel-extension')) window.__kernelWorkers += 1;
    return new Original(url, options);
  };
  window.Worker.prototype = Original.prototype;
})();"""
STATUS_OF_JS = f"""(path) => {{
  const panel = ({ui.PANEL_JS})(path);
  return panel?.sessionContext?.session?.kernel?.status ?? 'no kernel yet';
}}"""
COMPLETE_JS = f"""async (code) => {{
  const kernel = {ui.NOTEBOOK}.sessionContext.session.kernel;
  return (await kernel.requestComplete({{code, cursor_pos: code.length}})).content;
}}"""


def test_the_first_kernel_takes_the_python_booted_while_the_page_loaded(page, base_url):
    requested = []
    page.on("request", lambda request: requested.append(request.url.rsplit("/", 1)[-1]))
    ui.open_notebook(page, base_url, NOTEBOOKS[0])
    # The interpreter came gzipped (sitetools/precompress.py), once.
    assert [name for name in requested if ".wasm" in name] == ["pyodide.asm.wasm.gz"], requested
    assert output_text(ui.run_code(page, "import js\nprint(js.siteEarlyBoot)")) == "used\n"
    ui.restart_kernel(page)  # a restart boots a new worker of its own
    shown = output_text(ui.run_code(page, "import js\nprint(js.siteEarlyBoot, 6 * 7)"))
    assert shown == "none 42\n", f"after a restart the kernel printed {shown!r}"


def test_completion_asks_the_kernel_loading_jedi_then(page, base_url):
    """What Tab sends: a complete_request from the notebook's kernel connection, as JupyterLab's
    completer sends it. (The popup itself was checked by hand; a clicked-and-Tab version of this
    test passed alone and timed out in the full run: to be made reliable, issue 13's note.)"""
    ui.open_notebook(page, base_url, NOTEBOOKS[0])
    # jedi, which only completion uses, is loaded at the first completion, not at start-up.
    loaded = "import math, sys\nprint('jedi' in sys.modules)"
    assert output_text(ui.run_code(page, loaded)) == "False\n"
    reply = page.evaluate(COMPLETE_JS, "math.sqr")
    assert reply["status"] == "ok" and "sqrt" in reply["matches"], reply
    assert output_text(ui.run_code(page, loaded)) == "True\n"
