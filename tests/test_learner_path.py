"""The tour as a learner takes it: one browser profile, the six notebooks opened one after another
(each through its link, lab/index.html?path=...), each run from top to bottom, the earlier ones
left open, so every page load restores the tabs before it (issue 19).

The parity run closes every tab and shuts every kernel down between notebooks; this path does
not. In it, kernels once started without /drive (working directory /home/pyodide), so the notebooks
that read content/data failed: the kernel decided whether to mount /drive before JupyterLite's
service worker was registered. Every engine.
"""

import nbformat

from sitetools import CONTENT
from tests.harness import notebook as ui
from tests.harness import outputs

NOTEBOOKS = sorted(CONTENT.glob("*.ipynb"))
WHERE_JS = f"""async () => {{
  const kernel = {ui.NOTEBOOK}.sessionContext.session.kernel;
  const future = kernel.requestExecute({{code: 'import os; print(os.getcwd())', silent: false,
                                        store_history: false}});
  let printed = '';
  future.onIOPub = (msg) => {{ if (msg.header.msg_type === 'stream') printed += msg.content.text; }};
  await future.done;
  return printed.trim();
}}"""


def test_six_notebooks_in_one_profile_each_run_top_to_bottom(engine, engine_page, base_url):
    failures = []
    for path in NOTEBOOKS:
        ui.open_notebook(engine_page, base_url, path.name)
        # Asked of the kernel directly, so the notebook itself is not changed.
        where = engine_page.evaluate(WHERE_JS)
        assert where == "/drive", f"{path.name}'s kernel started in {where}, not /drive ({engine})"
        fresh = ui.run_cells(engine_page)
        stored = nbformat.read(path, as_version=4)
        differ, _ = outputs.compare_notebook(stored, fresh, outputs.sanitize_patterns())
        failures += [f"{path.name}: {failure}" for failure in differ]
    ui.close_everything(engine_page)
    assert not failures, f"{len(failures)} cell(s) differ on the learner's path in {engine}:\n" + "\n".join(
        failures
    )
