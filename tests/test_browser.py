"""Drive the built site in headless Chromium: offline rendering and kernel-free explorers."""

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").exists():
        pytest.fail("no built site in _build/html: run `make book` (or `make test`) first")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium not installed (Debian package 'chromium'); `make test` installs it when run as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url, wait_until="networkidle")
    return page, requests


def foreign(requests):
    return [u for u in requests if urlparse(u).hostname not in ("127.0.0.1", None) and not u.startswith("data:")]


TOC = (ROOT / "_toc.yml").read_text()
PAGES = ["intro.html"] + [f"{stem}.html" for stem in __import__("re").findall(r"file: (\S+)", TOC)]
CHAPTERS = [p for p in PAGES if p[:2].isdigit()]


@pytest.mark.parametrize("name", PAGES)
def test_page_requests_only_its_own_host_and_typesets_math(browser, server, name):
    page, requests = open_page(browser, f"{server}/{name}")
    page.wait_for_function(
        "document.querySelectorAll('mjx-container').length > 0 || !document.querySelector('.math')", timeout=20000
    )
    assert not foreign(requests), foreign(requests)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name.replace(".html", ".png")))
    page.close()


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_math_is_rendered_without_errors(browser, server, name):
    page, _ = open_page(browser, f"{server}/{name}")
    page.wait_for_function("document.querySelectorAll('mjx-container').length > 20", timeout=30000)
    page.wait_for_timeout(500)
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    page.close()


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_explorer_control_changes_the_figure(browser, server, name):
    page, requests = open_page(browser, f"{server}/{name}")
    roots = page.locator('[data-lrnn-explorer="static"]')
    for i in range(roots.count()):
        root = roots.nth(i)
        root.scroll_into_view_if_needed()
        controls = root.locator("input[type=range], select")
        assert controls.count() >= 1
        for j in range(controls.count()):
            before = root.locator("svg").first.inner_html() + root.locator(".lrnn-explorer-text").inner_text()
            controls.nth(j).evaluate(
                "e => { e.value = e.tagName === 'SELECT' ? e.options[e.options.length - 1].value"
                " : (e.value === e.max ? e.min : e.max); e.dispatchEvent(new Event('input')); }"
            )
            after = root.locator("svg").first.inner_html() + root.locator(".lrnn-explorer-text").inner_text()
            assert after != before, f"explorer {i} control {j} on {name} changed nothing"
    assert not foreign(requests)
    page.close()


def test_explorer_responds_without_kernel(browser, server):
    page, requests = open_page(browser, f"{server}/01_roots.html")
    root = page.locator('[data-lrnn-explorer="static"]').first
    root.scroll_into_view_if_needed()
    svg_before = root.locator("svg").first.inner_html()
    text_before = root.locator(".lrnn-explorer-text").inner_text()
    sliders = root.locator('input[type="range"]')
    assert sliders.count() == 2
    sliders.nth(0).evaluate("e => { e.value = e.max; e.dispatchEvent(new Event('input')); }")
    assert root.locator(".lrnn-explorer-text").inner_text() != text_before
    assert root.locator("svg").first.inner_html() != svg_before
    assert "dT = 0.8" in root.locator(".lrnn-explorer-text").inner_text()
    sliders.nth(1).evaluate("e => { e.value = e.max; e.dispatchEvent(new Event('input')); }")
    assert "> 1" in root.locator(".lrnn-explorer-text").inner_text()
    root.screenshot(path=str(SHOTS / "01_roots-explorer.png"))
    assert not foreign(requests)
    page.close()


def test_chapter_works_opened_from_disk(browser):
    """The acceptance case: the built page opened straight from disk (file://), no server."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto((HTML / "01_roots.html").resolve().as_uri(), wait_until="load")
    page.wait_for_function("document.querySelectorAll('mjx-container').length > 100", timeout=30000)
    loaded = page.evaluate("Array.from(document.fonts).filter(f => f.family === 'MJXTEX-I')[0].status")
    assert loaded == "loaded", "MathJax's own fonts load from disk"
    root = page.locator('[data-lrnn-explorer="static"]').first
    before = root.locator(".lrnn-explorer-text").inner_text()
    root.locator("input[type=range]").first.evaluate("e => { e.value = e.max; e.dispatchEvent(new Event('input')); }")
    assert root.locator(".lrnn-explorer-text").inner_text() != before
    assert not failed, failed
    page.close()
