"""The tour page (content/README.md, where the site opens): every claim of the seed numbered, with
one of three verdicts, and a link that opens its notebook at the section that shows it."""

import re

import nbformat
import pytest

from sitetools import CONTENT
from tests.harness import notebook as ui

TOUR = CONTENT / "README.md"
VERDICTS = ("True", "True, made precise", "Corrected")
# A claim row: | 3.2 | claim | **verdict**... | links |
CLAIM_ROW = re.compile(r"^\| ([1-6])\.(\d) \| (.+?) \| \*\*(.+?)\*\*(.*?) \| (.+) \|$", re.MULTILINE)
# A link into a notebook section: [heading](NN-name.ipynb#cell-id=ID), ID the cell that holds the
# heading. JupyterLab 4.6 also resolves #Heading-text, but only once the notebook is drawn: a first
# click on such a link opened the notebook at its top (tests/test_landing.py found it).
LINK = re.compile(r"\[([^\]]+)\]\(((\d\d-[\w-]+\.ipynb)#cell-id=([\w-]+))\)")


def headings(notebook) -> dict[str, list[str]]:
    """{cell id: the text of each heading in it} for a notebook's markdown cells."""
    found = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown":
            lines = re.findall(r"^#{1,6} (.+)$", cell.source, flags=re.MULTILINE)
            found[cell.id] = [re.sub(r"[`*]", "", line).strip() for line in lines]
    return found


def claim_rows():
    return CLAIM_ROW.findall(TOUR.read_text())


def tour_links() -> list[tuple[str, str, str, str]]:
    """(text, href, notebook, cell id) of every link from the tour into a notebook section."""
    return LINK.findall(TOUR.read_text())


def test_the_tour_numbers_22_claims_over_the_six_seed_sections():
    rows = claim_rows()
    numbers = [f"{section}.{n}" for section, n, *_ in rows]
    assert len(rows) == 22 and len(set(numbers)) == 22, f"claims numbered {numbers}"
    assert {section for section, *_ in rows} == set("123456")


def test_every_claim_has_one_of_the_three_verdicts_and_a_link():
    for section, n, claim, verdict, _, shown in claim_rows():
        assert verdict.rstrip(".:") in VERDICTS, f"claim {section}.{n}: verdict {verdict!r}"
        assert LINK.search(shown), f"claim {section}.{n} ({claim}) links to no notebook section"


def test_every_notebook_summary_uses_the_same_verdict_words():
    for notebook in sorted(CONTENT.glob("*.ipynb")):
        summary = next(
            c.source
            for c in nbformat.read(notebook, as_version=4).cells
            if c.cell_type == "markdown" and c.source.startswith("## Summary")
        )
        verdicts = re.findall(r"^\|[^|]+\| \*\*(.+?)\*\*", summary, flags=re.MULTILINE)
        assert verdicts, f"{notebook.name}: its summary gives no verdicts"
        odd = [v for v in verdicts if v.rstrip(".:") not in VERDICTS]
        assert not odd, f"{notebook.name}: verdicts other than {VERDICTS}: {odd}"


def test_every_tour_link_names_a_heading_of_the_cell_it_opens():
    """The link's text is (the start of) a heading in the cell it points to."""
    broken = []
    for text, href, notebook, cell in tour_links():
        titles = headings(CONTENT / notebook).get(cell, [])
        if not any(title.startswith(text) for title in titles):
            broken.append(f"[{text}]({href}): that cell's headings are {titles}")
    assert len(tour_links()) >= 22, "every claim links to its section"
    assert not broken, "tour links that do not open the section they name:\n" + "\n".join(broken)


# The heading in the cell a link opens is in view in that notebook's panel.
HEADING_IN_VIEW = f"""([path, id, text]) => {{
  const panel = ({ui.PANEL_JS})(path);
  const cell = panel?.content.widgets.find(w => w.model.id === id);
  const heading = [...(cell?.node.querySelectorAll('h1, h2, h3, h4, h5, h6') ?? [])]
    .find(h => h.textContent.startsWith(text));
  if (!heading) return false;
  const box = heading.getBoundingClientRect();
  const view = panel.content.node.parentElement.getBoundingClientRect();
  return box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
}}"""


@pytest.mark.parametrize("notebook", sorted({link[2] for link in tour_links()}))
def test_tour_links_open_the_notebook_at_the_section(page, base_url, notebook):
    """Click each link on the tour page as a learner does: the notebook opens at that heading.

    On the first click into a notebook that is not open yet, JupyterLab 4.6 scrolls before the
    cells above have their final height, so the heading can land just outside the view; the
    learner then sees the notebook's start and clicks again. That is JupyterLab's, and measured
    here (docs/known-gaps.md); every click into an open notebook must land exactly.
    """
    ui.visit(page, f"{base_url}lab/index.html")  # the workspace opens the tour first
    for number, (text, href, _, cell) in enumerate(link for link in tour_links() if link[2] == notebook):
        follow(page, href, notebook)
        if number == 0:  # the notebook opened: once its kernel is idle, follow the link again
            page.wait_for_function(
                f"(path) => ({ui.PANEL_JS})(path)?.sessionContext.session?.kernel?.status === 'idle'",
                arg=notebook,
                timeout=ui.KERNEL_IDLE_TIMEOUT * 1000,
            )
            follow(page, href, notebook)
        page.wait_for_function(HEADING_IN_VIEW, arg=[notebook, cell, text], timeout=20_000)


SHOW_TAB = f"(path) => window.jupyterapp.shell.activateById(({ui.PANEL_JS})(path).id)"
IN_FRONT = f"(path) => !!window.jupyterapp && window.jupyterapp.shell.currentWidget === ({ui.PANEL_JS})(path)"


def follow(page, href: str, notebook: str) -> None:
    """Back to the tour's tab, click the link, wait until its notebook is the tab in front."""
    page.wait_for_function(f"(path) => !!({ui.PANEL_JS})(path)", arg="README.md", timeout=60_000)
    page.evaluate(SHOW_TAB, "README.md")
    page.wait_for_function(IN_FRONT, arg="README.md")
    page.locator(f".jp-RenderedMarkdown a[href$='/files/{href}']").first.click()
    page.wait_for_function(IN_FRONT, arg=notebook, timeout=60_000)
