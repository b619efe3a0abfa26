"""The two kernels get the same time per cell: nbval's timeout (pyproject.toml) is the harness's."""

import tomllib

from sitetools import ROOT, harness


def test_both_kernels_have_the_same_cell_timeout():
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    nbval = [float(o.split("=")[1]) for o in addopts if o.startswith("--nbval-cell-timeout=")]
    assert nbval == [harness.CELL_TIMEOUT], f"nbval {nbval} s, browser {harness.CELL_TIMEOUT} s"
