"""Drive the built JupyterLite site in Debian's headless Chromium, like a learner would.

Used by the tests (through the fixtures in conftest.py) and by `python -m tests.regen_outputs`.
Everything is real: the site in dist/ served by `python -m http.server` on 127.0.0.1, Chromium
through Playwright, the Pyodide kernel in a Web Worker. Nothing may leave 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import urlopen

import nbformat
from playwright.sync_api import Error as PlaywrightError
from nbval.plugin import coalesce_streams, get_sanitize_patterns, transform_streams_for_comparison

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
CONTENT = ROOT / "content"
SANITIZE = Path(__file__).with_name("sanitize.cfg")

# As measured on this machine (see STACK.md): cold kernel idle takes about 7 s.
KERNEL_IDLE_TIMEOUT = 120.0
CELL_TIMEOUT = 90.0
STDIN_ANSWER = "Ada"  # what the runner types when a cell calls input()

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Any host but the loopback names is unresolvable: a request that tries to leave fails at
    # once (and the request listener below names it), while the HTTP cache keeps working.
    # localhost stays: notebook 4 fetches through it to show a real cross-origin refusal.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]

# The same rules as nbval (nbval/plugin.py IPyNbFile.skip_compare, without nbdime): these keys
# are never compared. Images are checked for presence only (see compare_outputs).
SKIP_COMPARE = {"metadata", "traceback", "prompt_number", "output_type", "name",
                "execution_count", "application/vnd.jupyter.widget-view+json"}
IMAGES = {"image/png", "image/jpeg"}


# Names that stay on this machine: anything else is a request leaving 127.0.0.1.
LOOPBACK = {"127.0.0.1", "localhost"}


class LiteError(AssertionError):
    """A failure in the browser, with what the learner (and the worker's console) saw."""


# --- the site --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(directory: Path = DIST, isolated: bool = False):
    """Serve a built site with `python -m http.server` on 127.0.0.1 and a free port.

    isolated: serve with COOP/COEP headers instead (bench/isolated_server.py).
    """
    if not (directory / "jupyter-lite.json").exists():
        raise LiteError(f"{directory} holds no built site: run `make site` (scripts/build_site.py)")
    port = free_port()
    if isolated:
        cmd = [sys.executable, "-m", "bench.isolated_server", str(port), str(directory)]
    else:
        cmd = [sys.executable, "-m", "http.server", "-b", "127.0.0.1", str(port), "--directory", str(directory)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urlopen(url + "jupyter-lite.json", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise LiteError(f"http.server did not start on {url}")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- the browser -----------------------------------------------------------------------------

def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        raise LiteError("Debian's chromium is not installed: run `apt-get install -y chromium` "
                        "(`make test` does it). Never `playwright install`: it downloads a browser.")
    return path


@dataclass
class Watch:
    """Everything a page and its workers did that a test may need to judge or show.

    The kernel's worker logs through the page's console events, so `console` holds both.
    """

    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)

    def attach(self, context) -> None:
        context.on("request", self._request)
        context.on("page", self._page)
        for page in context.pages:
            self._page(page)

    def _page(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def _console(self, msg) -> None:
        line = f"[{msg.type}] {msg.text}"
        self.console.append(line)
        # Not an error by itself: every load asks for /favicon.ico (404), and notebook 4 shows a
        # 404 on purpose. A vendored file that fails to load stops the kernel, which fails anyway.
        if msg.type == "error" and "Failed to load resource" not in msg.text:
            self.errors.append(f"console error: {msg.text}")

    def _request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOOPBACK:
            self.offsite.append(request.url)

    def console_tail(self, n: int = 40) -> str:
        return "\n".join(self.console[-n:]) or "(the console is empty)"


@contextlib.contextmanager
def browser(playwright, profile: Path | None = None, **options):
    """Headless Debian Chromium with a persistent profile (a fresh one unless given).

    options go to Playwright's launch_persistent_context (e.g. service_workers="block")."""
    with contextlib.ExitStack() as stack:
        if profile is None:
            profile = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lite-profile-")))
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900}, **options)
        stack.callback(context.close)
        watch = Watch()
        watch.attach(context)
        context.watch = watch
        yield context


# --- the notebook UI -------------------------------------------------------------------------

KERNEL_STATUS_JS = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
                 && panel.sessionContext.session.kernel;
  return kernel ? kernel.status : (panel ? 'no kernel yet' : 'no notebook yet');
}"""


def open_notebook(page, base_url: str, path: str) -> None:
    """Open a notebook of the site in JupyterLab and wait until its Pyodide kernel is idle."""
    page.goto(f"{base_url}lab/index.html?path={path}")
    wait_idle(page, what=f"opening {path}")


def wait_idle(page, what: str, timeout: float = KERNEL_IDLE_TIMEOUT) -> float:
    started = time.monotonic()
    status = "page not loaded"
    while time.monotonic() - started < timeout:
        with contextlib.suppress(Exception):
            status = page.evaluate(KERNEL_STATUS_JS)
        if status == "idle":
            return time.monotonic() - started
        time.sleep(0.2)
    watch = page.context.watch
    raise LiteError(f"{what}: the Pyodide kernel was not idle after {timeout:.0f} s "
                    f"(status: {status}). Worker and page console:\n{watch.console_tail()}")


def code_cell_indices(page) -> list[int]:
    return page.evaluate("""() => {
      const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
      const out = [];
      for (let i = 0; i < cells.length; i++) if (cells.get(i).type === 'code') out.push(i);
      return out;
    }""")


def start_cell(page, index: int) -> None:
    """Select a cell and press Run, as the learner would; do not wait for it."""
    page.evaluate("""(i) => {
      const app = window.jupyterapp;
      const nb = app.shell.currentWidget.content;
      nb.activeCellIndex = i;
      nb.deselectAll();
      window.__cellRun = {done: false, error: null};
      app.commands.execute('notebook:run-cell').then(
        () => { window.__cellRun.done = true; },
        (e) => { window.__cellRun.done = true; window.__cellRun.error = String(e); });
    }""", index)


def answer_input(page) -> None:
    """Type STDIN_ANSWER into an input() box, if one is waiting; each box is answered once."""
    stdin = page.query_selector(".jp-Stdin-input:not([data-answered])")
    if stdin:  # the box may vanish while we type
        with contextlib.suppress(PlaywrightError):
            stdin.evaluate("(box) => box.setAttribute('data-answered', '1')")
            stdin.fill(STDIN_ANSWER)
            stdin.press("Enter")


def run_cell(page, index: int, timeout: float = CELL_TIMEOUT) -> list[dict]:
    """Run one cell, answer input() prompts, return its outputs (nbformat dicts)."""
    start_cell(page, index)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        state = page.evaluate("() => window.__cellRun")
        if state["done"]:
            if state["error"]:
                raise LiteError(f"cell {index}: JupyterLab could not run it: {state['error']}")
            return page.evaluate(
                "(i) => window.jupyterapp.shell.currentWidget.content.model.cells.get(i).toJSON().outputs",
                index)
        answer_input(page)
        time.sleep(0.1)
    raise LiteError(f"cell {index} did not finish within {timeout:.0f} s. Worker and page console:\n"
                    f"{page.context.watch.console_tail()}")


def run_notebook(page, base_url: str, path: str) -> dict[int, list[dict]]:
    """Open a notebook, run every code cell in order, return {cell index: outputs}."""
    open_notebook(page, base_url, path)
    outputs = {}
    for index in code_cell_indices(page):
        outputs[index] = run_cell(page, index)
    close_everything(page)
    return outputs


def close_everything(page) -> None:
    """Leave nothing behind for the next notebook: kernels and tabs (else the workspace restores them)."""
    page.evaluate("""async () => {
      const app = window.jupyterapp;
      await app.serviceManager.sessions.shutdownAll();
      await app.commands.execute('docmanager:close-all-files').catch(() => {});
    }""")


# --- comparing outputs the way nbval does ----------------------------------------------------

def sanitize_patterns(path: Path = SANITIZE) -> list[tuple[str, str]]:
    return get_sanitize_patterns(path.read_text())


def sanitize(value, patterns):
    if not isinstance(value, str):
        return value
    for regex, replace in patterns:
        value = re.sub(regex, replace, value)
    return value


def _flatten(outputs: list[dict], patterns) -> tuple[dict[str, list], int]:
    nodes = coalesce_streams([nbformat.from_dict(o) for o in outputs])
    flat: dict[str, list] = {}
    images = 0
    for out in transform_streams_for_comparison(nodes):
        for key, value in out.items():
            if key in SKIP_COMPARE:
                continue
            if key == "data":
                for mime, data in value.items():
                    if mime in IMAGES:
                        images += 1
                    elif mime not in SKIP_COMPARE:
                        flat.setdefault(mime, []).append(sanitize(_text(data), patterns))
            else:
                flat.setdefault(key, []).append(sanitize(_text(value), patterns))
    return flat, images


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def compare_outputs(stored: list[dict], fresh: list[dict], patterns) -> str | None:
    """None when the outputs agree under nbval's rules; otherwise what differs."""
    want, want_images = _flatten(stored, patterns)
    got, got_images = _flatten(fresh, patterns)
    if want.keys() != got.keys():
        return (f"output fields differ: stored {sorted(want)}, got {sorted(got)}\n"
                f"  stored: {want}\n  got:    {got}")
    for key in want:
        if want[key] != got[key]:
            return f"'{key}' differs\n  stored: {want[key]!r}\n  got:    {got[key]!r}"
    if got_images < want_images:
        return f"stored output has {want_images} image(s), the run produced {got_images}"
    return None


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def first_line(cell) -> str:
    source = _text(cell.get("source", "")).strip()
    return source.splitlines()[0] if source else "(empty)"


def compare_notebook(nb, fresh: dict[int, list[dict]], patterns) -> tuple[list[str], set[str]]:
    """Compare a browser run with a notebook's stored outputs, cell by cell.

    Returns the failures (the cell numbered as nbval does, "Cell N" counting code cells from 0,
    its id, the first line of its source, what differs) and the ids of the cells compared.
    """
    failures, compared = [], set()
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for number, (index, cell) in enumerate(code_cells):
        compared.add(cell.get("id"))
        diff = compare_outputs(cell.outputs, fresh.get(index, []), patterns)
        if diff:
            failures.append(f"Cell {number} (id {cell.get('id')}) `{first_line(cell)}`: {diff}")
    return failures, compared


@contextlib.contextmanager
def exclusive_site():
    """Hold dist/ for this process: a build replaces it under any browser that is using it."""
    import fcntl

    lock = ROOT / "build" / "site.lock"
    lock.parent.mkdir(exist_ok=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield


def new_notebook(page, base_url: str) -> None:
    """File > New > Notebook, as a learner does; waits for the Pyodide kernel to be idle."""
    page.goto(f"{base_url}lab/index.html")
    page.get_by_role("menuitem", name="File").click()
    page.get_by_text("New", exact=True).hover()
    page.get_by_role("menuitem", name="Notebook", exact=True).click()
    # No "Select Kernel" dialog: overrides.json starts the one Pyodide kernel by itself.
    wait_idle(page, what="a new notebook")


def run_code(page, code: str, timeout: float = CELL_TIMEOUT) -> list[dict]:
    """Put `code` in a new cell at the end of the open notebook, run it, return its outputs."""
    return run_cell(page, add_cell(page, code), timeout)


def add_cell(page, code: str) -> int:
    """Append a code cell holding `code` to the open notebook; return its index."""
    return page.evaluate("""(code) => {
      const nb = window.jupyterapp.shell.currentWidget.content;
      const cells = nb.model.sharedModel;
      cells.insertCell(cells.cells.length, {cell_type: 'code', source: code});
      return nb.model.cells.length - 1;
    }""", code)


def cell_outputs_text(page, index: int) -> str:
    """output_text of a cell of the open notebook (index -1: the last)."""
    return output_text(page.evaluate("""(i) => {
      const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
      return cells.get(i < 0 ? cells.length + i : i).outputs.toJSON();
    }""", index))


def output_text(outputs: list[dict]) -> str:
    """What the learner reads: streams, text/plain results and errors, joined."""
    parts = []
    for out in outputs:
        if out["output_type"] == "stream":
            parts.append(_text(out["text"]))
        elif out["output_type"] == "error":  # the traceback's last line, as the UI shows it
            lines = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(out["traceback"])).strip().splitlines()
            parts.append(lines[-1] if lines else f"{out['ename']}: {out['evalue']}")
        else:
            parts.append(_text(out.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def save(page) -> None:
    """Ctrl+S; the first save of an untitled notebook asks for a name: keep the proposed one."""
    page.keyboard.press("Control+s")
    rename = page.get_by_role("button", name="Rename and Save")
    with contextlib.suppress(Exception):
        rename.click(timeout=3000)
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty",
                           timeout=10000)


def cell_sources(page) -> list[str]:
    """The sources of the open notebook's cells, as the editor holds them."""
    return page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.model
                               .sharedModel.cells.map(c => c.getSource())""")


# --- a notebook as the front end holds it ----------------------------------------------------

# The panel of an open notebook found by its path, not by focus (headless Firefox gives the page
# no focus, so shell.currentWidget can be null there).
PANEL_JS = """(path) => {
  for (const w of window.jupyterapp?.shell.widgets('main') ?? []) if (w.context?.path === path) return w;
  return null;
}"""


def open_without_running(page, base_url: str, path: str) -> None:
    """Open a notebook as a learner first sees it: loaded and drawn, no cell run."""
    page.goto(f"{base_url}lab/index.html?path={path}")
    page.wait_for_function(f"(path) => ({PANEL_JS})(path)?.context.isReady", arg=path,
                           timeout=KERNEL_IDLE_TIMEOUT * 1000)


def notebook_model(page, path: str) -> dict:
    """The open notebook as the front end's model holds it (what a save would write)."""
    return page.evaluate(f"(path) => ({PANEL_JS})(path).context.model.toJSON()", path)


def rendered_outputs(page, path: str) -> list[str]:
    """The text drawn in each code cell's output area, in cell order ('' for no output)."""
    return page.evaluate(f"""(path) => ({PANEL_JS})(path).content.widgets
        .filter(cell => cell.model.type === 'code')
        .map(cell => cell.outputArea.node.textContent)""", path)
