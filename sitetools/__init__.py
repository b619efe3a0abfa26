"""The site's own build steps and tools.

The pipeline (CONTRIBUTING.md draws it): pinned downloads -> vendor.py (verify, prune the lock,
patch the kernel, add bytecode) -> `jupyter lite build`, whose addons (addons.py) run the
vendoring first and prepare and check the output last -> tests (tests/) and benchmark (bench/), which
both drive the built site through tests/harness/.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
DIST = ROOT / "dist"
BUILD = ROOT / "build"
