"""The Python side of the site's kernel (extension/src/worker/tour_kernel.py), under CPython: the
worker loads the same file into Pyodide. A stand-in for pyodide_kernel with what install() touches."""

import asyncio
import builtins
import concurrent.futures
import getpass
import importlib.util
import signal
import sys
import types
from pathlib import Path

import pytest

from sitetools import ROOT

SOURCE = ROOT / "extension" / "src" / "worker" / "tour_kernel.py"


@pytest.fixture
def tour_kernel():
    spec = importlib.util.spec_from_file_location("tour_kernel", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Timers:
    """setTimeout, run by hand."""

    def __init__(self):
        self.pending = []

    def __call__(self, callback, ms):
        self.pending.append((callback, ms))

    def fire(self):
        pending, self.pending = self.pending, []
        for callback, _ in pending:
            callback()


def streams(tour_kernel, clock, timers):
    buffer = tour_kernel.OutputBuffer(timers, clock=clock)
    sent = []
    out, err = (tour_kernel.BufferedStream(name, buffer) for name in ("stdout", "stderr"))
    for stream in (out, err):
        stream.publish_stream_callback = lambda name, text: sent.append((name, text))
    return buffer, out, err, sent


def test_prints_within_the_interval_go_out_as_one_message(tour_kernel):
    clock, timers = Clock(), Timers()
    buffer, out, _, sent = streams(tour_kernel, clock, timers)
    for n in range(20_000):
        out.write(f"{n}\n")
    assert sent == [("stdout", "0\n")] and len(timers.pending) == 1  # one timer, not one per print
    timers.fire()
    assert len(sent) == 2 and sent[1][1].count("\n") == 19_999


def test_a_cells_first_line_is_sent_at_once_right_after_the_cell_before(tour_kernel):
    """print('started') then a long computation: no timer can fire until it ends."""
    clock, timers = Clock(), Timers()
    buffer, out, _, sent = streams(tour_kernel, clock, timers)
    out.write("last line of the cell before")
    clock.now += tour_kernel.FLUSH_INTERVAL / 10
    buffer.begin_cell()
    out.write("started")
    assert sent == [("stdout", "last line of the cell before"), ("stdout", "started")]


def test_stdout_and_stderr_keep_their_order(tour_kernel):
    buffer, out, err, sent = streams(tour_kernel, Clock(), Timers())
    out.write("a")
    out.write("b")
    err.write("oops")
    out.write("c")
    buffer.send_pending()
    assert sent == [("stdout", "a"), ("stdout", "b"), ("stderr", "oops"), ("stdout", "c")]


def test_text_is_sent_once_the_interval_has_passed(tour_kernel):
    clock = Clock()
    buffer, out, _, sent = streams(tour_kernel, clock, Timers())
    out.write("first")
    out.write(" second")
    clock.now += tour_kernel.FLUSH_INTERVAL
    out.write(" third")
    assert sent == [("stdout", "first"), ("stdout", " second third")]


def test_a_huge_write_is_not_held(tour_kernel):
    buffer, out, _, sent = streams(tour_kernel, Clock(), Timers())
    out.write("x" * tour_kernel.MAX_PENDING)
    assert len(sent) == 1


def fake_kernel_module():
    """What install() uses of pyodide_kernel: the shell, its display publisher, the kernel."""

    class Shell:
        _input = None
        _getpass = None

        @property
        def input(self):
            return self._input

        @input.setter
        def input(self, value):  # upstream's: builtins.input calls the page directly
            self._input = value
            builtins.input = value

        @property
        def getpass(self):
            return self._getpass

        @getpass.setter
        def getpass(self, value):
            self._getpass = value
            getpass.getpass = value

    shell = Shell()
    shell.run_code = lambda code_obj, result=None, *, async_=False: None
    shell.display_pub = types.SimpleNamespace(publish=lambda *a, **k: "shown", clear_output=lambda wait: None)

    module = types.SimpleNamespace(ipython_shell=shell)

    async def run(code):  # a cell that prints (sys.stdout is the kernel's stream in Pyodide)
        module.stdout_stream.write(f"ran {code}")
        return {"status": "ok"}

    module.kernel_instance = types.SimpleNamespace(run=run)
    return module


@pytest.fixture
def installed(tour_kernel, monkeypatch):
    for name in ("stdout", "stderr"):
        monkeypatch.setattr(sys, name, getattr(sys, name))
    monkeypatch.setattr(builtins, "input", builtins.input)
    monkeypatch.setattr(getpass, "getpass", getpass.getpass)
    before = signal.getsignal(signal.SIGINT)
    module = fake_kernel_module()
    sent = []
    tour_kernel.install(module, Timers(), bytearray(1))
    for stream in (module.stdout_stream, module.stderr_stream):
        stream.publish_stream_callback = lambda name, text: sent.append((name, text))
    yield module, sent
    monkeypatch.undo()
    signal.signal(signal.SIGINT, before)


def run_cell(module, code):
    """The kernel's run(), on an event loop of its own: a browser test's Playwright may be
    running one in this thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, module.kernel_instance.run(code)).result()


def test_a_cell_ends_with_its_text_sent(installed):
    module, sent = installed
    assert run_cell(module, "x") == {"status": "ok"}
    assert sent == [("stdout", "ran x")]


def test_a_display_never_overtakes_earlier_prints(installed):
    module, sent = installed
    module.stdout_stream.write("before")
    assert module.ipython_shell.display_pub.publish({"text/plain": "x"}) == "shown"
    assert sent == [("stdout", "before")]


def test_input_prints_the_prompt_first_and_refuses_a_missing_answer(installed):
    module, sent = installed
    asked = []
    module.ipython_shell.input = lambda prompt="": asked.append(prompt) or "Ada"
    module.stdout_stream.write("Your name? ")
    assert input("> ") == "Ada" and asked == ["> "]
    assert sent == [("stdout", "Your name? ")]
    module.ipython_shell.input = lambda prompt="": None  # no service worker answered
    with pytest.raises(EOFError, match="needs the site's service worker"):
        input()
    module.ipython_shell.getpass = lambda prompt="": None
    with pytest.raises(EOFError, match="Open the site in a normal window"):
        getpass.getpass()


def test_the_working_directory_is_recorded_where_the_kernel_starts(tour_kernel, tmp_path, monkeypatch):
    module = fake_kernel_module()
    module.ipython_shell.history_manager = types.SimpleNamespace(dir_hist=[Path("/home/pyodide")])
    monkeypatch.chdir(tmp_path)
    tour_kernel.moved_to_working_directory(module)
    assert module.ipython_shell.history_manager.dir_hist == [tmp_path]


@pytest.fixture
def interruptible_shell(tour_kernel):
    """A real IPython shell with the site's SIGINT handler, and the byte it puts signals back in;
    the test process's own handler comes back afterwards."""
    from IPython.core.interactiveshell import InteractiveShell

    before = signal.getsignal(signal.SIGINT)
    shell = InteractiveShell()
    byte = bytearray(1)
    tour_kernel.interrupt_only_the_cells_code(shell, byte)
    yield shell, byte
    signal.signal(signal.SIGINT, before)


RAISE_SIGINT = "import signal; signal.raise_signal(signal.SIGINT)"


def test_an_interrupt_in_the_cells_code_ends_the_cell_with_keyboardinterrupt(interruptible_shell):
    shell, byte = interruptible_shell
    result = shell.run_cell(f"{RAISE_SIGINT}\nx = 1")
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    assert "x" not in shell.user_ns and byte == b"\0"
    assert shell.run_cell("x = 2").success and shell.user_ns["x"] == 2


def test_an_interrupt_in_code_the_cell_awaits_ends_the_cell(interruptible_shell):
    shell, _ = interruptible_shell
    code = f"import asyncio\nasync def wait():\n    {RAISE_SIGINT}\nawait wait()\ny = 1"
    cell = shell.transform_cell(code)
    # Driven by hand: it awaits nothing that needs an event loop, and Playwright's may be
    # running in this thread (where the signal handler runs: not in another thread).
    coroutine = shell.run_cell_async(code, store_history=False, transformed_cell=cell)
    with pytest.raises(StopIteration) as ended:
        while True:
            coroutine.send(None)
    result = ended.value.value
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    assert "y" not in shell.user_ns


def test_an_interrupt_outside_the_cells_code_goes_back_into_the_byte(interruptible_shell):
    """Seen while IPython prepares the cell (here: its pre_run_cell event), the interrupt would
    escape IPython and the kernel: it is put back for Pyodide to see again, in the cell's code."""
    shell, byte = interruptible_shell
    shell.events.register("pre_run_cell", lambda info: signal.raise_signal(signal.SIGINT))
    result = shell.run_cell("x = 1")
    assert result.success and shell.user_ns["x"] == 1
    assert byte[0] == signal.SIGINT
