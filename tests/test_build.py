"""`jupyter lite build` as a JupyterLite user runs it, again and again, in a copy of the project
(its own doit state; the downloads cache shared): the second build redoes none of this project's
steps, an edited notebook rebuilds only what depends on it, and `jupyter lite check` runs the
site's checks."""

import gzip
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitetools import BUILD, ROOT

JUPYTER = Path(sys.executable).with_name("jupyter")
DOWNLOADS = BUILD / "downloads"
OURS = re.compile(r"^(\.|--) +(\S*:tutorial-(?:vendor|site):\S+)", re.M)  # doit: ". " ran, "-- " up to date


def lite(project: Path, *args: str) -> tuple[str, float]:
    started = time.monotonic()
    result = subprocess.run(
        # The downloads cache is shared (verified again on use); build/ is made by the build.
        [str(JUPYTER), "lite", *args, "--output-dir", "dist", f"--VendorAddon.downloads_dir={DOWNLOADS}"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )
    said = result.stdout + result.stderr
    assert result.returncode == 0, f"jupyter lite {' '.join(args)} failed:\n{said[-3000:]}"
    return said, time.monotonic() - started


def ran(log: str) -> set[str]:
    """This project's tasks that ran (not up to date) in a build's log."""
    return {name for mark, name in OURS.findall(log) if mark == "."}


@pytest.fixture(scope="module")
def project(tmp_path_factory, site):
    copy = tmp_path_factory.mktemp("project")
    for name in ("content", "overrides"):
        shutil.copytree(ROOT / name, copy / name)
    shutil.copy(ROOT / "jupyter_lite_config.json", copy)
    return copy  # no build/ folder, as in a fresh clone


def test_a_second_build_redoes_none_of_the_projects_steps(project):
    first, first_took = lite(project, "build")
    assert {"pre_init:tutorial-vendor:vendor", "post_build:tutorial-site:check-site"} <= ran(first)
    second, second_took = lite(project, "build")
    assert ran(second) == set(), f"ran again with nothing changed: {sorted(ran(second))}"
    assert "[site] the site is sound" not in second
    print(f"\n[build] first {first_took:.1f} s, second {second_took:.1f} s")


def test_an_edited_notebook_rebuilds_only_what_depends_on_it(project):
    lite(project, "build")
    path = project / "content" / "02-javascript-interop.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = [*nb["cells"][0]["source"], "\n\nEdited."]
    path.write_text(json.dumps(nb, indent=1))
    log, _ = lite(project, "build")
    assert ran(log) == {
        "post_build:tutorial-site:prepare:02-javascript-interop.ipynb",
        "post_build:tutorial-site:check-site",
    }, sorted(ran(log))
    served = json.loads((project / "dist" / "files" / path.name).read_text())
    assert served["cells"][0]["source"].endswith("Edited.")


def test_jupyter_lite_check_runs_the_sites_checks(project):
    lite(project, "build")
    packed = project / "dist" / "static" / "pyodide" / "pyodide.asm.wasm.gz"
    packed.write_bytes(gzip.compress(b"\0asm other code"))  # a tampered copy in the output
    result = subprocess.run(
        [str(JUPYTER), "lite", "check", "--output-dir", "dist"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )
    said = result.stdout + result.stderr
    assert result.returncode != 0, said[-3000:]
    assert "pyodide.asm.wasm.gz does not unpack to pyodide.asm.wasm" in said, said[-3000:]
