"""Patch the Pyodide kernel's Web Worker: when the Python runtime stops, say so instead of hanging.

jupyterlite-pyodide-kernel 0.8.6 runs every request of the page (execute, complete, inspect, ...)
in a Web Worker (comlink.worker.*.js; coincident.worker.*.js on a cross-origin isolated page).
When the Pyodide runtime stops for good (a fatal error such as a WebAssembly trap or a JavaScript
stack overflow, or an exit of the process: `os._exit()`, `os.abort()`, a signal), Pyodide calls
`pyodide._api.on_fatal` and throws. The cell's Python task dies inside an event-loop callback,
so the promise the worker awaits for the cell never settles: upstream only logs the error to
the log console, and the cell stays Busy forever. Every later request would touch the dead
runtime and fail before it could answer, so the cells queued after it hang too.

This patch, applied to the files `jupyter lite build` copies into dist/:

* remembers, in on_fatal, that the runtime stopped and why (before upstream's logging);
* answers the cell that was running with an error output in plain words (what happened, that
  the kernel's state is lost, "restart the kernel") and an error reply, so the kernel goes back
  from Busy and JupyterLite cancels the cells queued after it, as after any error;
* answers every later request without touching Python: a cell gets the same error at once,
  completion and inspection get empty answers. Kernel > Restart Kernel starts a new worker.

It also lets the worker boot Pyodide before the kernel asks it to (sitetools/kernel_start.py
starts the worker while JupyterLab's front end is still loading):

* a message {siteEarlyBoot: {pyodideUrl, indexUrl, loadPyodideOptions}} sent right after the
  worker is created starts loadPyodide (with the start-up packages of the site's settings) and
  imports pyodide_kernel, which starts its IPython shell: most of the kernel's start-up;
* the kernel's own loadPyodide then takes that runtime if it asks for the same files and
  options, and boots as upstream does otherwise (or if the early boot failed).

It fetches the interpreter gzipped where the site has the .gz (precompress.py), and loads jedi
(only code completion uses it) at the first completion request instead of at start-up.

Each replacement must find its upstream text exactly once in each worker, or the build stops;
the inputs and outputs are pinned by sha256 in vendor-pins.json ("kernel_workers") and
recorded in provenance.json. The readable guard code is put at the top of each file.
"""

from __future__ import annotations

import json
import re

from sitetools import precompress

# Prepended to each worker module. Plain JavaScript, no dependency on the minified names.
GUARD_JS = r"""/* Patched by the site (sitetools/patch_worker.py): when the Python runtime stops (a fatal
   error of Pyodide, or an exit of the process), the running cell and every later request get an
   answer that says so, instead of waiting forever for a runtime that will never answer. */
function __siteGuardRuntimeStops(kernel) {
  let stop = null; // {cause, reported} once the runtime has stopped
  const running = new Set(); // how to settle each request that is waiting for Python
  const STOPPED = {};
  kernel._runtimeStopped = (error) => {
    if (!stop) {
      stop = { cause: __siteStopCause(error), reported: false };
      running.forEach((settle) => settle(STOPPED));
    }
  };
  const cellError = () => {
    const first = stop.reported
      ? `Python stopped earlier in this kernel: ${stop.cause}`
      : `Python has stopped: ${stop.cause}`;
    stop.reported = true;
    return {
      ename: 'PythonStopped',
      evalue: first,
      traceback: [
        `\x1b[0;31m${first}\x1b[0m`,
        'Everything the kernel held is lost: variables, imports, files written under /tmp.',
        'No cell can run until you restart the kernel: Kernel > Restart Kernel\u2026 ' +
          '(your notebook and the files in /drive are kept).',
      ],
    };
  };
  // What each request gets once Python has stopped; none of them touches Python.
  const answers = {
    execute(content, parent) {
      const error = cellError();
      kernel._sendWorkerMessage({ parentHeader: parent && parent.header, bundle: error, type: 'execute_error' });
      return { status: 'error', ...error };
    },
    complete: (content) => ({ status: 'ok', matches: [], cursor_start: content.cursor_pos,
                              cursor_end: content.cursor_pos, metadata: {} }),
    inspect: () => ({ status: 'ok', found: false, data: {}, metadata: {} }),
    isComplete: () => ({ status: 'unknown' }),
    commInfo: () => ({ status: 'ok', comms: {} }),
    commOpen: () => undefined,
    commMsg: () => undefined,
    commClose: () => undefined,
  };
  for (const [name, answer] of Object.entries(answers)) {
    const upstream = kernel[name];
    kernel[name] = async (content, parent) => {
      if (!stop) {
        let settle;
        const stopped = new Promise((resolve) => { settle = resolve; });
        running.add(settle);
        try {
          const result = await Promise.race([upstream.call(kernel, content, parent), stopped]);
          if (result !== STOPPED) {
            return result;
          }
        } catch (err) {
          if (!stop) {
            throw err;
          }
        } finally {
          running.delete(settle);
        }
      }
      return answer(content, parent);
    };
  }
}

function __siteStopCause(error) {
  const name = (error && error.name) || 'Error';
  const message = String((error && error.message) || error).split('\n')[0];
  if (name === 'Exit') {
    const status = error.status === undefined ? '' : ` with status ${error.status}`;
    return `the Python process exited${status}. os._exit() and signals such as SIGTERM end the ` +
      'whole process, not only the cell.';
  }
  let why = `the Pyodide runtime suffered a fatal error (${name}: ${message}).`;
  if (/call stack size|too much recursion/i.test(message)) {  // Chromium, Firefox
    why += ' The WebAssembly stack ran out: recursion went too deep inside C code.';
  } else if (name === 'RuntimeError') {
    why += ' This is a WebAssembly trap: C code crashed or called abort().';
  }
  return why;
}


/* Patched by the site (sitetools/patch_worker.py): jedi (2.3 MB with parso) serves only code
   completion, so the kernel starts without it and loads it at the first completion request. */
function __siteLoadJediOnFirstCompletion(kernel) {
  const upstream = kernel.complete;
  let loaded = null;
  kernel.complete = async function (content, parent) {
    await this._initialized;
    if (!loaded) {
      loaded = (async () => {
        try {
          await this._pyodide.loadPackage(['jedi'], { messageCallback: () => {} });
          // IPython's completer looked for jedi when it was imported, before jedi was there.
          this._pyodide.runPython([
            'import jedi, jedi.api.helpers, jedi.api.classes, IPython.core.completer as completer',
            'jedi.settings.case_insensitive_completion = False',
            'completer.jedi, completer.JEDI_INSTALLED = jedi, True',
          ].join('\n'));
        } catch (error) {
          console.warn('jedi could not be loaded: completion without it', error);
          this._pyodide.runPython('get_ipython().Completer.use_jedi = False');
        }
      })();
    }
    await loaded;
    return upstream.call(this, content, parent);
  };
}

/* Patched by the site (sitetools/precompress.py): the files named here are fetched as NAME.gz and
   unpacked in the browser (DecompressionStream), so any static host sends a third of the bytes.
   If NAME.gz is not there, or the browser cannot unpack, NAME is fetched as it is. */
const __siteGzipped = new Set(__GZIPPED__);
const __siteTypes = { wasm: 'application/wasm', json: 'application/json', zip: 'application/zip' };
const __siteFetch = self.fetch.bind(self);
self.fetch = async (resource, init) => {
  const url = new URL(resource instanceof Request ? resource.url : String(resource), self.location.href);
  const name = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  if (!__siteGzipped.has(name) || typeof DecompressionStream !== 'function' || (init && init.integrity)) {
    return __siteFetch(resource, init);
  }
  url.pathname += '.gz';
  const packed = await __siteFetch(url.href, { credentials: init && init.credentials });
  if (!packed.ok || !packed.body) {
    return __siteFetch(resource, init);
  }
  const type = __siteTypes[name.slice(name.lastIndexOf('.') + 1)] || 'application/octet-stream';
  return new Response(packed.body.pipeThrough(new DecompressionStream('gzip')), {
    status: 200,
    headers: { 'Content-Type': type },
  });
};

/* Patched by the site (sitetools/patch_worker.py): an early boot. The page starts this worker
   while JupyterLab's front end is still loading and sends {siteEarlyBoot}; Pyodide then boots
   (and imports the kernel) while the page gets ready, and the kernel's initialize() takes it. */
let __siteEarly = null;
self.addEventListener('message', (event) => {
  const request = event.data && event.data.siteEarlyBoot;
  if (!request) {
    return;
  }
  event.stopImmediatePropagation();  // not a message for the kernel's RPC layer
  if (__siteEarly) {
    return;
  }
  const early = { request, stdout: (m) => console.log(m), stderr: (m) => console.error(m) };
  early.pyodide = (async () => {
    const { loadPyodide } = await Function('url', 'return import(url)')(request.pyodideUrl);
    const pyodide = await loadPyodide({
      indexURL: request.indexUrl,
      stdout: (m) => early.stdout(m),
      stderr: (m) => early.stderr(m),
      ...request.loadPyodideOptions,
    });
    // The kernel's own first import (its IPython shell): most of its start-up.
    await pyodide.runPythonAsync('import pyodide_kernel');
    return pyodide;
  })();
  early.pyodide.catch((e) => console.warn('early Pyodide boot failed; the kernel boots its own', e));
  __siteEarly = early;
});

// The kernel's initRuntime asks here first: the early runtime, if it was started for the same
// files and packages, as a stand-in for pyodide.mjs's {loadPyodide}; else null (upstream path).
function __siteEarlyPyodide(options) {
  const early = __siteEarly;
  __siteEarly = null;
  const same = early && early.request.pyodideUrl === options.pyodideUrl &&
    early.request.indexUrl === options.indexUrl &&
    JSON.stringify(early.request.loadPyodideOptions) === JSON.stringify(options.loadPyodideOptions || {});
  // What happened, for anyone who asks (`import js; js.siteEarlyBoot` in a cell, the tests).
  self.siteEarlyBoot = early ? 'not used: the kernel asked for other files or options' : 'none';
  if (!same) {
    return null;
  }
  return {
    loadPyodide: async (settings) => {
      early.stdout = settings.stdout;
      early.stderr = settings.stderr;
      try {
        const pyodide = await early.pyodide;
        self.siteEarlyBoot = 'used';
        return pyodide;
      } catch {
        self.siteEarlyBoot = 'failed: the kernel booted its own';
        const { loadPyodide } = await Function('url', 'return import(url)')(options.pyodideUrl);
        return loadPyodide(settings);
      }
    },
  };
}

"""

REPLACEMENTS = [
    # The base class's constructor ends by creating the promise every request waits for: add
    # the guard there, so that it wraps the methods both entry points expose (comlink's expose
    # and coincident's bind look them up on the instance).
    (
        "this._initialized=new Promise((e,t)=>{this._initializer={resolve:e,reject:t}})}",
        "this._initialized=new Promise((e,t)=>{this._initializer={resolve:e,reject:t}}),"
        "__siteLoadJediOnFirstCompletion(this),__siteGuardRuntimeStops(this)}",
    ),
    # The kernel installs jedi at start-up unless it is preloaded: it is loaded on first completion.
    (
        'for(let e of["ipykernel","comm","pyodide-kernel","jedi","ipython"])',
        'for(let e of["ipykernel","comm","pyodide-kernel","ipython"])',
    ),
    # Upstream's fatal-error hook only logs; tell the guard first.
    (
        "this._pyodide._api.on_fatal=async e=>{",
        "this._pyodide._api.on_fatal=async e=>{this._runtimeStopped(e);",
    ),
]


# initRuntime loads pyodide.mjs and calls its loadPyodide: ask the early boot first. The minified
# names differ between the two workers, so this one is a pattern (it must match once too).
EARLY_BOOT = (
    re.compile(
        r"async initRuntime\((\w+)\)\{let\{pyodideUrl:(\w+),indexUrl:(\w+)\}=\1,"
        r"\{loadPyodide:(\w+)\}=await (\w+)\(\2\);"
    ),
    r"async initRuntime(\1){let{pyodideUrl:\2,indexUrl:\3}=\1,"
    r"{loadPyodide:\4}=__siteEarlyPyodide(\1)??await \5(\2);",
)


# IPython records its first working directory (`_dh`) when the shell starts: with the early boot
# that was before the kernel mounted /drive and moved there, so record it again where upstream did.
# (Moving to /drive before the mount instead broke the mount when no service worker runs.)
DIRECTORY_HISTORY = (
    re.compile(r'(\w+)\.push\("import pyodide_kernel"\)'),
    r'\1.push("import pyodide_kernel","pyodide_kernel.ipython_shell.history_manager.dir_hist[:] = '
    "[__import__('pathlib').Path.cwd()]\")",
)


class PatchError(Exception):
    pass


def replace_exactly(name: str, source: str, replacements, owner: str) -> str:
    """Each (old, new) must find `old` exactly once in upstream's file, else PatchError."""
    for old, new in replacements:
        if source.count(old) != 1:
            raise PatchError(
                f"{name} no longer contains exactly one copy of {old[:60]!r}; review "
                f"{owner} against the new upstream release"
            )
        source = source.replace(old, new)
    return source


def patch_worker(name: str, source: str) -> str:
    """The patched text of one worker file; PatchError if upstream no longer matches exactly."""
    if "__siteGuardRuntimeStops" in source:
        raise PatchError(f"{name} is already patched")
    source = replace_exactly(name, source, REPLACEMENTS, "sitetools/patch_worker.py")
    for pattern, replacement in (EARLY_BOOT, DIRECTORY_HISTORY):
        source, found = pattern.subn(replacement, source)
        if found != 1:
            raise PatchError(
                f"{name}: {pattern.pattern[:50]!r} matched {found} times, not once; review "
                "sitetools/patch_worker.py against the new upstream release"
            )
    return GUARD_JS.replace("__GZIPPED__", json.dumps(precompress.GZIPPED)) + source
