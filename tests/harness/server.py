"""Serve a built site on 127.0.0.1: with `python -m http.server` as a learner would, or in a
thread that counts the bytes it sends (bench/, and tests that need to know a request arrived),
optionally through a simulated slow link (a delay per response, one bandwidth shared by all)."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sitetools import BUILD, DIST
from tests.harness import LiteError


@contextlib.contextmanager
def serve(directory: Path = DIST):
    """`python -m http.server` on 127.0.0.1 and a free port; yields the site's URL."""
    if not (directory / "jupyter-lite.json").exists():
        raise LiteError(f"{directory} holds no built site: run `make site`")
    cmd = [sys.executable, "-u", "-m", "http.server", "-b", "127.0.0.1", "0", "--directory", str(directory)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        # "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ...": ready, and the port
        line = proc.stdout.readline()
        if "port " not in line:
            raise LiteError(f"http.server did not start: {line!r}")
        threading.Thread(target=proc.stdout.read, daemon=True).start()  # never block its output
        yield f"http://127.0.0.1:{int(line.split('port ')[1].split()[0])}/"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    sent: list  # (path, bytes), one list per server
    prefix = "/"  # the site's path on the server; anything outside it is 404

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / ".not-under-the-prefix" / "missing")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_header(self, keyword, value):
        if keyword.lower() == "content-length":
            self.sent.append((self.path.split("?")[0], int(value)))
        super().send_header(keyword, value)

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser closing a socket early
            super().handle_error(request, client_address)


@dataclass(frozen=True)
class Link:
    """A slow link between the browser and the server: every response waits latency_ms before its
    first byte, and all responses together share mbit_per_s (1 Mbit = 10**6 bits)."""

    mbit_per_s: float = 20.0
    latency_ms: float = 40.0

    def __str__(self) -> str:
        return f"{self.mbit_per_s:g} Mbit/s shared, {self.latency_ms:g} ms per response"


class SharedPacer:
    """One timeline for every byte a server sends, whatever thread sends it.

    Each chunk reserves its transmission time (bytes / rate) at the end of the timeline and its
    sender sleeps until that reservation ends, then writes. The reservations never overlap, so the
    responses together never exceed the rate, and parallel responses take turns chunk by chunk
    (two downloads get half each). An idle link stores no credit (no burst after a pause).
    """

    def __init__(self, bytes_per_s: float):
        self.bytes_per_s = bytes_per_s
        self._lock = threading.Lock()
        self._free_at = time.monotonic()

    def wait_for(self, n: int) -> None:
        with self._lock:
            self._free_at = max(time.monotonic(), self._free_at) + n / self.bytes_per_s
            done = self._free_at
        time.sleep(max(0.0, done - time.monotonic()))


class PacedWriter:
    """The handler's socket writer, writing in CHUNK-byte pieces that the shared pacer lets through."""

    CHUNK = 16 * 1024

    def __init__(self, raw, pacer: SharedPacer):
        self._raw, self._pacer = raw, pacer

    def write(self, data) -> int:
        view = memoryview(data)
        for start in range(0, len(view), self.CHUNK):
            piece = view[start : start + self.CHUNK]
            self._pacer.wait_for(len(piece))
            self._raw.write(piece)
        return len(view)

    def __getattr__(self, name):  # flush, close, closed: the socket writer's own
        return getattr(self._raw, name)


class SlowLinkHandler(CountingHandler):
    """CountingHandler behind a Link: headers and body paced by the server's one SharedPacer."""

    latency_s: float
    pacer: SharedPacer

    def setup(self):
        super().setup()
        self.wfile = PacedWriter(self.wfile, self.pacer)

    def send_response(self, code, message=None):
        time.sleep(self.latency_s)  # before the first byte of every response (200, 304, 404)
        super().send_response(code, message)


@contextlib.contextmanager
def counting_server(directory: Path = DIST, prefix: str = "/", link: Link | None = None):
    """Serve directory from a thread at http://127.0.0.1:PORT{prefix} (and nowhere else, like a
    GitHub Pages project site at /REPO/); yields (URL, [(path, bytes sent), ...]).

    With a Link, every response is delayed and all of them share its bandwidth (one pacer per
    server: two servers, two links)."""
    sent: list = []
    extra = {"sent": sent, "prefix": prefix}
    base = CountingHandler
    if link is not None:
        base = SlowLinkHandler
        extra |= {"latency_s": link.latency_ms / 1000, "pacer": SharedPacer(link.mbit_per_s * 1e6 / 8)}
    handler_class = type("Handler", (base,), extra)
    server = QuietServer(("127.0.0.1", 0), functools.partial(handler_class, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}", sent
    finally:
        server.shutdown()


@contextlib.contextmanager
def exclusive_site():
    """Hold dist/ for this process: a build replaces it under any browser that is using it."""
    lock = BUILD / "site.lock"
    lock.parent.mkdir(exist_ok=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield


def serve_under(prefix: str, directory: Path = DIST):
    """The site at http://127.0.0.1:PORT{prefix} only; 404 elsewhere."""
    if not (directory / "jupyter-lite.json").exists():
        raise LiteError(f"{directory} holds no built site: run `make site`")
    return counting_server(directory, prefix=prefix)


class OffsiteHandler(socketserver.StreamRequestHandler):
    """A proxy that forwards nothing: records the request line ("CONNECT host:443 ...") and refuses."""

    def handle(self):
        line = self.rfile.readline(8192).decode("latin-1").strip()
        if line:
            self.server.seen.append(line)
        self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@contextlib.contextmanager
def offsite_trap():
    """The proxy Firefox and WebKit are told to use for every host but 127.0.0.1 and localhost:
    nothing reaches the network, and what tried is recorded. Yields (port, [request lines])."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), OffsiteHandler)
    server.daemon_threads = True
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], server.seen
    finally:
        server.shutdown()
        server.server_close()
