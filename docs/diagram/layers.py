"""Draw the tour's picture of the layers, as SVG, with the standard library only.

    python docs/diagram/layers.py

writes content/images/layers.svg (nothing highlighted, for the tour and notebook 1) and
content/images/layers-01.svg ... layers-06.svg (the same picture, with the layers that notebook is
about highlighted). Edit LAYERS below and run it again; commit the script and the SVGs together.

The SVGs have a viewBox and no fixed size, so they scale to the width of the page: at 1280 px the
notebooks show them 420 px wide (an img tag with width="420"); on a phone they shrink to the
text column, and the fonts are large for the drawing's size so that they stay legible there.
"""

from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parents[2] / "content" / "images"
WIDTH = 400
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
MONO = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace"

# One row per layer, top to bottom: (key, title, detail lines, indent level, notebooks it is about).
LAYERS = [
    ("page", "The page (main thread)", ["JupyterLab: notebooks, outputs,", "the file browser"], 0, {6}),
    (
        "worker",
        "The kernel: a Web Worker",
        ["a background thread of the page,", "no document, no window"],
        0,
        {6},
    ),
    ("code", "Your cell", ["compiled to CPython bytecode", "when you run it"], 1, {1}),
    (
        "wasm",
        "CPython: pyodide.asm.wasm",
        ["the interpreter, compiled once", "to WebAssembly; packages' .so", "side modules are linked in"],
        1,
        {1, 3},
    ),
    (
        "glue",
        "Emscripten's JavaScript glue",
        ["system calls, files (MEMFS: /tmp),", "clocks; Pyodide's bridge: import js"],
        1,
        {2, 5},
    ),
    ("browser", "The browser's APIs", ["wasm engine, fetch, timers,", "the event loop"], 1, {2, 4, 5}),
    (
        "sw",
        "Service worker + IndexedDB",
        ["answers /drive and input();", "IndexedDB keeps the files you save"],
        0,
        {4},
    ),
    ("server", "The web server (static files)", ["the site, Pyodide, wheels, data/"], 0, {3, 4}),
]
NOTEBOOK_TITLES = {
    1: "CPython, compiled to wasm",
    2: "the bridge to JavaScript",
    3: "packages for this platform",
    4: "files and the network",
    5: "Emscripten, underneath",
    6: "where the code runs",
}
ROW_TITLE, ROW_LINE, GAP, PAD = 22, 19, 18, 10


def box_height(details):
    return PAD + ROW_TITLE + ROW_LINE * len(details) + PAD - 4


def text(x, y, s, size, weight="normal", family=FONT, fill="#1a1a1a"):
    return (
        f'<text x="{x}" y="{y}" font-family="{family}" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}">{escape(s)}</text>'
    )


def layer_box(y, layer, highlight):
    key, title, details, indent, _ = layer
    x = 16 + 22 * indent
    w = WIDTH - 16 - x - (22 if indent else 0)
    h = box_height(details)
    on = highlight is None or key in highlight
    fill, stroke, width = ("#fff4d6", "#c77c00", 3) if highlight and on else ("#f4f6f8", "#5b6b7a", 1.5)
    ink = "#1a1a1a" if on else "#6b7680"
    parts = [
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{width}"/>',
        text(x + 12, y + PAD + 16, title, 17, "bold", fill=ink),
    ]
    for i, line in enumerate(details):
        parts.append(text(x + 12, y + PAD + ROW_TITLE + 14 + ROW_LINE * i, line, 14.5, fill=ink))
    return parts, h


def arrow(y, label):
    x = WIDTH // 2
    return [
        f'<line x1="{x}" y1="{y + 3}" x2="{x}" y2="{y + GAP + 3}" stroke="#5b6b7a" stroke-width="1.5" '
        'marker-start="url(#tip)" marker-end="url(#tip)"/>',
        text(x + 10, y + GAP - 1, label, 13, fill="#3d4a56"),
    ]


# Arrows between the big rows, with what crosses them; inner layers are stacked with small gaps.
LINKS = {"page": "messages (postMessage)", "browser": "requests (fetch, XHR)", "sw": "everything else"}


def stack(highlight, top):
    """The boxes and arrows, top to bottom; returns the SVG parts and the height used."""
    body, y, worker_top = [], top, None
    for i, layer in enumerate(LAYERS):
        if layer[0] == "worker":
            worker_top = y
        if layer[0] == "code":
            y += 4
        parts, h = layer_box(y, layer, highlight)
        body += parts
        y += h
        if layer[0] == "browser":  # the worker's frame closes around its four inner layers
            y += 8
            body.insert(0, worker_frame(worker_top, y, highlight))
        if i + 1 < len(LAYERS):
            if layer[0] in LINKS:
                body += arrow(y, LINKS[layer[0]])
                y += GAP + 6
            else:
                y += 6
    return body, y


def svg(notebook=None):
    highlight = {k for k, *_, nbs in LAYERS if notebook in nbs} if notebook else None
    body, y = stack(highlight, 46 if notebook else 12)
    head = []
    if notebook:
        head = [text(16, 30, f"Notebook {notebook}: {NOTEBOOK_TITLES[notebook]}", 17, "bold", fill="#8a5200")]
    height = y + 12
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-labelledby="title">',
            f'<title id="title">{escape(alt_text(notebook))}</title>',
            '<defs><marker id="tip" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="6" '
            'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="#5b6b7a"/></marker></defs>',
            f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
            *head,
            *body,
            "</svg>",
            "",
        ]
    )


def worker_frame(top, bottom, highlight):
    on = highlight is not None and "worker" in highlight
    stroke = "#c77c00" if on else "#5b6b7a"
    return (
        f'<rect x="10" y="{top - 4}" width="{WIDTH - 20}" height="{bottom - top + 4}" rx="10" '
        f'fill="none" stroke="{stroke}" stroke-width="{3 if on else 1.5}" stroke-dasharray="6 4"/>'
    )


def alt_text(notebook=None):
    base = (
        "The layers, top to bottom: the page on the tab's main thread; the kernel's Web Worker, "
        "holding your cell (compiled to CPython bytecode), CPython itself (pyodide.asm.wasm, with "
        "packages' side modules), Emscripten's JavaScript glue (system calls, files, the js bridge) "
        "and the browser's APIs; the service worker and IndexedDB behind /drive; the web server."
    )
    if not notebook:
        return base
    names = [title for key, title, *_ in LAYERS if notebook in _[-1]]
    return f"{base} Highlighted for notebook {notebook}: {'; '.join(names)}."


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "layers.svg").write_text(svg())
    for n in NOTEBOOK_TITLES:
        (OUT / f"layers-{n:02d}.svg").write_text(svg(n))
    print("wrote", OUT / "layers.svg", "and layers-01.svg ... layers-06.svg")


if __name__ == "__main__":
    main()
