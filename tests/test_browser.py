"""Drive the built site in headless Chromium: offline rendering and kernel-free explorers."""

import functools
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
# MathJax's own files. A check that reads no formula refuses them (without_mathjax): the page is not
# typeset, which is about half of what a chapter costs the browser to open.
MATHJAX = re.compile(r".*/_static/mathjax/.*")


def without_mathjax(target):
    """``target`` (a page or a browser context), with every MathJax file it asks for refused."""
    target.route(MATHJAX, lambda route: route.abort())
    return target


def open_page(browser, url, mathjax=True):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    if not mathjax:
        without_mathjax(page)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url, wait_until="networkidle")
    return page, requests


def foreign(requests):
    return [u for u in requests if urlparse(u).hostname not in ("127.0.0.1", None) and not u.startswith("data:")]


TOC = (ROOT / "_toc.yml").read_text()
PAGES = ["intro.html"] + [f"{stem}.html" for stem in __import__("re").findall(r"file: (\S+)", TOC)]
CHAPTERS = [p for p in PAGES if p[:2].isdigit()]


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_explorer_control_changes_the_figure(browser, server, name):
    if 'data-lrnn-explorer="static"' not in (HTML / name).read_text(encoding="utf-8"):
        pytest.skip(f"{name} has no explorer")
    page, requests = open_page(browser, f"{server}/{name}", mathjax=False)
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
    page, requests = open_page(browser, f"{server}/01_roots.html", mathjax=False)
    root = page.locator('[data-lrnn-explorer="static"]').first
    root.scroll_into_view_if_needed()
    svg_before = root.locator("svg").first.inner_html()
    text_before = root.locator(".lrnn-explorer-text").inner_text()
    sliders = root.locator('input[type="range"]')
    assert sliders.count() == 2
    sliders.nth(0).evaluate("e => { e.value = e.max; e.dispatchEvent(new Event('input')); }")
    assert root.locator(".lrnn-explorer-text").inner_text() != text_before
    assert root.locator("svg").first.inner_html() != svg_before
    assert "ΔT = 0.8" in root.locator(".lrnn-explorer-text").inner_text()
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


# -- the site as a reader meets it: every page, desktop and phone ----------------------------------

MATH_REPORT = """() => {
  const out = [];
  document.querySelectorAll('article div.math').forEach((box, i) => {
    const m = box.querySelector('mjx-container');
    if (!m) return;
    const b = box.getBoundingClientRect(), c = m.getBoundingClientRect();
    const article = box.closest('article').getBoundingClientRect();
    const cs = getComputedStyle(box);
    out.push({i, id: box.id, overflow: box.scrollWidth - box.clientWidth,
              scrolls: ['auto', 'scroll'].includes(cs.overflowX),
              cue: box.classList.contains('lrnn-more-right'), leftCut: b.left - c.left - box.scrollLeft,
              outside: b.right - article.right});
  });
  return out;
}"""


def settle_math(page):
    page.wait_for_function(
        "!document.querySelector('div.math') || (window.MathJax && MathJax.startup && MathJax.startup.promise)",
        timeout=20000,
    )
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    page.wait_for_timeout(300)


# The notebooks are formatted to 76 columns (book/ruff.toml), which fit the code column at
# 1280 px; a block may still scroll on purpose (a long table row), at most two per chapter. The API
# pages (api*.html) are laid out by autodoc, and their docstrings' examples may scroll.
WIDE_CODE = (
    "() => Array.from(document.querySelectorAll('div.cell_input pre, article div.highlight pre'))"
    ".filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent.split('\\n')[0].slice(0, 50))"
)


CONTRAST = """root => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const v = c.slice(0, 3).map(x => {
                       x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
                     return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const bgOf = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
                       if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c; } return [255, 255, 255]; };
  const worst = [];
  const sel = 'text, .lx-title, .lx-control-name, output, button, li span, .lrnn-explorer-text, figcaption';
  root.querySelectorAll(sel).forEach(el => {
    if (!el.textContent.trim()) return;
    const cs = getComputedStyle(el);
    const fg = rgb(el instanceof SVGElement ? cs.fill : cs.color);
    const bg = bgOf(el instanceof SVGElement ? root : el);
    const l1 = lum(fg), l2 = lum(bg), ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    worst.push([ratio, el.textContent.slice(0, 30)]);
  });
  worst.sort((a, b) => a[0] - b[0]);
  return worst.slice(0, 3);
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_explorers_respond_and_are_readable_in_both_themes(browser, server, theme):
    for name in CHAPTERS:
        ctx = without_mathjax(browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=theme))
        ctx.add_init_script(f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');")
        page = ctx.new_page()
        page.goto(f"{server}/{name}", wait_until="networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        roots = page.locator('[data-lrnn-explorer="static"]')
        for i in range(roots.count()):
            root = roots.nth(i)
            root.scroll_into_view_if_needed()
            worst = root.evaluate(CONTRAST)
            assert worst and worst[0][0] >= 4.5, f"{name} explorer {i} in {theme} mode: contrast {worst}"
            before = root.locator("svg").first.inner_html()
            control = root.locator("input[type=range], .lx-segmented button[aria-checked=false], select").first
            if control.evaluate("e => e.tagName") == "BUTTON":
                control.click()
            else:
                control.evaluate(
                    "e => { e.value = e.max || e.options.length - 1; e.dispatchEvent(new Event('input')); }"
                )
            assert root.locator("svg").first.inner_html() != before, f"{name} explorer {i} does not respond ({theme})"
            if i == 0:
                root.screenshot(path=str(SHOTS / f"{name[:-5]}-explorer-{theme}.png"))
        ctx.close()


def test_explorer_layout_matches_the_text_on_desktop_and_phone(browser, server):
    """Two panels side by side at 1280 and 1440 px ("left panel", "right panel"); one above the other,
    within the screen, on a phone; legends under the panels."""
    for width, side_by_side in ((1280, True), (1440, True), (390, False)):
        page = without_mathjax(browser.new_page(viewport={"width": width, "height": 900}))
        page.goto(f"{server}/01_roots.html", wait_until="networkidle")
        root = page.locator('[data-lrnn-explorer="static"]').first
        root.scroll_into_view_if_needed()
        boxes = root.locator("figure.lx-panel").evaluate_all("fs => fs.map(f => f.getBoundingClientRect().toJSON())")
        assert len(boxes) == 2
        assert (abs(boxes[0]["top"] - boxes[1]["top"]) < 2) == side_by_side, (width, boxes)
        assert all(b["right"] <= width + 1 for b in boxes), (width, boxes)
        assert root.locator("ul.lx-legend").count() == 2, "legends sit under their panels"
        page.close()


@functools.cache
def _soup(name):
    from bs4 import BeautifulSoup

    return BeautifulSoup((HTML / name).read_text(encoding="utf-8"), "html.parser")


def shows_equation(name, anchor, n):
    """Whether ``name#anchor`` is a displayed equation whose ``\\tag{...}`` covers the number ``n``."""
    import re

    box = _soup(name).find(id=anchor)
    if box is None or box.name != "div" or "math" not in box.get("class", []):
        return False
    for lo, hi in re.findall(r"\\tag\*?\{\s*(\d+)(?:\s*[-–]\s*(\d+))?", box.get_text()):
        if int(lo) <= n <= int(hi or lo):
            return True
    return False


def test_equation_mentions_are_links_to_displayed_equations(browser, server):
    """At least 95 % of the "Eq. N" mentions in the chapters' prose are links that land on a
    displayed equation carrying that number."""
    total = linked = 0
    misses = []
    for name in CHAPTERS:
        page = without_mathjax(browser.new_page(viewport={"width": 1280, "height": 900}))
        page.goto(f"{server}/{name}", wait_until="networkidle")
        mentions = page.evaluate(
            """() => {
              const out = [], re = /\\bEqs?\\.[ \\u00a0]?(\\d+)/g;
              const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
              for (let t; (t = walker.nextNode());) {
                if (t.parentElement.closest('pre, .math, script, style, h1, h2, h3, h4, mjx-container')) continue;
                for (const m of t.textContent.matchAll(re)) {
                  const a = t.parentElement.closest('a');
                  out.push({n: +m[1], href: a ? a.getAttribute('href') : null, text: t.textContent.slice(0, 60)});
                }
              }
              return out;
            }"""
        )
        for m in mentions:
            total += 1
            page_name, _, anchor = (m["href"] or "").partition("#")
            if anchor and shows_equation(page_name or name, anchor, m["n"]):
                linked += 1
            else:
                misses.append((name, m["text"], m["href"]))
        page.close()
    assert total > 200
    assert linked / total >= 0.95, f"{linked}/{total} mentions link to a displayed equation; e.g. {misses[:8]}"


def test_errata_labels_link_to_their_rows(browser, server):
    page = browser.new_page()
    page.goto(f"{server}/03_training_rnn.html", wait_until="domcontentloaded")
    links = page.locator("article a.lrnn-xref").evaluate_all(
        "as => as.map(a => [a.textContent.trim(), a.getAttribute('href')])"
    )
    p1 = [h for t, h in links if t == "P1"]
    p2 = [h for t, h in links if t == "P2"]
    # an erratum with a section of its own links to that section (its deciding computation) ...
    assert p1 and all(h.endswith("appendix_errata.html#erratum-p1") for h in p1), links
    page.goto(f"{server}/{p1[0]}", wait_until="domcontentloaded")
    assert page.evaluate("document.getElementById('erratum-p1').tagName") in ("SECTION", "SPAN", "DIV")
    # ... one without a section links to its row of the table
    assert p2 and all(h.endswith("appendix_errata.html#p2") for h in p2), links
    page.goto(f"{server}/{p2[0]}", wait_until="domcontentloaded")
    assert page.evaluate("document.getElementById('p2').tagName") == "TR"
    page.close()


def test_numbering_index_and_bibliography_read_like_the_text(browser, server):
    page = browser.new_page()
    page.goto(f"{server}/02_unrolling.html", wait_until="domcontentloaded")
    text = page.locator("article").inner_text()
    assert "Proposition 1" in text and "Proposition 2.1" not in text and "Remark 2.4" not in text
    page.goto(f"{server}/prf-prf.html", wait_until="domcontentloaded")
    index = page.locator("article").inner_text()
    assert "Proposition 1: " in index and "prop-unrolling" not in index
    page.goto(f"{server}/bibliography.html", wait_until="domcontentloaded")
    labels = page.locator(".citation .label").all_inner_texts()
    assert any("Sherstinsky, 2020" in lab for lab in labels), labels
    assert any("et al., 1994" in lab for lab in labels), labels
    page.close()


def test_search_ranks_chapters_first(browser, server):
    page = browser.new_page()
    page.goto(f"{server}/search.html?q=LSTM", wait_until="networkidle")
    page.wait_for_selector("#search-results li", timeout=20000)
    first = page.locator("#search-results li a").evaluate_all("as => as.slice(0, 4).map(a => a.getAttribute('href'))")
    assert all(h.split("/")[-1][:2].isdigit() for h in first), first
    page.close()


def test_page_contents_highlight_follows_the_section(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/05_vanilla_lstm.html", wait_until="networkidle")
    links = page.locator("#pst-page-toc-nav a.nav-link").evaluate_all("as => as.map(a => a.hash)")
    for target in (links[2], links[5]):
        page.evaluate("h => document.getElementById(decodeURIComponent(h.slice(1))).scrollIntoView()", target)
        page.mouse.wheel(0, 1)
        page.wait_for_timeout(400)
        active = page.locator("#pst-page-toc-nav a.nav-link.active").evaluate_all("as => as.map(a => a.hash)")
        assert active and active[-1] == target, (target, active)
    page.close()


def test_figures_enlarge_and_the_runnable_book_is_offered(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/05_vanilla_lstm.html", wait_until="networkidle")
    img = page.locator("div.cell_output img").first
    img.scroll_into_view_if_needed()
    img.click()
    assert page.locator("dialog.lrnn-lightbox[open] img").count() == 1
    page.keyboard.press("Escape")
    items = page.locator(".dropdown-download-buttons .lrnn-run-item").evaluate_all(
        "as => as.map(a => [a.textContent.trim(), a.getAttribute('href')])"
    )
    assert [t for t, _ in items] == ["runnable book (.zip)", "how to run this notebook"], items
    assert (HTML / "lrnn-book.zip").exists()
    page.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_wide_figures_use_the_margin_on_desktop_and_fit_a_phone(browser, server, theme):
    """At 1280 px a figure wider than the text column is shown at its natural width or across the
    page's right margin (at least 924 px inside the dark theme's card, the width tests/test_viz.py
    sizes the diagram labels for); at 390 px every figure fits the screen, or the box it pans in
    (a diagram, at 0.7 of its natural size, tests/test_browser_layout.py) does."""
    for width in (1280, 390):
        ctx = without_mathjax(browser.new_context(viewport={"width": width, "height": 900}, color_scheme=theme))
        ctx.add_init_script(f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');")
        page = ctx.new_page()
        page.goto(f"{server}/05_vanilla_lstm.html", wait_until="networkidle")
        shown = page.evaluate(
            "() => Array.from(document.querySelectorAll('article div.cell_output img'))"
            ".filter(i => i.getBoundingClientRect().width > 0).map(i => ["  # a pair shows one of its two
            "i.getAttribute('src').split('/').pop(), i.naturalWidth, i.clientWidth"
            " - parseFloat(getComputedStyle(i).paddingLeft) - parseFloat(getComputedStyle(i).paddingRight),"
            " (i.closest('.lrnn-pan') || i).getBoundingClientRect().right])"
        )
        assert shown
        for src, natural, client, right in shown:
            if width == 1280:
                assert client >= min(natural, 924) - 1, f"{src} ({theme}): {client} px shown of {natural}"
            else:
                assert right <= width + 1, f"{src} ({theme}) sticks out of the phone screen: {right}"
        ctx.close()


def test_site_and_first_visit_stay_light(browser, server):
    """The whole site under 14 MB; a first visit to the front page under 2 MB (clean profile).

    The downloads a reader asks for (the runnable book, the PDF) are not pages and do not count.
    Chapters 1-6 and the appendices weighed 9 MB; Chapter 8's three embedded chorales and
    Chapter 7's figures take it past 12 MB.
    """
    downloads = {"lrnn-book.zip"} | {p.name for p in HTML.glob("*.pdf")}
    total = sum(p.stat().st_size for p in HTML.rglob("*") if p.is_file() and p.name not in downloads)
    assert total < 14_000_000, f"site is {total / 1e6:.1f} MB"
    ctx = browser.new_context()
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes = {}
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(f"{server}/intro.html", wait_until="networkidle")
    page.wait_for_timeout(1000)
    assert sum(sizes.values()) < 2_000_000, f"first visit {sum(sizes.values())} bytes"
    ctx.close()
