"""`python -m http.server`, plus the two headers that make a page cross-origin isolated.

    python -m bench.isolated_server PORT DIRECTORY

Used only by bench/interrupt_experiment.py, to find out whether cross-origin isolation
(SharedArrayBuffer) lets a running cell be interrupted. It does not, so the site does not ship it.
"""

import functools
import http.server
import sys


class IsolatingHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()


if __name__ == "__main__":
    port, directory = int(sys.argv[1]), sys.argv[2]
    handler = functools.partial(IsolatingHandler, directory=directory)
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
