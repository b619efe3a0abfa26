"""Build the site's pyodide_kernel wheel: upstream 0.8.6 with buffered stdout/stderr.

Upstream's LiteStream sends one message to the page for every write(); a loop of print()
calls then costs one message and one re-render of the growing output per call, and 20,000
prints froze the tab for six minutes (issue 6). The patched stream collects text and sends it
at most every FLUSH_INTERVAL, before any other output (display, clear_output, the result, an
input() prompt) and at the end of every cell, so nothing changes in what the notebook shows,
only how many messages carry it. stdout and stderr share one buffer, so their order is kept.

Also: input() without a service worker to carry the request returned None silently upstream;
here it raises EOFError saying why and what to do.

Each replacement must find its upstream text exactly once, or the build stops: a new upstream
release has to be looked at, not patched blindly. The output is byte-for-byte reproducible
(fixed zip dates), so its sha256 is pinned in vendor-pins.json like every other file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from sitetools import wheel_zip

LOCAL_VERSION = "bufferedstdout"
WHAT = "buffered stdout, input() without a service worker says why"

STREAM_UPSTREAM = """class LiteStream:
    encoding = "utf-8"

    def __init__(self, name):
        self.name = name
        self.publish_stream_callback = None

    def write(self, text):
        if self.publish_stream_callback:
            self.publish_stream_callback(self.name, text)

    def flush(self):
        pass
"""

STREAM_PATCHED = '''class LiteStream:
    """stdout/stderr of the kernel, buffered (patched by this site: sitetools/patch_kernel.py).

    Text is sent when FLUSH_INTERVAL has passed since the last send, when MAX_PENDING
    characters wait, on flush() (before other outputs, input() and at the end of each cell),
    or by a timer once the worker is free (an await in the cell, or the cell has ended).
    """

    encoding = "utf-8"
    FLUSH_INTERVAL = 0.2  # seconds
    MAX_PENDING = 1_000_000  # characters
    _pending = []  # [stream, [text, ...]], shared by stdout and stderr to keep their order
    _pending_chars = 0
    _last_sent = 0.0
    _timer_set = False

    def __init__(self, name):
        self.name = name
        self.publish_stream_callback = None

    def write(self, text):
        if not self.publish_stream_callback:
            return 0
        cls = LiteStream
        if cls._pending and cls._pending[-1][0] is self:
            cls._pending[-1][1].append(text)
        else:
            cls._pending.append([self, [text]])
        cls._pending_chars += len(text)
        if (cls._pending_chars >= cls.MAX_PENDING
                or time.monotonic() - cls._last_sent >= cls.FLUSH_INTERVAL):
            cls.send_pending()
        elif not cls._timer_set:
            cls._timer_set = True
            setTimeout(create_once_callable(cls._on_timer), int(cls.FLUSH_INTERVAL * 1000))
        return len(text)

    @classmethod
    def _on_timer(cls):
        cls._timer_set = False
        cls.send_pending()

    @classmethod
    def send_pending(cls):
        pending, cls._pending, cls._pending_chars = cls._pending, [], 0
        for stream, parts in pending:
            if stream.publish_stream_callback:
                stream.publish_stream_callback(stream.name, "".join(parts))
        cls._last_sent = time.monotonic()

    def flush(self):
        LiteStream.send_pending()
'''

# input() and getpass(): printed text first, and a clear error instead of a silent None when
# the page cannot answer (upstream returns None: no service worker, e.g. a private window).
ASK_PAGE = """
def _ask_page(ask, *args, **kwargs):
    LiteStream.send_pending()
    reply = ask(*args, **kwargs)
    if reply is None:
        raise EOFError(
            "input() got no answer: in JupyterLite it needs the site's service worker, which this "
            "browser window does not run (a private window, or service workers blocked). Open the "
            "site in a normal window, or put the value in the cell instead of asking for it.")
    return reply
"""

JS_TIMER_IMPORTS = "from js import setTimeout\nfrom pyodide.ffi import create_once_callable\n"

REPLACEMENTS = {
    "pyodide_kernel/display.py": [
        ("import sys\n", "import sys\nimport time\n\n" + JS_TIMER_IMPORTS),
        (STREAM_UPSTREAM, STREAM_PATCHED),
        (
            "        if update and self.update_display_data_callback:",
            "        LiteStream.send_pending()\n        if update and self.update_display_data_callback:",
        ),
        (
            "    def clear_output(self, wait=False):\n",
            "    def clear_output(self, wait=False):\n        LiteStream.send_pending()\n",
        ),
    ],
    "pyodide_kernel/kernel.py": [
        (
            '        results["payload"] = self.interpreter.payload_manager.read_payload()',
            "        from .display import LiteStream\n\n        LiteStream.send_pending()\n"
            '        results["payload"] = self.interpreter.payload_manager.read_payload()',
        ),
    ],
    "pyodide_kernel/interpreter.py": [
        (
            "from .display import LiteDisplayHook, LiteDisplayPublisher",
            "from .display import LiteDisplayHook, LiteDisplayPublisher, LiteStream\n\n" + ASK_PAGE,
        ),
        (
            "        builtins.input = lambda *args, **kwargs: value(*args, **kwargs)",
            "        builtins.input = lambda *args, **kwargs: _ask_page(value, *args, **kwargs)",
        ),
        (
            "        getpass.getpass = self._getpass",
            "        getpass.getpass = lambda *args, **kwargs: _ask_page(value, *args, **kwargs)",
        ),
    ],
}


class PatchError(Exception):
    pass


def patch_wheel(upstream: Path, out_dir: Path) -> Path:
    """Write the patched wheel into out_dir and return its path."""
    name, version = upstream.name.split("-")[:2]
    new_version = f"{version}+{LOCAL_VERSION}"
    old_info, new_info = f"{name}-{version}.dist-info/", f"{name}-{new_version}.dist-info/"
    files: dict[str, bytes] = {}
    replacements = {
        **REPLACEMENTS,
        old_info + "METADATA": [(f"\nVersion: {version}\n", f"\nVersion: {new_version}\n")],
    }
    with zipfile.ZipFile(upstream) as zf:
        for member in zf.namelist():
            data = replace_exactly_once(upstream.name, member, zf.read(member), replacements)
            files[member.replace(old_info, new_info)] = data
    missing = {m.replace(old_info, new_info) for m in replacements} - set(files)
    if missing:
        raise PatchError(f"{upstream.name} has no {', '.join(sorted(missing))}")
    out = out_dir / f"{name}-{new_version}-py3-none-any.whl"
    wheel_zip.write_zip(out, wheel_zip.with_record(files, new_info + "RECORD"))
    return out


def replace_exactly_once(wheel: str, member: str, data: bytes, replacements: dict) -> bytes:
    for old, new in replacements.get(member, []):
        text = data.decode()
        if text.count(old) != 1:
            raise PatchError(
                f"{wheel}: {member} no longer contains exactly one copy of "
                f"{old.strip().splitlines()[0]!r}; review sitetools/patch_kernel.py "
                "against the new upstream release"
            )
        data = text.replace(old, new).encode()
    return data
