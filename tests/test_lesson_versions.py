"""A learner's saved copy never hides a newer lesson, and getting the new one loses nothing
(issue 23; extension/src/lesson-versions.ts), in every engine.

One browser profile sees three builds of the site at one address, as a returning learner sees a
site that its authors rebuilt: the site as built, the project rebuilt with nothing changed, and the
project rebuilt with two lessons changed. The server follows a symbolic link that the test points
at one build or another, so the browser's storage (same origin) carries the learner's copies over.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitetools import BUILD, ROOT
from tests.harness import notebook as ui
from tests.harness import server

CHOSEN = "03-stdlib-and-packages.ipynb"  # the learner opens the site's new version
KEPT = "04-filesystem-and-networking.ipynb"  # the learner keeps their copy, then reverts by command
OTHER = "01-python-on-webassembly.ipynb"  # edited too; the site does not change it
UNCHANGED = "02-javascript-interop.ipynb"  # saved, then the site is rebuilt with nothing changed
MY_EDIT = "# my own note, which must never be lost"
NEW_CELL = "## New in this version of the lesson"
DRIVE_FILE = "my-results.txt"
DRIVE_TEXT = "measured in the browser"
SHOTS = Path("/tmp/shots-saved")

# What the site's extension decided for the notebook at `path` (data-lesson-version), or null.
DECIDED_JS = f"(path) => ({ui.PANEL_JS})(path)?.node.dataset.lessonVersion ?? null"
# The notice as drawn: its words, and whether the notebook gives it its full height (not clipped).
NOTICE_JS = f"""(path) => {{
  const node = ({ui.PANEL_JS})(path)?.node.querySelector('.tour-LessonNotice');
  if (!node) return null;
  const body = node.querySelector('.tour-LessonNotice-body');
  const drawn = node.getBoundingClientRect().height;
  return {{text: node.innerText, whole: drawn > 20 && drawn >= body.getBoundingClientRect().height - 1}};
}}"""
CLICK_JS = f"""([path, button]) => {{
  ({ui.PANEL_JS})(path).node.querySelector('.tour-LessonNotice-' + button).click();
}}"""
# Every open notebook has drawn all its cells. JupyterLab 4.6 draws a long notebook's cells while
# the page is idle and does not stop when the tab closes: closing it earlier logs "can't access
# property insertWidget, this.layout is null" (seen in headless Firefox, notebook/lib/widget.js).
# The tests wait for it before anything closes a tab (the harness, or the site's version replacing
# the learner's copy), as a learner reads a lesson before acting on it.
ALL_DRAWN_JS = """() => window.jupyterapp.shell.widgets('main').every(
  (w) => !w.content?.widgets || w.content.widgets.every((cell) => !cell.isPlaceholder()))"""
# A file as browser storage and the site hold it together (what the learner's file browser lists).
READ_JS = """async (path) => {
  const model = await window.jupyterapp.serviceManager.contents.get(path, {content: true});
  return model.type === 'notebook' ? JSON.stringify(model.content.cells) : model.content;
}"""
LISTED_JS = """async () => (await window.jupyterapp.serviceManager.contents.get('', {content: true}))
  .content.map((item) => item.path)"""


def build(project: Path, out: str) -> Path:
    """A clean `jupyter lite build` in a copy of the project (the downloads cache shared, read
    only), as `make site` builds: an incremental build into another folder drops settings."""
    (project / ".jupyterlite.doit.db").unlink(missing_ok=True)
    shutil.rmtree(project / "build" / "lite-cache", ignore_errors=True)
    cmd = [str(Path(sys.executable).with_name("jupyter")), "lite", "build", "--output-dir", out]
    cmd.append(f"--VendorAddon.downloads_dir={BUILD / 'downloads'}")
    result = subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"the rebuild failed:\n{(result.stdout + result.stderr)[-3000:]}"
    return project / out


def add_new_cell(path: Path) -> None:
    """What the site's authors change in a lesson: one new cell at its end."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].append(
        {"cell_type": "markdown", "id": "new-in-this-version", "metadata": {}, "source": [NEW_CELL]}
    )
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def builds(tmp_path_factory, site):
    project = tmp_path_factory.mktemp("project")
    for name in ("content", "overrides"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "jupyter_lite_config.json", project)
    same = build(project, "same")
    for name in (CHOSEN, KEPT):
        add_new_cell(project / "content" / name)
    return {"first": site, "same": same, "new": build(project, "new")}


class Site:
    """The three builds at one address: `show(name)` points the server at one of them."""

    def __init__(self, link: Path, url: str, builds: dict):
        self.link, self.url, self.builds = link, url, builds

    def show(self, name: str) -> None:
        switched = self.link.with_name("switching")
        switched.unlink(missing_ok=True)
        switched.symlink_to(self.builds[name])
        os.replace(switched, self.link)


@pytest.fixture(scope="module")
def served(builds, tmp_path_factory):
    link = tmp_path_factory.mktemp("served") / "site"
    link.symlink_to(builds["first"])
    with server.serve(link) as url:
        yield Site(link, url, builds)


def reopen(page, site: Site, path: str) -> str:
    """The learner comes back and opens a lesson: what did the site decide about it?"""
    if page.evaluate("() => !!window.jupyterapp"):  # not on the first visit
        page.wait_for_function(ALL_DRAWN_JS, timeout=60000)
        ui.close_everything(page)
    ui.open_notebook(page, site.url, path)
    page.wait_for_function(DECIDED_JS, arg=path, timeout=30000)
    return page.evaluate(DECIDED_JS, path)


def edit_and_save(page, site: Site, path: str) -> None:
    assert reopen(page, site, path) == "none", f"{path} as the site ships it shows a notice"
    add_note_at_the_top(page, path)
    ui.save(page)


def add_note_at_the_top(page, path: str) -> None:
    """The learner's edit: a cell of their own above the lesson, drawn before anything else happens
    (a tab closed while JupyterLab still draws a new cell logs an error in headless Firefox)."""
    page.evaluate(
        f"([path, code]) => {{ ({ui.PANEL_JS})(path).content.model.sharedModel"
        ".insertCell(0, {cell_type: 'code', source: code}); }",
        [path, MY_EDIT],
    )
    page.wait_for_function(
        f"""([path, code]) => {{
      const first = ({ui.PANEL_JS})(path).content.widgets[0];
      return first?.isAttached && first.model.sharedModel.getSource() === code;
    }}""",
        arg=[path, MY_EDIT],
        timeout=10000,
    )


def read(page, path: str) -> str:
    ui.wait_until(page, "async () => !!window.jupyterapp?.serviceManager", timeout=30)
    return page.evaluate(READ_JS, path)


def test_a_rebuild_that_changed_nothing_shows_no_notice(engine_page, served):
    served.show("first")
    edit_and_save(engine_page, served, UNCHANGED)
    assert reopen(engine_page, served, UNCHANGED) == "none", "a copy saved from this very version"
    served.show("same")
    assert reopen(engine_page, served, UNCHANGED) == "none", "the site was rebuilt with nothing changed"
    assert MY_EDIT in read(engine_page, UNCHANGED)
    engine_page.wait_for_function(ALL_DRAWN_JS, timeout=60000)
    ui.close_everything(engine_page)


def test_a_newer_lesson_is_announced_and_nothing_is_lost(engine_page, served):
    page, site = engine_page, served
    site.show("first")
    for path in (CHOSEN, KEPT, OTHER):
        edit_and_save(page, site, path)
    page.evaluate(
        "([path, text]) => window.jupyterapp.serviceManager.contents.save(path, "
        "{type: 'file', format: 'text', content: text})",
        [DRIVE_FILE, DRIVE_TEXT],
    )
    site.show("new")
    assert reopen(page, site, CHOSEN) == "newer"
    page.wait_for_function(f"(path) => ({NOTICE_JS})(path)?.whole", arg=CHOSEN, timeout=10000)
    notice = page.evaluate(NOTICE_JS, CHOSEN)["text"]
    assert "newer version of this lesson (from 20" in notice and "Keep my copy" in notice, notice
    if getattr(page, "engine", "") == "chromium":
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / "notice.png")
    copy = "03-stdlib-and-packages (my copy).ipynb"
    page.wait_for_function(ALL_DRAWN_JS, timeout=60000)  # the learner reads the lesson first
    page.evaluate(CLICK_JS, [CHOSEN, "open"])
    see_the_sites_version(page, CHOSEN)
    assert NEW_CELL in read(page, CHOSEN) and MY_EDIT not in read(page, CHOSEN)
    assert MY_EDIT in read(page, copy), "the learner's copy lost their edit"

    assert reopen(page, site, KEPT) == "newer"
    page.evaluate(CLICK_JS, [KEPT, "keep"])
    assert reopen(page, site, KEPT) == "none", "the notice came back before the next site update"
    assert MY_EDIT in read(page, KEPT) and NEW_CELL not in read(page, KEPT)

    revert_by_command(page, KEPT)
    assert NEW_CELL in read(page, KEPT) and MY_EDIT not in read(page, KEPT)
    assert MY_EDIT in read(page, "04-filesystem-and-networking (my copy).ipynb")

    assert reopen(page, site, CHOSEN) == "none", "the site's version, shown again, gets a notice"
    assert MY_EDIT in read(page, OTHER), "another notebook's saved copy changed"
    assert read(page, DRIVE_FILE) == DRIVE_TEXT, "a /drive file changed"
    assert {copy, "04-filesystem-and-networking (my copy).ipynb"} <= set(page.evaluate(LISTED_JS))
    page.wait_for_function(ALL_DRAWN_JS, timeout=60000)
    ui.close_everything(page)


def revert_by_command(page, path: str) -> None:
    """File > Revert to the Site's Version..., then Revert in the dialog."""
    page.wait_for_function(ALL_DRAWN_JS, timeout=60000)
    page.evaluate(
        "(path) => { window.__reverted = window.jupyterapp.commands"
        ".execute('tour-lessons:revert-to-site', {path}).then(() => 'done', (e) => String(e)); }",
        path,
    )
    page.wait_for_function(ui.PRESS_JS, arg="Revert", timeout=10000)
    ui.wait_until(page, "async () => (await window.__reverted) === 'done'", timeout=30)
    see_the_sites_version(page, path)


def see_the_sites_version(page, path: str) -> None:
    """The tab of the learner's copy (renamed) closes; a new tab shows the site's version."""
    page.wait_for_function(f"(path) => ({DECIDED_JS})(path) === 'none'", arg=path, timeout=30000)
    ui.use_notebook(page, path, what="opening the site's version")
