"""The built site is whole and offline, and its checks refuse an unsound one (a learner's first
notebook with a plot, in every engine: tests/test_essentials.py)."""

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitetools import CONTENT, ROOT
from sitetools import site as site_build


@pytest.fixture
def site_copy(site, tmp_path):
    copy = tmp_path / "dist"
    shutil.copytree(site, copy)
    return copy


def test_check_refuses_a_cdn_pyodide(site_copy):
    path = site_copy / "jupyter-lite.json"
    config = json.loads(path.read_text())
    settings = config["jupyter-config-data"]["litePluginSettings"][site_build.KERNEL_PLUGIN]
    settings["pyodideUrl"] = "https://cdn.example/pyodide/v314.0.6/full/pyodide.mjs"
    path.write_text(json.dumps(config))
    problems = site_build.check_site(site_copy)
    assert any("pyodideUrl" in p and "CDN" in p for p in problems), problems


def test_check_refuses_a_site_whose_piplite_may_go_to_pypi(site_copy):
    """Without disablePyPIFallback, `%pip install` of a package the site lacks asks PyPI."""
    path = site_copy / "jupyter-lite.json"
    config = json.loads(path.read_text())
    del config["jupyter-config-data"]["litePluginSettings"][site_build.KERNEL_PLUGIN]["disablePyPIFallback"]
    path.write_text(json.dumps(config))
    problems = site_build.check_site(site_copy)
    assert any("disablePyPIFallback" in p and "PyPI" in p for p in problems), problems


def test_check_refuses_a_lock_entry_without_its_file(site_copy):
    lock = json.loads((site_copy / "static/pyodide/pyodide-lock.json").read_text())
    wheel = lock["packages"]["numpy"]["file_name"]
    (site_copy / "static/pyodide" / wheel).unlink()
    assert f"numpy: {wheel} is in the lock but not in the site" in site_build.check_site(site_copy)


def test_check_refuses_a_notebook_stored_as_lists_of_lines(site_copy):
    shipped = CONTENT / "01-python-on-webassembly.ipynb"
    shutil.copy(shipped, site_copy / "files" / shipped.name)  # as in content/: lists of lines
    problems = site_build.check_site(site_copy)
    assert any(shipped.name in p and "lists of lines" in p for p in problems), problems


def test_check_refuses_a_notebook_whose_cells_changed_after_its_version(site_copy):
    """A lesson edited after the build keeps its old version: a learner's older copy would hide it."""
    path = site_copy / "files" / "02-javascript-interop.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"][0]["source"] += "\nA corrected fact."
    path.write_text(json.dumps(nb), encoding="utf-8")
    problems = site_build.check_site(site_copy)
    assert any(path.name in p and "content version" in p for p in problems), problems


def test_a_lesson_version_changes_with_its_cells_only(tmp_path):
    path = tmp_path / "lesson.ipynb"
    shutil.copy(CONTENT / "02-javascript-interop.ipynb", path)
    site_build.prepare_notebooks([path])
    first = json.loads(path.read_text(encoding="utf-8"))["metadata"]["lesson_version"]
    assert site_build.prepare_notebooks([path]) == 0, "preparing a prepared notebook changed it"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"]["authors"] = ["someone"]  # metadata is not the lesson
    path.write_text(json.dumps(nb), encoding="utf-8")
    site_build.prepare_notebooks([path])
    assert json.loads(path.read_text(encoding="utf-8"))["metadata"]["lesson_version"] == first
    nb["cells"][-1]["source"] += "\nA new line."
    path.write_text(json.dumps(nb), encoding="utf-8")
    site_build.prepare_notebooks([path])
    assert (
        json.loads(path.read_text(encoding="utf-8"))["metadata"]["lesson_version"]["sha256"]
        != first["sha256"]
    )


def test_the_bare_build_refuses_an_unsound_site(site, tmp_path):
    """`jupyter lite build` as people type it runs this site's checks: with sourcemaps kept (the
    project's config drops them) the build must stop and say why, not leave a site behind silently."""
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [
        str(jupyter),
        "lite",
        "build",
        "--output-dir",
        str(tmp_path / "dist"),
        "--LiteBuildConfig.no_sourcemaps=False",
    ]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    said = result.stdout + result.stderr
    assert result.returncode != 0, f"the build passed with sourcemaps in the site:\n{said[-2000:]}"
    assert "[site] " in said and "sourcemaps in the site" in said, said[-2000:]


def test_check_refuses_a_changed_upstream_kernel_file(site_copy):
    """Upstream's kernel extension is served as it ships (the site subclasses it, extension/)."""
    static = site_copy / site_build.UPSTREAM_KERNEL_EXTENSION / "static"
    worker = next(static.glob("comlink.worker.*.js"))
    worker.write_text(worker.read_text().replace("on_fatal", "on_fatal_", 1))
    problems = site_build.check_site(site_copy)
    assert any(worker.name in p and "not upstream's file as pinned" in p for p in problems), problems


def test_check_refuses_a_changed_or_missing_widgets_file(site_copy):
    """ipywidgets' front end (notebook 2's slider) is served as jupyterlab_widgets ships it."""
    static = site_copy / site_build.WIDGETS_EXTENSION / "static"
    entry = next(static.glob("remoteEntry.*.js"))
    entry.write_text(entry.read_text() + "\n")
    (static / "style.js").unlink()
    problems = site_build.check_site(site_copy)
    assert any(entry.name in p and "not upstream's file as pinned" in p for p in problems), problems
    assert any(p.endswith("static/style.js is missing") for p in problems), problems


def test_ipywidgets_loads_on_import_not_at_kernel_start(site):
    """In the lock, so `import ipywidgets` loads it offline; in no start-up list, so no start waits."""
    lock = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text())["packages"]
    assert lock["ipywidgets"]["imports"] == ["ipywidgets"]
    assert all(name in lock for name in lock["ipywidgets"]["depends"]), lock["ipywidgets"]["depends"]
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    start = config["litePluginSettings"][site_build.KERNEL_PLUGIN]["loadPyodideOptions"]["packages"]
    assert "ipywidgets" not in start, start


def test_check_refuses_a_site_with_upstreams_kernel_plugin_on(site_copy):
    """Two kernels named python would register; which one a notebook gets is left to chance."""
    path = site_copy / "jupyter-lite.json"
    config = json.loads(path.read_text())
    del config["jupyter-config-data"]["disabledExtensions"]
    path.write_text(json.dumps(config))
    problems = site_build.check_site(site_copy)
    assert any(site_build.KERNEL_PLUGIN in p and "does not disable" in p for p in problems), problems


def test_check_refuses_a_site_that_keeps_any_plugin_the_extension_replaces(site_copy):
    """Two providers of one service (the kernel client, the service-worker manager) would fail the app."""
    path = site_copy / "jupyter-lite.json"
    config = json.loads(path.read_text())
    for plugin in site_build.REPLACED_PLUGINS:
        config["jupyter-config-data"]["disabledExtensions"] = [
            p for p in site_build.REPLACED_PLUGINS if p != plugin
        ]
        path.write_text(json.dumps(config))
        problems = site_build.check_site(site_copy)
        assert [p for p in problems if "does not disable" in p] == [
            f"jupyter-lite.json does not disable {plugin}: the site's extension replaces it"
        ], problems


def test_check_refuses_a_site_without_its_service_worker(site_copy):
    """Without it the page is never isolated (no Interrupt), and upstream's worker is never used."""
    (site_copy / site_build.SITE_SERVICE_WORKER).unlink()
    problems = site_build.check_site(site_copy)
    assert any(site_build.SITE_SERVICE_WORKER in p and "is missing" in p for p in problems), problems


def test_check_refuses_a_site_without_its_own_kernel(site_copy):
    shutil.rmtree(site_copy / site_build.SITE_KERNEL_EXTENSION)
    problems = site_build.check_site(site_copy)
    assert any(site_build.SITE_KERNEL_EXTENSION in p and "is missing" in p for p in problems), problems


def test_check_refuses_a_gzipped_interpreter_that_is_not_the_pinned_one(site_copy):
    """The worker runs what the .gz holds (sitetools/precompress.py): it must be the verified file."""
    packed = site_copy / "static" / "pyodide" / "pyodide.asm.wasm.gz"
    packed.write_bytes(gzip.compress(b"\0asm other code"))
    problems = site_build.check_site(site_copy)
    assert any("pyodide.asm.wasm.gz does not unpack to pyodide.asm.wasm" in p for p in problems), problems
