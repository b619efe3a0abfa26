"""Start the Python kernel sooner, and only for the notebook the learner sees.

Two changes to how jupyterlite-pyodide-kernel 0.8.6 starts a kernel, put into the built site by
the build's addon (addons.py), the chunk pinned like the workers (vendor-pins.json):

* **Early boot.** Stock JupyterLite creates the kernel's Web Worker only once JupyterLab's front
  end has loaded and opened the notebook, about 4 s after navigation here; Pyodide's boot then
  starts from zero. A small script in the app's page (PAGE_JS) creates the worker as the page
  starts and asks it to boot Pyodide at once (patch_worker.py: siteEarlyBoot); the first kernel
  takes that worker instead of creating its own. The front end and Python load side by side.
* **Kernels of hidden notebooks wait.** A returning learner's layout reopens every notebook left
  open, and JupyterLab starts a kernel for each: six Pyodides booting at once made the one in
  front wait 24 s. Here a kernel boots when its notebook (or console) is visible; until then
  JupyterLab shows its status as "Unknown", and it boots the moment its tab is shown.

Both are in the page (PAGE_JS) and in two exact replacements of the kernel extension's chunk
that holds the PyodideKernel class (CHUNK_REPLACEMENTS); a replacement that no longer matches
exactly once stops the build.
"""

from __future__ import annotations

import json
from pathlib import Path

from sitetools.patch_worker import PatchError, replace_exactly

# The chunk of the kernel extension that defines PyodideKernel (kernel.ts), as 0.8.6 builds it.
KERNEL_CHUNK = "393.d0cf8b3e64df6b99.js"
EXTENSION_STATIC = "extensions/@jupyterlite/pyodide-kernel-extension/static/"

CHUNK_REPLACEMENTS = [
    # The constructor creates the worker and starts its initialize() at once: hand both to the page.
    (
        "this._worker=this.initWorker(e),this._remoteKernel=this.initRemote(e),",
        "globalThis.__siteStartKernel?__siteStartKernel(this,e):"
        "(this._worker=this.initWorker(e),this._remoteKernel=this.initRemote(e)),",
    ),
    # The worker the page started early, if it is the one this kernel would create.
    (
        'initWorker(e){let t=e=>new Worker(e,{type:"module"});',
        'initWorker(e){let t=e=>globalThis.__siteTakeKernelWorker?.(e)??new Worker(e,{type:"module"});',
    ),
]

MARKER = "<!-- sitetools/kernel_start.py -->"

PAGE_JS = """<script>
/* Added by the site (sitetools/kernel_start.py): boot Python while the page loads, and start a
   kernel only when its notebook is visible. */
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

  // true: a visible notebook or console shows this kernel, or nothing ever will; false: only
  // hidden ones do; null: the session is not known yet.
  const wanted = (kernelId) => {
    const app = window.jupyterapp;
    if (!app || !app.serviceManager || !app.shell) {
      return true;
    }
    const sessions = [...app.serviceManager.sessions.running()];
    const session = sessions.find((s) => s.kernel && s.kernel.id === kernelId);
    if (!session) {
      return null;
    }
    let shown = 0;
    for (const widget of app.shell.widgets('main')) {
      const path = (widget.context || widget.sessionContext || {}).path;
      if (path === session.path) {
        shown += 1;
        if (widget.isVisible) {
          return true;
        }
      }
    }
    return shown === 0;
  };
  const UNKNOWN_SESSION_MS = 5000;  // a kernel no session names (started by code): start it anyway
  globalThis.__siteStartKernel = (kernel, options) => {
    kernel._worker = { terminate() {} };  // dispose() before the start terminates nothing
    kernel.ready.catch(() => {});  // ... and its "disposed" rejection is expected, not an error
    const since = Date.now();
    const startWhenWanted = () => {
      if (kernel.isDisposed) {
        return;
      }
      const now = wanted(kernel.id);
      if (now || (now === null && Date.now() - since > UNKNOWN_SESSION_MS)) {
        kernel._worker = kernel.initWorker(options);
        kernel._remoteKernel = kernel.initRemote(options);
      } else {
        setTimeout(startWhenWanted, 50);
      }
    };
    startWhenWanted();
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
