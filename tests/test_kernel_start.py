"""The kernel starts sooner and still completes code
(sitetools/kernel_start.py, patch_worker.py's early boot, precompress.py). In the real site, Chromium."""

from sitetools import CONTENT
from sitetools.harness import notebook as ui
from sitetools.harness.outputs import output_text

NOTEBOOKS = sorted(p.name for p in CONTENT.glob("*.ipynb"))


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


def test_tab_completes_a_name_the_kernel_knows_loading_jedi_then(page, base_url):
    ui.open_notebook(page, base_url, NOTEBOOKS[0])
    # jedi, which only completion uses, is loaded at the first completion, not at start-up.
    loaded = "import math, sys\nprint('jedi' in sys.modules)"
    assert output_text(ui.run_code(page, loaded)) == "False\n"
    index = ui.add_cell(page, "math.sqr")
    editor = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("End")
    page.keyboard.press("Tab")
    # The kernel's answer: a list to choose from (the name appears nowhere in the notebook).
    page.locator(".jp-Completer-item", has_text="sqrt").wait_for(timeout=30_000)
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"(i) => {ui.NOTEBOOK}.content.model.sharedModel.cells[i].getSource() === 'math.sqrt'",
        arg=index,
        timeout=10_000,
    )
    assert output_text(ui.run_code(page, loaded)) == "True\n"
