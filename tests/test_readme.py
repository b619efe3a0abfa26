"""The README renders as a front page: its notebook table holds every notebook (a Markdown table
ends at its first line that is not a row), it links every page of docs/, and no relative link of
the repository's own Markdown (README, CONTRIBUTING, docs/, bench/RESULTS.md) leads nowhere."""

import re
from pathlib import Path

import pytest

from sitetools import CONTENT, ROOT

README = ROOT / "README.md"
PAGES = [
    README,
    ROOT / "CONTRIBUTING.md",
    ROOT / "bench" / "RESULTS.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
# [text](target) and ![alt](target); a target with a scheme or only an anchor is not a file.
LINK = re.compile(r"\]\(([^)\s]+)\)")
ELSEWHERE = re.compile(r"^(?:[a-z]+:|#)")


def table_after(text: str, header: str) -> list[str]:
    """The rows of the Markdown table under `header`, as a renderer reads them: up to the first
    line that is not a row."""
    lines = text.splitlines()
    start = lines.index(header) + 2  # the header and the |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_the_notebook_table_has_a_row_for_each_notebook_in_order():
    rows = table_after(README.read_text(), "| notebook | what it proves |")
    linked = [LINK.search(row).group(1) for row in rows]
    notebooks = [f"content/{p.name}" for p in sorted(CONTENT.glob("*.ipynb"))]
    assert linked == notebooks, f"the table's rows link {linked}, not the notebooks {notebooks}"


def test_the_table_reader_stops_where_a_renderer_does():
    """As the README was: row 06 after a paragraph is stray text, not a sixth row."""
    text = "| notebook | what it proves |\n|---|---|\n| [01](a) | x |\n\nA paragraph.\n| [06](b) | y |\n"
    assert table_after(text, "| notebook | what it proves |") == ["| [01](a) | x |"]


def test_the_readme_is_a_front_page_that_links_every_docs_page():
    text = README.read_text()
    assert len(text.splitlines()) <= 120, "the README is a front page: move details to docs/"
    unlinked = [p.name for p in (ROOT / "docs").glob("*.md") if f"](docs/{p.name}" not in text]
    assert not unlinked, f"docs pages the README does not link: {unlinked}"


def anchors(page: Path) -> set[str]:
    """GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading(page):
    broken = []
    for target in LINK.findall(page.read_text()):
        if ELSEWHERE.match(target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve()
        if not resolved.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target} (no such heading)")
    assert not broken, f"{page.relative_to(ROOT)} links nowhere: {broken}"
