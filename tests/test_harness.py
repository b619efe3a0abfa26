"""The harness itself: the browser kernel's time per cell is nbval's, the bench's slow link shares
one bandwidth, and the parity coverage fails a run with a cell neither kernel compared. (What it
says when a browser is missing, the sub-path server and the offsite check: tests/test_engines.py.)"""

import concurrent.futures
import time
import urllib.request
from types import SimpleNamespace

import nbformat
import pytest

from sitetools import CONTENT
from tests import harness, parity_coverage
from tests.harness import server


def test_the_browser_kernel_gets_the_time_per_cell_that_nbval_is_given(tmp_path):
    """Read from pyproject.toml's one --nbval-cell-timeout: change it, both kernels follow; lose
    it, the harness says where it belongs (it never falls back to a number of its own)."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.pytest.ini_options]\naddopts = ["--nbval", "--nbval-cell-timeout=7"]\n')
    assert harness.nbval_cell_timeout(pyproject) == 7.0
    pyproject.write_text('[tool.pytest.ini_options]\naddopts = ["--nbval"]\n')
    with pytest.raises(harness.LiteError, match=r"addopts should hold --nbval-cell-timeout=SECONDS once"):
        harness.nbval_cell_timeout(pyproject)


def test_slow_link_delays_every_response_and_shares_one_bandwidth(tmp_path):
    """The bench's slow link: 1 MB at 8 Mbit/s takes about 1 s, two at once about 2 s together
    (one shared cap, not one per connection), and even a tiny file waits for the latency."""
    (tmp_path / "big.bin").write_bytes(bytes(1_000_000))
    (tmp_path / "tiny.txt").write_bytes(b"x")
    link = server.Link(mbit_per_s=8, latency_ms=300)

    def fetch(url: str) -> float:
        started = time.monotonic()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
        return time.monotonic() - started

    with server.counting_server(tmp_path, link=link) as (url, sent):
        tiny = fetch(f"{url}tiny.txt")
        one = fetch(f"{url}big.bin")
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            started = time.monotonic()
            list(pool.map(fetch, [f"{url}big.bin"] * 2))
            two = time.monotonic() - started
    assert 0.3 <= tiny < 1.5, f"a 1-byte response took {tiny:.2f} s, not the 0.3 s latency"
    assert 1.2 <= one < 3, f"1 MB at 8 Mbit/s (+0.3 s) took {one:.2f} s, not about 1.3 s"
    assert 2.2 <= two < 5, f"two 1 MB downloads at once took {two:.2f} s, not about 2.3 s (one cap each?)"
    assert sent == [("/tiny.txt", 1)] + [("/big.bin", 1_000_000)] * 3


def fake_run(monkeypatch, tmp_path, compared: dict) -> SimpleNamespace:
    """The coverage plugin's end of a run in which each kernel compared `compared[kernel]`
    ({notebook: {cell id}}); the plugin's own record and file are left alone."""
    monkeypatch.setattr(parity_coverage, "COMPARED", compared)
    monkeypatch.setattr(parity_coverage, "COVERAGE_FILE", tmp_path / "parity-coverage.md")
    session = SimpleNamespace(config=SimpleNamespace(stash=pytest.Stash()), exitstatus=pytest.ExitCode.OK)
    parity_coverage.pytest_sessionfinish(session, session.exitstatus)
    return session


def code_cells() -> dict[str, set[str]]:
    return {
        path.name: {c.get("id") for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"}
        for path in sorted(CONTENT.glob("*.ipynb"))
    }


def test_a_cell_compared_in_neither_kernel_fails_the_run(monkeypatch, tmp_path):
    cells = code_cells()
    first, *_ = cells
    skipped = sorted(cells[first])[0]
    everywhere = fake_run(monkeypatch, tmp_path, {"browser": cells, "cpython": cells})
    assert everywhere.exitstatus == pytest.ExitCode.OK
    without = {name: ids - {skipped} for name, ids in cells.items()}  # a cell neither kernel compared
    session = fake_run(monkeypatch, tmp_path, {"browser": without, "cpython": without})
    assert session.exitstatus == pytest.ExitCode.TESTS_FAILED, "a cell checked by no kernel passed"
    row = next(line for line in (tmp_path / "parity-coverage.md").read_text().splitlines() if first in line)
    assert row.endswith("| 1 |"), f"the report does not count the cell under 'neither': {row}"


def test_a_partial_run_says_which_notebooks_went_unchecked_and_fails_nothing(monkeypatch, tmp_path):
    cells = code_cells()
    first, *rest = cells
    session = fake_run(monkeypatch, tmp_path, {"browser": {first: cells[first]}, "cpython": cells})
    assert session.exitstatus == pytest.ExitCode.OK
    assert session.config.stash[parity_coverage.COVERAGE_KEY] == {"browser": rest, "cpython": []}
    assert not (tmp_path / "parity-coverage.md").exists(), "a partial run wrote a coverage report"
