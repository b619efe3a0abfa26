"""A learner's mistakes cost neither their work nor the kernel: tried in the real browser."""

from tests import lite

# (what the learner does, the code, what the output must say)
BAD_INPUTS = [
    ("a syntax error", "def f(:\n    pass", "SyntaxError"),
    ("an uncaught exception", "raise ValueError('boom')", "ValueError: boom"),
    ("raise KeyboardInterrupt", "raise KeyboardInterrupt", "KeyboardInterrupt"),
    ("deep recursion", "def f(n):\n    return f(n + 1)\nf(0)",
     "RecursionError: maximum recursion depth exceeded"),
    ("a huge allocation", "x = bytearray(2**31 - 1)", "MemoryError"),
    ("an allocation past 32-bit sizes", "x = bytearray(2**31)",
     "OverflowError: cannot fit 'int' into an index-sized integer"),
    ("a lone surrogate", "print('\\udcff')", "\udcff"),
    ("a package the site does not have", "import requests",
     "ModuleNotFoundError: No module named 'requests'"),
    ("200,000 lines in one print", "print('\\n'.join(map(str, range(200_000))))", "199999"),
]


def test_bad_input_leaves_the_kernel_usable(page, base_url, capsys):
    lite.new_notebook(page, base_url)
    recovered = []
    for what, code, expected in BAD_INPUTS:
        shown = lite.output_text(lite.run_code(page, code))
        assert expected in shown, f"{what}: the learner sees {shown[-300:]!r}"
        after = lite.output_text(lite.run_code(page, "print(6 * 7)"))
        assert after == "42\n", f"after {what}, the next cell printed {after!r}"
        recovered.append(what)
    with capsys.disabled():
        print(f"\n[reliability] bad inputs tried: {len(BAD_INPUTS)}, kernel recovered from: {len(recovered)}")


def test_printed_html_is_shown_as_text_not_run(page, base_url):
    lite.new_notebook(page, base_url)
    payload = '<img src=x onerror="window.__pwned = 1"><script>window.__pwned = 2</script>'
    shown = lite.output_text(lite.run_code(page, f"print({payload!r})"))
    assert shown == payload + "\n"
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator(".jp-OutputArea-output").last.inner_text().strip() == payload


def saved_cells(page) -> str:
    """The open notebook's cells as saved in browser storage (not as the editor shows them)."""
    return page.evaluate("""async () => {
      const path = window.jupyterapp.shell.currentWidget.context.path;
      return JSON.stringify((await window.jupyterapp.serviceManager.contents.get(path, {content: true})).content.cells);
    }""")


def test_restart_stops_runaway_code_and_keeps_the_notebook(page, base_url):
    lite.new_notebook(page, base_url)
    lite.run_code(page, "x = 1")
    lite.save(page)
    saved = saved_cells(page)
    lite.start_cell(page, lite.add_cell(page, "while True:\n    pass"))
    page.wait_for_timeout(1500)
    assert page.evaluate(lite.KERNEL_STATUS_JS) == "busy"
    page.get_by_role("menuitem", name="Kernel").click()
    page.get_by_role("menuitem", name="Restart Kernel…").click()
    page.locator(".jp-Dialog button.jp-mod-accept", has_text="Restart").click()
    page.wait_for_timeout(500)
    took = lite.wait_idle(page, what="restarting during `while True: pass`", timeout=60)
    assert lite.output_text(lite.run_code(page, "print('back')")) == "back\n"
    after = saved_cells(page)
    assert after == saved, "the saved notebook changed"
    assert took < 30


def test_saved_work_survives_reload_and_browser_restart(playwright, base_url, tmp_path):
    profile = tmp_path / "profile"
    with lite.browser(playwright, profile) as ctx:
        page = ctx.new_page()
        lite.new_notebook(page, base_url)
        lite.run_code(page, "open('kept.txt', 'w').write('written in the browser')")
        lite.add_cell(page, "# my edit")
        lite.save(page)
        page.reload()
        lite.wait_idle(page, what="reloading the page")
        assert "# my edit" in lite.cell_sources(page)
        assert ctx.watch.offsite == [] and ctx.watch.errors == []
    with lite.browser(playwright, profile) as ctx:
        page = ctx.new_page()
        page.goto(f"{base_url}lab/index.html")
        lite.wait_idle(page, what="reopening the browser")
        assert "# my edit" in lite.cell_sources(page)
        kept = lite.output_text(lite.run_code(page, "print(open('kept.txt').read())"))
        assert kept == "written in the browser\n"
        assert ctx.watch.offsite == [] and ctx.watch.errors == []

