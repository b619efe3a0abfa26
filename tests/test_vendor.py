"""Every vendored file is checked against its pinned sha256: one changed byte stops the build."""

import json
import shutil
import subprocess
import sys

import pytest

from sitetools import BUILD
from sitetools.downloads import load_pins, sha256
from sitetools.vendor import KERNEL_EXTENSION_STATIC

PINS = load_pins()
# The pruned official lock, before the site adds bytecode (which changes the wheels' hashes).
OFFICIAL_LOCK = BUILD / "vendor" / "stock" / "pyodide" / "pyodide" / "pyodide-lock.json"


def official_numpy():
    lock = json.loads(OFFICIAL_LOCK.read_text())["packages"]["numpy"]
    return "pyodide-packages/" + lock["file_name"], lock["sha256"]


CASES = {
    "npm tarball (pinned)": lambda: (PINS["npm_tarball"]["file_name"], PINS["npm_tarball"]["sha256"]),
    "official wheel (official lock)": official_numpy,
    "PyPI substitute (pinned)": lambda: (
        PINS["pypi_substitutes"]["ipython"]["file_name"],
        PINS["pypi_substitutes"]["ipython"]["sha256"],
    ),
    "on-import wheel (pinned)": lambda: (
        PINS["on_import_wheels"]["ipywidgets"]["file_name"],
        PINS["on_import_wheels"]["ipywidgets"]["sha256"],
    ),
    "piplite wheel (pinned)": lambda: (
        PINS["piplite_wheels"]["comm"]["file_name"],
        PINS["piplite_wheels"]["comm"]["sha256"],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_one_changed_byte_stops_vendoring(site, tmp_path, case):
    rel, expected = CASES[case]()
    carrier = PINS["package_wheel_source"]["file_name"]  # 106 MB; not needed once unpacked
    downloads = tmp_path / "downloads"
    shutil.copytree(BUILD / "downloads", downloads, ignore=shutil.ignore_patterns(carrier))
    target = downloads / rel
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(data)

    out = tmp_path / "vendor"
    result = subprocess.run(
        [sys.executable, "-m", "sitetools.vendor", "--downloads", str(downloads), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"sha256 mismatch for {target.name}" in result.stderr
    assert f"expected: {expected}" in result.stderr
    assert f"actual:   {sha256(target)}" in result.stderr
    assert not out.exists(), "a failed vendoring step must not leave a vendored tree behind"


def test_the_kernels_own_wheels_are_served_as_upstream_ships_them(site):
    """No patched upstream wheel: the site's changes to the kernel's Python side are its own
    module (extension/src/worker/tour_kernel.py), loaded by its own worker."""
    lock = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text())["packages"]
    for name, pin in PINS["kernel_wheels"].items():
        if "file_name" not in pin:
            continue  # comm: a pinned PyPI wheel
        served = site / "static" / "pyodide" / pin["file_name"]
        assert lock[name]["sha256"] == pin["sha256"] == sha256(served), name
        assert sha256(served) == sha256(KERNEL_EXTENSION_STATIC / "pypi" / pin["file_name"]), name
