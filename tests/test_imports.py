"""No import circle among the repository's Python modules: each module's imports are read from its
source (ast), those inside functions too (a lazy import closes a circle as surely as a top one)."""

import ast
import graphlib
from pathlib import Path

from sitetools import ROOT

# Generated or installed, not the repository's code.
NOT_OURS = {".venv", "build", "dist", "node_modules", ".git", "__pycache__"}


def modules(root: Path) -> dict[str, Path]:
    """Every Python module under root by its dotted name ("tests.harness" for its __init__.py)."""
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if NOT_OURS.intersection(parts):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            found[".".join(parts)] = path
    return found


def imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement may load: for `from a import b`, a.b and a."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level:  # relative: `from . import x` in a.b is a.x (a.b.x in the package a.b)
        base = base[: len(base) - node.level + 1]
    else:
        base = []
    package = ".".join([*base, *([node.module] if node.module else [])])
    return [f"{package}.{alias.name}" for alias in node.names] + [package]


def own_target(name: str, known: dict[str, Path]) -> str | None:
    """The repository module an imported name loads (its longest dotted prefix that is one)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def import_graph(root: Path) -> dict[str, set[str]]:
    """{module: the repository's modules it imports}."""
    known = modules(root)
    graph = {}
    for module, path in known.items():
        is_package = path.name == "__init__.py"
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found = (own_target(n, known) for n in imported(node, module, is_package))
                # `from a import b` names the module a.b when there is one, else something in a.
                targets |= {next((t for t in found if t), None)} - {None, module}
        graph[module] = targets
    return graph


def circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle (its modules, the first repeated at the end), or None."""
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as e:
        return list(reversed(e.args[1]))
    return None


def test_no_module_of_the_repository_is_in_an_import_circle():
    graph = import_graph(ROOT)
    assert {"tests.harness.engines", "tests.harness.base", "sitetools.site", "bench.bench"} <= set(graph)
    assert "tests.harness.base" in graph["tests.harness.firefox"], "the reader missed an import"
    found = circle(graph)
    assert found is None, "import circle: " + " -> ".join(found)


def test_the_check_finds_a_circle_closed_by_a_lazy_relative_import(tmp_path):
    """As the harness had one (engines imported firefox inside a function, firefox imported engines)."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "engines.py").write_text("def page():\n    from pkg.firefox import page\n")
    (package / "firefox.py").write_text("from .engines import page\n")
    (package / "base.py").write_text("from . import engines\n")
    graph = import_graph(tmp_path)
    assert graph["pkg.base"] == {"pkg.engines"}
    assert circle(graph) in (
        ["pkg.engines", "pkg.firefox", "pkg.engines"],
        ["pkg.firefox", "pkg.engines", "pkg.firefox"],
    )
