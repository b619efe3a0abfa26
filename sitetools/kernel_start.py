"""Start the Python kernel sooner: boot Pyodide while JupyterLab's front end loads.

Stock JupyterLite creates the kernel's Web Worker only once JupyterLab's front end has loaded and
opened the notebook, seconds after navigation; Pyodide's boot then starts from zero. A small
script in the app's page (PAGE_JS) creates the worker as the page starts and asks it to boot
Pyodide at once (patch_worker.py: siteEarlyBoot); the first kernel takes that worker instead of
creating its own (one exact replacement in the kernel extension's chunk that holds the
PyodideKernel class, CHUNK_REPLACEMENTS; if it no longer matches exactly once the build stops).
The front end and Python load side by side.

Tried and left out (bench/RESULTS.md): kernels of hidden tabs (a restored layout) waiting until
their tab is shown; restoring a layout in a new browser session then left the notebook's kernel
unstarted.
"""

from __future__ import annotations

import json
from pathlib import Path

from sitetools.patch_worker import PatchError, replace_exactly

# The chunk of the kernel extension that defines PyodideKernel (kernel.ts), as 0.8.6 builds it.
KERNEL_CHUNK = "393.d0cf8b3e64df6b99.js"
EXTENSION_STATIC = "extensions/@jupyterlite/pyodide-kernel-extension/static/"

CHUNK_REPLACEMENTS = [
    # The worker the page started early, if it is the one this kernel would create.
    (
        'initWorker(e){let t=e=>new Worker(e,{type:"module"});',
        'initWorker(e){let t=e=>globalThis.__siteTakeKernelWorker?.(e)??new Worker(e,{type:"module"});',
    ),
]

MARKER = "<!-- sitetools/kernel_start.py -->"

PAGE_JS = """<script>
/* Added by the site (sitetools/kernel_start.py): boot Python while the page loads. */
(() => {
  if (!/(\\/|\\/index\\.html)$/.test(location.pathname)) {
    return;  // this page redirects first
  }
  const WORKERS = __WORKERS__;
  const PYODIDE_URL = __PYODIDE_URL__;
  const LOAD_PYODIDE_OPTIONS = __LOAD_PYODIDE_OPTIONS__;
  const configData = document.getElementById('jupyter-config-data');
  const root = new URL(`${configData.dataset.jupyterLiteRoot}/`, location.href);
  const workerUrl = new URL(WORKERS[crossOriginIsolated ? 'coincident' : 'comlink'], root).href;
  const pyodideUrl = new URL(PYODIDE_URL, root).href;
  let early = null;
  try {
    early = new Worker(workerUrl, { type: 'module' });
    early.postMessage({ siteEarlyBoot: {
      pyodideUrl,
      indexUrl: pyodideUrl.slice(0, pyodideUrl.lastIndexOf('/') + 1),
      loadPyodideOptions: LOAD_PYODIDE_OPTIONS,
    } });
  } catch (error) {
    console.warn('could not start the kernel worker early; the kernel starts its own', error);
  }
  // The kernel's initWorker asks here first (the chunk's patch).
  globalThis.__siteTakeKernelWorker = (url) => {
    if (early && String(url) === workerUrl) {
      const worker = early;
      early = null;
      return worker;
    }
    return undefined;
  };

})();
</script>"""


class KernelStartError(Exception):
    pass


def patch_chunk(name: str, source: str) -> str:
    """The patched text of the kernel extension's chunk; PatchError if upstream changed."""
    if "__siteTakeKernelWorker" in source:
        raise PatchError(f"{name} is already patched")
    return replace_exactly(name, source, CHUNK_REPLACEMENTS, "sitetools/kernel_start.py")


def page_script(dist: Path) -> str:
    """PAGE_JS with this site's worker files, pyodideUrl and loadPyodideOptions."""
    config = json.loads((dist / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config.get("litePluginSettings", {}).get("@jupyterlite/pyodide-kernel-extension:kernel", {})
    if "pyodideUrl" not in kernel:
        raise KernelStartError("jupyter-lite.json names no pyodideUrl for the kernel")
    workers = {}
    for kind in ("comlink", "coincident"):
        (found,) = (dist / EXTENSION_STATIC).glob(f"{kind}.worker.*.js")
        workers[kind] = EXTENSION_STATIC + found.name
    return (
        PAGE_JS.replace("__WORKERS__", json.dumps(workers))
        .replace("__PYODIDE_URL__", json.dumps(kernel["pyodideUrl"]))
        .replace("__LOAD_PYODIDE_OPTIONS__", json.dumps(kernel.get("loadPyodideOptions", {})))
    )


def app_pages(dist: Path) -> list[Path]:
    """The pages that load a JupyterLite app (the others only redirect)."""
    pages = [p for p in sorted(dist.rglob("index.html")) if 'id="jupyter-lite-main"' in p.read_text()]
    return [p for p in pages if "api" not in p.relative_to(dist).parts]


def add_page_script(dist: Path) -> int:
    """Put PAGE_JS in every app page, before the app's own scripts; return how many pages."""
    script = f"{MARKER}\n{page_script(dist)}\n"
    pages = app_pages(dist)
    for page in pages:
        html = page.read_text()
        if MARKER in html:
            continue
        anchor = '<script id="jupyter-config-data"'
        if html.count(anchor) != 1:
            raise KernelStartError(f"{page}: no single {anchor!r} to put the start-up script after")
        end = html.index("</script>", html.index(anchor)) + len("</script>")
        page.write_text(html[:end] + "\n" + script + html[end:])
    return len(pages)


def check_pages(dist: Path) -> list[str]:
    pages = app_pages(dist)
    if not pages:
        return ["no app page (index.html loading JupyterLite) in the site"]
    return [
        f"{p.relative_to(dist)} lacks the kernel start-up script (sitetools/kernel_start.py)"
        for p in pages
        if MARKER not in p.read_text()
    ]
