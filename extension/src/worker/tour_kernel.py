"""The tutorial site's changes to the Pyodide kernel's Python side.

The site's kernel worker (src/worker/remote.ts) writes this module into the kernel's
site-packages and calls install() right after `import pyodide_kernel`:

* Buffered stdout and stderr. Upstream's LiteStream sends one message to the page for every
  write(), and the page redraws the growing output each time: 20,000 print() calls froze a tab
  for six minutes. Here text is sent at once when it is a cell's first or nothing was sent for
  FLUSH_INTERVAL; otherwise when FLUSH_INTERVAL has passed since the last send, when MAX_PENDING
  characters wait, before any other output (a display, clear_output, the cell's result, an
  input() prompt), at the end of every cell, and by a timer once the worker is free. (A timer
  cannot fire while Python is busy, so a cell that prints and then computes would otherwise show
  nothing until it ends.)
  One buffer for both streams keeps their order. The notebook shows the same text.
* input() and getpass() with nothing to answer them (no service worker: some private windows)
  raise EOFError saying why, where upstream returns None.
* Kernel > Interrupt raises KeyboardInterrupt only in the cell's own code, where IPython shows it.
  Python checks the interrupt byte wherever it runs: an Interrupt seen while the kernel's own
  Python prepares the cell (IPython compiling it, the kernel's code around it) escaped the kernel,
  and the cell never ended. There it is put back in the byte, and the cell's code raises it.

No browser is needed to test it: tests/test_tour_kernel.py runs it under CPython.
"""

from __future__ import annotations

import builtins
import getpass
import signal
import sys
import time
from pathlib import Path

FLUSH_INTERVAL = 0.2  # seconds
MAX_PENDING = 1_000_000  # characters

NO_ANSWER = (
    "input() got no answer: in JupyterLite it needs the site's service worker, which this "
    "browser window does not run (a private window, or service workers blocked). Open the "
    "site in a normal window, or put the value in the cell instead of asking for it."
)


class OutputBuffer:
    """Text written to stdout and stderr, in order, until it is sent to the page."""

    def __init__(self, set_timeout, clock=time.monotonic):
        self._set_timeout = set_timeout  # (callback, milliseconds): one call later, once
        self._clock = clock
        self._pending = []  # [[stream, [text, ...]], ...]
        self._pending_chars = 0
        self._last_sent = float("-inf")
        self._timer_set = False

    def begin_cell(self):
        """A cell's first text is sent at once, however recently the cell before it printed."""
        self.send_pending()
        self._last_sent = float("-inf")

    def write(self, stream, text):
        if self._pending and self._pending[-1][0] is stream:
            self._pending[-1][1].append(text)
        else:
            self._pending.append([stream, [text]])
        self._pending_chars += len(text)
        if self._pending_chars >= MAX_PENDING or self._clock() - self._last_sent >= FLUSH_INTERVAL:
            self.send_pending()
        elif not self._timer_set:
            self._timer_set = True
            self._set_timeout(self._on_timer, int(FLUSH_INTERVAL * 1000))

    def _on_timer(self):
        self._timer_set = False
        self.send_pending()

    def send_pending(self):
        if not self._pending:
            return
        pending, self._pending, self._pending_chars = self._pending, [], 0
        for stream, parts in pending:
            stream.publish("".join(parts))
        self._last_sent = self._clock()


class BufferedStream:
    """sys.stdout or sys.stderr of the kernel; the worker sets publish_stream_callback per cell."""

    encoding = "utf-8"

    def __init__(self, name, buffer: OutputBuffer):
        self.name = name
        self.publish_stream_callback = None
        self._buffer = buffer

    def write(self, text):
        if not self.publish_stream_callback:
            return 0
        self._buffer.write(self, text)
        return len(text)

    def publish(self, text):
        if self.publish_stream_callback:
            self.publish_stream_callback(self.name, text)

    def flush(self):
        self._buffer.send_pending()

    def isatty(self):
        return False


def ask_page(buffer: OutputBuffer, ask, *args, **kwargs):
    """input()/getpass(): the text printed so far first, and a clear error instead of None."""
    buffer.send_pending()
    reply = ask(*args, **kwargs)
    if reply is None:
        raise EOFError(NO_ANSWER)
    return reply


def sent_first(buffer: OutputBuffer, call):
    """`call`, after the pending text is sent (a display must not overtake earlier prints)."""

    def wrapper(*args, **kwargs):
        buffer.send_pending()
        return call(*args, **kwargs)

    return wrapper


def install(kernel_module, set_timeout, interrupt_buffer) -> OutputBuffer:
    """Put buffered streams, the input() check and Interrupt in the cell's code only into an
    imported `pyodide_kernel`; `interrupt_buffer` is the byte Pyodide checks for SIGINT."""
    buffer = OutputBuffer(set_timeout)
    for name in ("stdout", "stderr"):
        stream = BufferedStream(name, buffer)
        setattr(kernel_module, f"{name}_stream", stream)
        setattr(sys, name, stream)
    shell = kernel_module.ipython_shell
    shell.display_pub.publish = sent_first(buffer, shell.display_pub.publish)
    shell.display_pub.clear_output = sent_first(buffer, shell.display_pub.clear_output)

    kernel = kernel_module.kernel_instance
    run_cell = kernel.run

    async def run(code):
        buffer.begin_cell()
        try:
            return await run_cell(code)
        finally:
            buffer.send_pending()

    kernel.run = run
    interrupt_only_the_cells_code(shell, interrupt_buffer)
    answer_input_with_check(type(shell), buffer)
    return buffer


def interrupt_only_the_cells_code(shell, interrupt_buffer) -> None:
    """SIGINT (Kernel > Interrupt) raises KeyboardInterrupt where the cell's own code runs, or
    code it called: IPython's `run_code` catches it there and shows it. Anywhere else (IPython
    compiling the cell or showing its result, the kernel's Python around the cell) nothing would
    catch it: the signal goes back into the byte, and Pyodide, which clears the byte as it reads
    it, sees it again at a later check, in the cell's code if the cell has more to run. An
    Interrupt that comes once the cell's code is done stays there until the page clears the byte
    for the next cell (kernel.ts)."""
    running = []  # the code objects IPython is running for the cell, innermost last
    run_code = shell.run_code

    async def run_code_marked(code_obj, result=None, *, async_=False):
        running.append(code_obj)
        try:
            return await run_code(code_obj, result, async_=async_)
        finally:
            running.pop()

    def on_sigint(signum, frame):
        while frame is not None:
            if running and frame.f_code is running[-1]:
                raise KeyboardInterrupt
            frame = frame.f_back
        interrupt_buffer[0] = signum

    shell.run_code = run_code_marked
    signal.signal(signal.SIGINT, on_sigint)


def answer_input_with_check(shell_class, buffer: OutputBuffer) -> None:
    """The worker sets shell.input and shell.getpass before each cell; wrap what they install."""

    def set_input(shell, ask):
        shell._input = ask
        builtins.input = lambda *args, **kwargs: ask_page(buffer, ask, *args, **kwargs)

    def set_getpass(shell, ask):
        shell._getpass = ask
        getpass.getpass = lambda *args, **kwargs: ask_page(buffer, ask, *args, **kwargs)

    shell_class.input = property(shell_class.input.fget, set_input)
    shell_class.getpass = property(shell_class.getpass.fget, set_getpass)


def moved_to_working_directory(kernel_module) -> None:
    """IPython recorded its first working directory (`_dh`) when the shell started, which with
    the early boot was before /drive was mounted: record where the kernel really starts."""
    kernel_module.ipython_shell.history_manager.dir_hist[:] = [Path.cwd()]


def complete_with_jedi(kernel_module) -> None:
    """jedi was loaded after IPython's completer looked for it (at import): tell the completer."""
    import IPython.core.completer as completer
    import jedi
    import jedi.api.classes  # noqa: F401 (what the completer uses, imported now, not at Tab)
    import jedi.api.helpers  # noqa: F401

    jedi.settings.case_insensitive_completion = False
    completer.jedi, completer.JEDI_INSTALLED = jedi, True
    kernel_module.ipython_shell.Completer.use_jedi = True
