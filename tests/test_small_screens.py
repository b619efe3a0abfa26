"""On a phone (420 px wide) and a tablet (768 px), in every engine: the site opens on the tour, the
learner taps each notebook's link, and every page is readable: no sidebar open beside or over the
document, and its text column wide enough to read (issue 22).

Without the site's narrow-screen rule (extension/src/narrow-screen.ts), the stored layout kept the
file browser open: at 420 px a notebook's text was a column of about 50 px.
"""

import re

import pytest

from sitetools import CONTENT
from tests.harness import notebook as ui

TOUR = "README.md"
NOTEBOOKS = sorted(p.name for p in CONTENT.glob("*.ipynb"))
# The narrowest text column each screen must give a markdown cell (CSS px): at 420 px about 45
# characters a line; at 768 px about 80.
MIN_TEXT_PX = {420: 300, 768: 600}
HEIGHT = 900
# WebKitGTK's MiniBrowser makes no window narrower than its toolbar (447 CSS px here): it takes the
# phone's test at that width, still a phone's.
WIDEST_PHONE = 480
SIZE_JS = "() => [window.innerWidth, window.innerHeight]"

# The document at `path` as the learner sees it: the first rendered markdown in view (the tour,
# or a notebook's markdown cell), its width, the sidebars open, and whether the text is inside the
# window and clear of every sidebar and activity bar (their boxes do not meet the text's box).
LAYOUT_JS = f"""(path) => {{
  const panel = ({ui.PANEL_JS})(path);
  if (!panel?.isVisible) return null;
  const view = panel.content.node.getBoundingClientRect();
  const text = [...panel.node.querySelectorAll('.jp-RenderedMarkdown')].find((md) => {{
    const box = md.getBoundingClientRect();
    return box.width > 0 && box.bottom > view.top + 16 && box.top < view.bottom - 16;
  }});
  if (!text) return null;
  const box = text.getBoundingClientRect();
  const shown = (el) => el.offsetWidth > 0 && !el.closest('.lm-mod-hidden');
  const sides = [...document.querySelectorAll('#jp-left-stack, #jp-right-stack, .jp-SideBar')].filter(shown);
  const meets = (b) => b.left < box.right && b.right > box.left && b.top < box.bottom && b.bottom > box.top;
  return {{
    width: Math.round(box.width),
    sidebars: sides.filter((side) => side.id.endsWith('-stack')).map((side) => side.id),
    clear: !sides.some((side) => meets(side.getBoundingClientRect())),
    inWindow: box.left >= 0 && box.right <= window.innerWidth,
  }};
}}"""
# The tour's first link to a notebook, once JupyterLab has resolved it (hrefs end /files/NAME#...).
LINK_JS = f"""(notebook) => [...(({ui.PANEL_JS})('{TOUR}')?.node.querySelectorAll('a') ?? [])]
  .find((a) => (a.getAttribute('href') ?? '').split('#')[0].endsWith('/files/' + notebook))"""
# Tap it as soon as it is there (the viewer draws its links again when its width changes).
TAP_JS = f"(notebook) => {{ const link = ({LINK_JS})(notebook); link?.click(); return !!link; }}"
SHOW_TOUR_JS = f"() => window.jupyterapp.shell.activateById(({ui.PANEL_JS})('{TOUR}').id)"


def layout(page, path: str) -> dict:
    try:
        page.wait_for_function(f"(path) => !!({LAYOUT_JS})(path)", arg=path, timeout=60_000)
    except ui.TIMEOUTS:
        open_now = page.evaluate("() => [...window.jupyterapp.shell.widgets('main')].map(w => w.title.label)")
        raise AssertionError(f"{path} was not shown within 60 s; open: {open_now}") from None
    return page.evaluate(LAYOUT_JS, path)


def unreadable(path: str, shown: dict, width: int) -> list[str]:
    """What keeps the learner from reading the document, if anything."""
    found = []
    if shown["width"] < MIN_TEXT_PX[width]:
        found.append(f"{path}: text column {shown['width']} px, want {MIN_TEXT_PX[width]}+")
    if shown["sidebars"]:
        found.append(f"{path}: sidebar open: {shown['sidebars']}")
    if not (shown["clear"] and shown["inWindow"]):
        found.append(f"{path}: the text runs under a sidebar or out of the window: {shown}")
    return found


@pytest.mark.parametrize("width", sorted(MIN_TEXT_PX))
def test_the_tour_and_every_notebook_are_readable_on_a_small_screen(
    engine, fresh_engine_page, base_url, width
):
    page = fresh_engine_page  # a first visit: the site's own layout, nothing stored yet
    page.set_viewport_size({"width": width, "height": HEIGHT})
    taken = page.evaluate(SIZE_JS)
    phone = width < WIDEST_PHONE and width <= taken[0] <= WIDEST_PHONE
    assert taken[1] == HEIGHT and (taken[0] == width or phone), (
        f"{engine} took {taken}, not {width} x {HEIGHT}"
    )
    ui.visit(page, f"{base_url}lab/index.html")  # the site opens on the tour (one reload)
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    page.evaluate("async () => { await window.jupyterapp.restored; }")
    page.wait_for_function("() => !document.getElementById('jupyterlab-splash')", timeout=60_000)
    shown = {TOUR: layout(page, TOUR)}
    for notebook in NOTEBOOKS:
        page.evaluate(SHOW_TOUR_JS)  # back to the tour's tab, tap the notebook's link
        page.wait_for_function(TAP_JS, arg=notebook, timeout=30_000)
        shown[notebook] = layout(page, notebook)  # its tab stays open, as a learner leaves it
    widths = {re.sub(r"-.*", "", path): seen["width"] for path, seen in shown.items()}
    print(f"[small screens] {engine} at {taken[0]} px, text column (px): {widths}")
    problems = [problem for path, seen in shown.items() for problem in unreadable(path, seen, width)]
    assert not problems, f"{engine} at {width} px:\n" + "\n".join(problems)
