"""Serve a built site on 127.0.0.1: with `python -m http.server` as a learner would, or in a
thread that counts the bytes it sends (bench/, and tests that need to know a request arrived)."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

from sitetools import BUILD, DIST
from sitetools.harness import LiteError


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
    extra_headers: dict = {}
    prefix = "/"  # the site's path on the server; anything outside it is 404

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / ".not-under-the-prefix" / "missing")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_header(self, keyword, value):
        if keyword.lower() == "content-length":
            self.sent.append((self.path.split("?")[0], int(value)))
        super().send_header(keyword, value)

    def end_headers(self):
        for keyword, value in self.extra_headers.items():
            self.send_header(keyword, value)
        super().end_headers()

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser closing a socket early
            super().handle_error(request, client_address)


# The two headers that make a page cross-origin isolated (SharedArrayBuffer): see
# bench/interrupt_experiment.py for why the site does not need them.
ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
}


@contextlib.contextmanager
def counting_server(directory: Path = DIST, headers: dict | None = None, prefix: str = "/"):
    """Serve directory from a thread at http://127.0.0.1:PORT{prefix} (and nowhere else, like a
    GitHub Pages project site at /REPO/); yields (URL, [(path, bytes sent), ...])."""
    sent: list = []
    extra = {"sent": sent, "extra_headers": headers or {}, "prefix": prefix}
    handler_class = type("Handler", (CountingHandler,), extra)
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
