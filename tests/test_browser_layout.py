"""The site's layout as a reader meets it, on every page at 390 and 1280 px, light and dark.

* no page is wider than the screen;
* no inline formula is cut (each fits its line's block, or scrolls on its own);
* at most :data:`MAX_SCROLLING_DISPLAYS` display equations scroll sideways on a phone, in the
  whole book (the rest fit the column);
* no table is clipped at 1280 px (none needs scrolling at desktop width); on a phone a wide
  table either scrolls with a cue or is laid out as cards;
* every icon the page can show has its glyph in the site's icon font (its character map is
  read with fontTools);
* the whole site, pages and assets but not the downloads, stays under 12 MB;
* each page of the table of contents loads as a reader meets it: nothing asked of another host, no
  console error or failed request, MathJax typesets without a TeX error and every font its
  formulas are set in is shipped (those of hidden solutions too, which a browser fetches only
  when shown), no display equation or
  code block cut at 1280 px, each display whole or scrolling with a cue at 390 px (one visit a
  page serves all of these checks);
* on a phone every figure is shown at 0.7 of its natural size or more (a plot by its one-column
  layout, a diagram panning sideways), its tick labels at 11 CSS px or more; a plot's one-column
  layout has two pixels to each CSS px it is shown at (sharp on a phone's 2x screen), and so does
  a plot side by side at 1280 px (sharp on a laptop's);
* a word of inline code, written ``<c-w>`` (book/_ext/lrnn_site/lean.py), is laid out as Sphinx's
  ``<span class="pre">`` would be.

Each run writes what it measured to ``_build/layout-report.json`` (counts per page).
"""

import json
import re
import time
from pathlib import Path

import pytest
from test_browser import (
    CHAPTERS,
    HTML,
    MATH_REPORT,
    PAGES,
    SHOTS,
    WIDE_CODE,
    foreign,
    without_mathjax,
)

from lrnn.viz.panels import PHONE_COLUMN_PX

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "_build" / "layout-report.json"
MAX_SCROLLING_DISPLAYS = 20
SITE_BUDGET = 12_000_000
ICON_FONTS = {"Free": HTML / "_static" / "lrnn-icons.woff", "Brands": HTML / "_static" / "lrnn-icons-brands.woff"}


# The files of the MathJax fonts the page's formulas are set in, hidden ones too: each character's font
# families (its own and its ::before's), looked up in the @font-face rules MathJax adds.
MATH_FONTS = """() => {
  const faces = {};
  for (const sheet of document.styleSheets) {
    let rules;
    try { rules = sheet.cssRules; } catch (e) { continue; }
    for (const r of rules) if (r instanceof CSSFontFaceRule) {
      const url = /url\\(["']?([^"')]+)/.exec(r.style.getPropertyValue('src'));
      const family = r.style.getPropertyValue('font-family').replace(/["']/g, '').trim();
      if (url) faces[family] = new URL(url[1], sheet.href || location.href).pathname;
    }
  }
  const used = new Set(), seen = new Set();
  document.querySelectorAll('mjx-container mjx-c, mjx-container mjx-mtext').forEach(c => {
    for (const pseudo of [null, '::before']) {
      const families = getComputedStyle(c, pseudo).fontFamily;
      if (seen.has(families)) continue;
      seen.add(families);
      families.split(',').forEach(f => { f = f.replace(/["']/g, '').trim(); if (faces[f]) used.add(faces[f]); });
    }
  });
  return Array.from(used).sort();
}"""


def site_pages():
    return sorted(p.name for p in HTML.glob("*.html"))


def icon_cmaps():
    """The characters each of the site's icon fonts has: ``{"Free": set, "Brands": set}``."""
    from fontTools.ttLib import TTFont

    assert ICON_FONTS["Free"].exists(), "the site's icon font is missing"
    return {k: set(TTFont(str(p)).getBestCmap()) if p.exists() else set() for k, p in ICON_FONTS.items()}


# One pass over a page at the current width: what a reader would find wrong.
MEASURE = """() => {
  const vw = document.documentElement.clientWidth;
  const px = v => parseFloat(v) || 0;
  const blockOf = el => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const d = getComputedStyle(a).display;
      if (!d.startsWith('inline') && d !== 'contents') return a;
    }
    return document.body;
  };
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const text = el => (el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 60);
  const out = {pageWide: document.documentElement.scrollWidth - vw, inlineCut: [], displayScroll: [],
               displayCount: 0, tableClipped: [], tableNoCue: []};
  const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  article.querySelectorAll('mjx-container').forEach(m => {
    if (m.getAttribute('display') === 'true' || m.closest('div.math') || !visible(m)) return;
    if (m.parentElement.closest('mjx-container')) return;
    const r = m.getBoundingClientRect();
    if (scrolls(m) && m.scrollWidth > m.clientWidth + 1) {   // scrolls on its own: reachable
      const b = blockOf(m).getBoundingClientRect();
      if (r.right <= Math.min(b.right, vw) + 1 && r.left >= Math.max(b.left, 0) - 1) return;
    }
    const blk = blockOf(m), b = blk.getBoundingClientRect(), cs = getComputedStyle(blk);
    const right = Math.min(b.right - px(cs.paddingRight), vw), left = Math.max(b.left + px(cs.paddingLeft), 0);
    // inside a box that scrolls sideways (a wide table's wrapper) the formula can be reached
    for (let a = blk; a && a !== article; a = a.parentElement) {
      if (scrolls(a) && a.scrollWidth > a.clientWidth + 1 && a !== document.body) return;
    }
    if (r.right > right + 1 || r.left < left - 1)
      out.inlineCut.push({text: text(m), over: Math.round(r.right - right), where: text(blk).slice(0, 40)});
  });
  article.querySelectorAll('div.math').forEach(box => {
    if (!box.querySelector('mjx-container') || !visible(box)) return;
    out.displayCount += 1;
    const over = box.scrollWidth - box.clientWidth;
    if (over > 1) out.displayScroll.push({id: box.id || '', over: over, text: text(box)});
  });
  article.querySelectorAll('table').forEach(t => {
    if (!visible(t) || t.closest('.lrnn-explorer, mjx-container')) return;
    const r = t.getBoundingClientRect();
    let clip = null;
    for (let a = t.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible' && a.scrollWidth > a.clientWidth + 1) { clip = a; break; }
    }
    const name = text(t.querySelector('caption, thead, tr') || t);
    if (clip || r.right > vw + 1)
      out.tableClipped.push({table: name, over: clip ? clip.scrollWidth - clip.clientWidth : Math.round(r.right - vw),
                             cue: !!(clip && clip.classList.contains('lrnn-more-right'))});
  });
  return out;
}"""

# Every ::before/::after (and element) set in the icon font, and the character it shows.
ICONS = """() => {
  const out = [];
  const look = (el, pseudo) => {
    const cs = getComputedStyle(el, pseudo);
    if (!/Font Awesome/i.test(cs.fontFamily)) return;
    let c = pseudo ? cs.content : null;
    if (pseudo) {
      if (!c || c === 'none' || c === 'normal') return;
      const m = c.match(/^"(.*)"$/);
      if (!m || !m[1]) return;
      c = m[1];
    } else {
      c = (el.childNodes.length === 1 && el.firstChild.nodeType === 3) ? el.textContent.trim() : '';
      if (!c) return;
    }
    for (const ch of c) {
      const cp = ch.codePointAt(0);
      const cls = String(el.className && el.className.baseVal === undefined ? el.className : '');
      if (cp > 0x20 && cp !== 0xa0)
        out.push({cp: cp, brands: /Brands/i.test(cs.fontFamily),
                  el: el.tagName.toLowerCase() + '.' + cls.split(' ').slice(0, 3).join('.')});
    }
  };
  // not inside formulas, drawings or code (no icon is set there; they hold most of a page's elements)
  const skip = new Set(['MJX-CONTAINER', 'svg', 'SCRIPT', 'STYLE', 'TEMPLATE', 'PRE', 'CODE']);
  const reject = n => skip.has(n.tagName) || (n.classList && n.classList.contains('sig'));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT,
    {acceptNode: n => reject(n) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  for (let el = walker.nextNode(); el; el = walker.nextNode()) {
    look(el, '::before'); look(el, '::after'); look(el, null);
  }
  return out;
}"""


def settle(page):
    page.wait_for_function(
        "!document.querySelector('.math') || (window.MathJax && MathJax.startup && MathJax.startup.promise)",
        timeout=30000,
    )
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    page.wait_for_timeout(250)


def set_theme(page, theme):
    """Switch the page's theme as the theme's own button does (no reload)."""
    page.evaluate(
        "t => { document.documentElement.dataset.theme = t; document.documentElement.dataset.mode = t; }", theme
    )
    page.wait_for_timeout(50)


def measure_site(browser, server):  # noqa: F811
    """Every page at 1280 and 390 px in the light and the dark theme (one load and one resize a
    page: light then dark at 1280 px, dark then light at 390 px): ``{theme: {page: {width: ...}}}``,
    and under ``"loads"`` what :func:`load_problems` finds in that one visit."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.add_init_script("localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light');")
    page = ctx.new_page()
    errors, requests = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # a request the browser itself gives up, as when the next page is opened while this one's phone
    # figures still load, is no fault of the site (a missing file is a 404, a response below)
    page.on("requestfailed", lambda r: None if r.failure == "net::ERR_ABORTED" else errors.append(f"failed: {r.url}"))
    page.on("response", lambda r: errors.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
    found = {"light": {}, "dark": {}, "seconds": {}, "loads": {}}
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name in site_pages():
        start = time.perf_counter()
        errors.clear(), requests.clear()
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{server}/{name}", wait_until="networkidle")
        settle(page)
        light = found["light"][name] = {}
        dark = found["dark"][name] = {}
        light["icons"], light["1280"] = page.evaluate(ICONS), page.evaluate(MEASURE)
        visit = {
            "typeset": page.locator("mjx-container").count(),
            "merrors": page.locator("mjx-merror").all_inner_texts(),
            "math1280": page.evaluate(MATH_REPORT),
            "wide_code": page.evaluate(WIDE_CODE),
            "math_fonts": page.evaluate(MATH_FONTS),
        }
        page.screenshot(path=str(SHOTS / name.replace(".html", ".png")))
        set_theme(page, "dark")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 255, 255)"
        dark["icons"], dark["1280"] = page.evaluate(ICONS), page.evaluate(MEASURE)
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        dark["390"] = page.evaluate(MEASURE)
        set_theme(page, "light")
        light["390"] = page.evaluate(MEASURE)
        visit["math390"] = page.evaluate(MATH_REPORT)
        visit["errors"], visit["foreign"] = list(errors), foreign(requests)
        found["loads"][name] = visit
        found["seconds"][name] = round(time.perf_counter() - start, 2)
    ctx.close()
    return found


def load_problems(name: str, visit: dict) -> list[str]:
    """One visit to a page, as a reader makes it: only this host is asked for anything; zero console
    errors or failed requests; MathJax typesets with no TeX error (a chapter has more than 20
    formulas); at 1280 px no display equation overflows its box and the code fits its column
    (How-to-use's first block once hid 198 px of comment); at 390 px every display equation is whole
    or scrolls from its left edge with a visible cue; every MathJax font its formulas are set in
    (hidden ones too) is shipped (book/_ext/lrnn_site/mathjax.py keeps only those). A screenshot
    of each page is kept in _build/screenshots."""
    out = [f"{name}: asked another host for {u}" for u in visit["foreign"]]
    out += [f"{name}: {e}" for e in visit["errors"][:5]]
    if name in CHAPTERS and visit["typeset"] <= 20:
        out.append(f"{name}: MathJax did not typeset the chapter ({visit['typeset']} formulas)")
    out += [f"{name}: MathJax reported a TeX error: {m}" for m in visit["merrors"][:3]]
    if visit["typeset"] and not any(f.endswith("MathJax_Zero.woff") for f in visit["math_fonts"]):  # in every stack
        out.append(f"{name}: no MathJax font found for its formulas: {visit['math_fonts']}")
    out += [
        f"{name}: its formulas need {f}, which the site does not ship (lrnn_site/mathjax.py FONTS)"
        for f in visit["math_fonts"]
        if not (HTML / f.lstrip("/")).is_file()
    ]
    out += [
        f"{name}: display equation wider than its box at 1280 px: {e}" for e in visit["math1280"] if e["overflow"] > 1
    ]
    if not name.startswith("api"):
        allowed = 2 if name in CHAPTERS else 0
        if len(visit["wide_code"]) > allowed:
            out.append(f"{name}: {len(visit['wide_code'])} code blocks cut at 1280 px: {visit['wide_code'][:5]}")
    for e in visit["math390"]:
        if e["leftCut"] > 1:
            out.append(f"{name}: equation {e} loses its left side at 390 px")
        if e["outside"] > 1:
            out.append(f"{name}: equation {e} sticks out of the text column at 390 px")
        if e["overflow"] > 1 and not (e["scrolls"] and e["cue"]):
            out.append(f"{name}: equation {e} is cut at 390 px without a scroll cue")
    return out


def summary(found):
    s = {"pages": len(found), "display_equations": 0, "display_scrolling_390": 0, "display_scrolling_390_over_300": 0}
    for w in ("1280", "390"):
        s[f"pages_wider_than_screen_{w}"] = sum(f[w]["pageWide"] > 1 for f in found.values())
        s[f"inline_cut_{w}"] = sum(len(f[w]["inlineCut"]) for f in found.values())
        s[f"tables_clipped_{w}"] = sum(len(f[w]["tableClipped"]) for f in found.values())
    for f in found.values():
        s["display_equations"] += f["390"]["displayCount"]
        s["display_scrolling_390"] += len(f["390"]["displayScroll"])
        s["display_scrolling_390_over_300"] += sum(e["over"] > 300 for e in f["390"]["displayScroll"])
    return s


def test_every_page_fits_a_phone_and_a_desktop(browser, server):  # noqa: F811
    found = measure_site(browser, server)
    cmaps = icon_cmaps()
    report, problems = {"seconds": found.pop("seconds")}, []
    loads = found.pop("loads")
    assert set(PAGES) <= set(loads), "every page of the table of contents is visited"
    for name in PAGES:
        problems += load_problems(name, loads[name])
    for theme, pages in found.items():
        missing = {}
        for name, f in pages.items():
            for icon in f.pop("icons"):
                if icon["cp"] not in cmaps["Brands" if icon["brands"] else "Free"]:
                    missing.setdefault(f"U+{icon['cp']:04X}", set()).add(f"{name}: {icon['el']}")
        s = summary(pages)
        s["missing_icon_glyphs"] = sorted(missing)
        report[theme] = {"summary": s, "pages": pages}
        for name, f in pages.items():
            for w in ("1280", "390"):
                if f[w]["pageWide"] > 1:
                    problems.append(
                        f"{theme}, {name} at {w} px: the page is {f[w]['pageWide']} px wider than the screen"
                    )
                problems += [f"{theme}, {name} at {w} px: inline formula cut: {c}" for c in f[w]["inlineCut"]]
            problems += [f"{theme}, {name} at 1280 px: table clipped: {t}" for t in f["1280"]["tableClipped"]]
            problems += [
                f"{theme}, {name} at 390 px: wide table without a cue: {t}"
                for t in f["390"]["tableClipped"]
                if not t["cue"]
            ]
        problems += [f"{theme}: missing icon glyph {cp} ({sorted(where)[:3]})" for cp, where in missing.items()]
        if s["display_scrolling_390"] > MAX_SCROLLING_DISPLAYS:
            wide = sorted(((e["over"], n, e["id"]) for n, f in pages.items() for e in f["390"]["displayScroll"]))
            problems.append(
                f"{theme}: {s['display_scrolling_390']} display equations scroll at 390 px "
                f"(at most {MAX_SCROLLING_DISPLAYS}); widest: {wide[::-1][:8]}"
            )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=1))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def css_icon_codepoints():
    """``{codepoint: stylesheet}`` for every icon a stylesheet's ``content`` can show: the value
    itself or, through ``var(--name)``, the custom properties it reads (resolved to their
    characters, written as such or as a CSS escape). The theme's catalogue of Font Awesome
    classes (``.fa-bell:before{content:...}``) is left out: a class shows only where a page
    names it, and the browser test checks those where they appear."""
    catalogue = re.compile(r"(?:\.fa-[a-z0-9-]+:(?:before|after),?)+\{content:\"\\[0-9a-f]{4,5}\"\}")
    char = re.compile(r"\\([0-9a-fA-F]{1,6}) ?|([^\\])")
    used = {}
    for sheet in (HTML / "_static").rglob("*.css"):
        text = catalogue.sub("", sheet.read_text(encoding="utf-8", errors="replace"))
        props = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;}]+)", text))

        def chars(value, depth=0, props=props):
            out = []
            for name in re.findall(r"var\((--[\w-]+)", value):
                if depth < 10 and name in props:
                    out += chars(props[name], depth + 1, props)
            for quoted in re.findall(r"\"([^\"]*)\"", value):
                out += [int(e, 16) if e else ord(c) for e, c in char.findall(quoted)]
            return out

        for value in re.findall(r"(?<![\w-])content\s*:\s*([^;}]+)", text):
            for cp in chars(value):
                if 0xE000 <= cp <= 0xF8FF:
                    used.setdefault(cp, sheet.name)
    return used


@pytest.mark.site
def test_every_icon_codepoint_in_the_css_is_in_the_icon_font():
    """Each codepoint a stylesheet can show in the icon font has a glyph in the subset font
    (the admonitions' icons among them: U+F05A note, U+F0EB tip, U+F071 warning, U+F064 see also)."""
    cmaps = icon_cmaps()
    cmap = cmaps["Free"] | cmaps["Brands"]
    used = css_icon_codepoints()
    assert {0xF05A, 0xF0EB, 0xF071, 0xF064} <= set(used), sorted(map(hex, used))
    missing = {f"U+{c:04X}": where for c, where in used.items() if c not in cmap}
    assert not missing, f"codepoints the CSS uses but the icon font lacks: {missing}"


@pytest.mark.site
def test_site_weighs_under_twelve_megabytes():
    """Pages and assets, not the downloads a reader asks for (the runnable book, the PDFs, and each
    page's own .ipynb or .md in _sources/, which its download menu offers)."""
    downloads = {"lrnn-book.zip"} | {p.name for p in HTML.glob("*.pdf")}
    files = [
        p
        for p in HTML.rglob("*")
        if p.is_file() and p.name not in downloads and p.relative_to(HTML).parts[0] != "_sources"
    ]
    total = sum(p.stat().st_size for p in files)
    biggest = sorted(((p.stat().st_size, p.relative_to(HTML).as_posix()) for p in files), reverse=True)[:6]
    assert total < SITE_BUDGET, f"site is {total / 1e6:.2f} MB; biggest: {biggest}"


def phone_page(browser, server, name, theme="light"):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=theme, has_touch=True)
    ctx.add_init_script(f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');")
    page = ctx.new_page()
    page.goto(f"{server}/{name}", wait_until="load")
    settle(page)
    return ctx, page


# Each <c-w> (a word of inline code, Sphinx's <span class="pre"> renamed by book/_ext/lrnn_site/lean.py)
# of a kind of place, against a <span class="pre"> of the same word put beside it: every computed
# property, and the width where both are on one line. Returns the places compared and the differences.
WORD_AS_SPAN = """() => {
  const places = {}, diffs = [];
  for (const w of document.querySelectorAll('c-w')) {
    const where = w.closest('nav, dt, td, p, li');
    const place = [w.parentElement.tagName, w.parentElement.className, where && where.tagName].join(' ');
    if ((places[place] = (places[place] || 0) + 1) > 3) continue;
    const span = document.createElement('span');
    span.className = 'pre';
    span.textContent = w.textContent;
    w.after(span);
    const a = getComputedStyle(w), b = getComputedStyle(span);
    for (const prop of a) if (a.getPropertyValue(prop) !== b.getPropertyValue(prop))
      diffs.push([place, w.textContent, prop, a.getPropertyValue(prop), b.getPropertyValue(prop)]);
    const wa = w.getBoundingClientRect().width, wb = span.getBoundingClientRect().width;
    const whole = w.getClientRects().length === 1 && span.getClientRects().length === 1;  // a phone wraps long words
    if (whole && Math.abs(wa - wb) > 0.01) diffs.push([place, w.textContent, 'width', wa, wb]);
    span.remove();
  }
  return [Object.keys(places).length, diffs];
}"""


def test_inline_code_words_are_laid_out_as_sphinx_spans(browser, server):  # noqa: F811
    """A word of inline code is a <c-w> element on the site, where Sphinx writes <span class="pre">: in
    every kind of place (inline code in the text and in tables, API signatures, the contents list), at
    1280 and 390 px, each computed property and the width of a <c-w> are those of a <span class="pre">
    holding the same word there (no break inside the word on a desktop, normal wrapping in a phone's
    text, as the theme and book/_static/lrnn_layout.css set for the span)."""
    page = without_mathjax(browser.new_page(viewport={"width": 1280, "height": 900}))
    for name in ("api.html", "appendix_errata.html"):  # inline code in text, lists, tables; signatures
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{server}/{name}", wait_until="load")
            places, diffs = page.evaluate(WORD_AS_SPAN)
            assert places >= 2, (name, width, places)
            assert not diffs, f"{name} at {width} px: <c-w> and span.pre differ: {diffs[:6]}"
    page.close()


def test_phone_explorer_keeps_its_controls_and_verdict_on_screen(browser, server):  # noqa: F811
    """Scrolled to the foot of each explorer (its last panel in view), its controls and the sentence
    that reports their effect are both on screen; no control row is wider than the column."""
    for name in ("01_roots.html", "03_training_rnn.html"):
        ctx, page = phone_page(browser, server, name)
        roots = page.locator('[data-lrnn-explorer="static"]')
        assert roots.count() >= 1
        for i in range(roots.count()):
            root = roots.nth(i)
            root.evaluate(
                "r => { const b = r.getBoundingClientRect(); window.scrollBy(0, b.bottom - innerHeight - 10); }"
            )
            page.wait_for_timeout(150)
            got = root.evaluate(
                """r => { const box = e => e.getBoundingClientRect();
                  const c = r.querySelector('.lx-controls'), v = r.querySelector('.lrnn-explorer-text');
                  return {controls: [box(c).top, box(c).bottom], verdict: [box(v).top, box(v).bottom],
                          panels: box(r.querySelector('.lx-panels')).top, wide: c.scrollWidth - c.clientWidth,
                          column: r.clientWidth, rows: Array.from(r.querySelectorAll('.lx-control'))
                            .map(x => box(x).right - box(r).right)}; }"""
            )
            assert 0 <= got["controls"][0] and got["verdict"][1] <= 844, f"{name} explorer {i}: {got}"
            assert got["verdict"][0] >= got["controls"][1] - 1, f"{name} explorer {i}: verdict not under controls"
            assert got["wide"] <= 1 and max(got["rows"]) <= 1, f"{name} explorer {i}: a control row is too wide: {got}"
        ctx.close()


def test_phone_wide_tables_read_as_cards(browser, server):  # noqa: F811
    """On a phone the errata table shows each erratum (not only its name) and Chapter 8's results
    show the Chung et al. column beside each model's name, within the screen."""
    ctx, page = phone_page(browser, server, "appendix_errata.html")
    cells = page.evaluate(
        """() => Array.from(document.querySelector('article table').querySelectorAll('tbody tr'))
             .map(tr => Array.from(tr.children).map(td => Math.round(td.getBoundingClientRect().right)))"""
    )
    assert page.locator("article table").first.evaluate("t => t.classList.contains('lrnn-cards')")
    assert cells and all(max(row) <= 390 for row in cells), cells[:3]
    page.goto(f"{server}/08_real_music.html", wait_until="load")
    settle(page)
    chung = page.evaluate(
        """() => Array.from(document.querySelectorAll('article td[data-label]'))
             .filter(td => /Chung/.test(td.dataset.label)).map(td => Math.round(td.getBoundingClientRect().right))"""
    )
    assert chung and max(chung) <= 390, chung
    ctx.close()


LAZY = (
    "() => document.querySelectorAll("
    "'img.lrnn-phone-figure[loading=lazy], img.lrnn-desktop-figure[loading=lazy]').length"
)
EAGER = "() => document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })"
# Every figure in a page's text: its file, its width as shown and as drawn, and whether it is a
# phone layout (lrnn.viz.show) or the figure that one replaces on a phone.
FIGURES = """() => Array.from(document.querySelectorAll('article div.cell_output img, article figure img'))
  .filter(i => !i.closest('.lrnn-explorer'))
  .map(i => { const next = i.nextElementSibling;
    const inner = e => { const cs = getComputedStyle(e), w = e.getBoundingClientRect().width;  // the picture, not
      return w ? w - ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth']  // its dark-mode card
        .reduce((a, k) => a + (parseFloat(cs[k]) || 0), 0) : 0; };
    return {src: i.getAttribute('src'), shown: inner(i), natural: i.naturalWidth, width: i.getAttribute('width'),
            phone: i.classList.contains('lrnn-phone-figure'), desktop: i.classList.contains('lrnn-desktop-figure'),
            replacedBy: next && next.classList.contains('lrnn-phone-figure') ? inner(next) : 0,
            alt: i.alt, closed: !!i.closest('details:not([open])')}; })"""
MIN_SCALE = 0.7  # of a figure's natural size, at 390 px
MIN_TEXT_PX = 11.0  # CSS px of the smallest tick label, at 390 px


def tick_label_points():
    """The tick labels' size in points: book/matplotlibrc's (no notebook or diagram sets them smaller;
    the context-window diagram sets 13 pt)."""
    rc = dict(
        line.split("#")[0].split(":", 1)
        for line in (ROOT / "book" / "matplotlibrc").read_text().splitlines()
        if ":" in line.split("#")[0]
    )
    sizes = [float(rc[k].strip()) for k in ("xtick.labelsize", "ytick.labelsize")]
    sources = sorted((ROOT / "book").glob("*.ipynb")) + sorted((ROOT / "lrnn" / "viz").glob("*.py"))
    smaller = [
        (p.name, size)
        for p in sources
        for size in re.findall(r"labelsize\W{1,4}([\d.]+)", p.read_text(encoding="utf-8"))
        if float(size) < min(sizes)
    ]
    assert not smaller, f"tick labels set smaller than book/matplotlibrc's (the test reads them there): {smaller}"
    return min(sizes)


FIGURE_DPI = 100  # matplotlib's, which the book keeps: a figure's natural size is its size at 100 dpi
PHONE_PIXELS_PER_PX = 2  # a plot's one-column layout is drawn at 200 dpi (lrnn.viz.panels.PHONE_DPI)
DESKTOP_PIXELS_PER_PX = 2  # a plot side by side is drawn at 200 dpi too (lrnn.viz.panels.DESKTOP_DPI)


def natural_size(src, width, declared=None):
    """A figure's natural width in CSS px and its CSS px per point at that width: a plot's ``width``
    attribute (its pixels at 100 dpi, tests/test_site.py checks it against the PNG as drawn: a 2x
    layout is shown at half its pixels) or, without one, a PNG's pixels at 100 dpi (its pHYs chunk
    gives the dpi it was drawn at), and 100 / 72 px a point; an SVG's own width, 96 / 72."""
    from PIL import Image

    path = HTML / src
    if path.suffix == ".svg":
        return width, 96 / 72
    if declared:
        return float(declared), FIGURE_DPI / 72
    with Image.open(path) as im:
        dpi = im.info.get("dpi", (FIGURE_DPI, FIGURE_DPI))[0]
    return width * FIGURE_DPI / dpi, FIGURE_DPI / 72


def test_every_figure_reads_on_a_phone(browser, server):  # noqa: F811
    """On every page at 390 px, light and dark: each figure is shown at MIN_SCALE (0.7) of its natural size
    or more, or is hidden and replaced by its one-column layout (lrnn.viz.show), which is; so that
    its smallest text, the tick labels (12 pt in book/matplotlibrc, 16.7 px at 100 dpi), is at least
    MIN_TEXT_PX = 11 CSS px (12 pt x 100 / 72 x shown / natural width; the diagrams, SVG with 12 pt
    labels or larger, pan sideways to be so); a phone layout is shown PHONE_COLUMN_PX (326 px) wide
    or at its natural size, as lrnn.viz.one_column assumes in sizing its legends, titles and notes
    to read at 11 px (tests/test_viz_panels.py measures them). A figure's natural size is its size
    at matplotlib's 100 dpi (a PNG drawn at 2x has twice the pixels, shown at half): a phone layout
    has PHONE_PIXELS_PER_PX (2) pixels to each CSS px it is shown at (naturalWidth against the
    picture's width), sharp on a phone's 2x screen. At 1280 px each pair shows the side-by-side
    figure, with DESKTOP_PIXELS_PER_PX (2) or more, and hides the phone one. Writes the scales to
    _build/figure-report.json."""
    points = tick_label_points()
    ctx = without_mathjax(browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True))  # images only
    ctx.add_init_script("localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light');")
    page = ctx.new_page()
    report, problems, pairs, lazy = {}, [], 0, 0
    # every page that shows an image (the others, a redirect among them, have nothing to measure)
    with_figures = [n for n in site_pages() if "<img" in (HTML / n).read_text(encoding="utf-8")]
    assert len(with_figures) >= 11, with_figures
    for name in with_figures:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{server}/{name}", wait_until="load")
        lazy += page.evaluate(LAZY)
        page.evaluate(EAGER)  # load them all now, to measure every one
        page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=30000)
        page.wait_for_timeout(150)
        for theme in ("light", "dark"):
            set_theme(page, theme)
            page.wait_for_timeout(150)
            for f in page.evaluate(FIGURES):
                if f["closed"]:
                    continue
                natural, per_point = natural_size(f["src"], f["natural"], f["width"])
                f["scale"] = round(f["shown"] / natural, 3) if natural else 0
                f["tick_px"] = round(points * per_point * f["scale"], 1)
                report.setdefault(name, {}).setdefault(theme, []).append(f)
                where = f"{theme}, {name}: {f['src']}"
                if f["desktop"]:
                    pairs += theme == "light"
                    if f["shown"] or not f["replacedBy"]:
                        problems.append(f"{where} is not replaced by its phone layout: {f}")
                elif not f["shown"]:
                    problems.append(f"{where} is not shown: {f}")
                elif f["scale"] < MIN_SCALE or f["tick_px"] < MIN_TEXT_PX:
                    problems.append(f"{where} at {f['scale']} of its size, tick labels {f['tick_px']} px: {f}")
                elif f["phone"] and f["shown"] < min(natural, PHONE_COLUMN_PX) - 1.5:  # within a pixel
                    # lrnn.viz.one_column sizes a layout's legends, titles and notes to read at 11 px there
                    problems.append(f"{where}: a phone layout shown narrower than PHONE_COLUMN_PX: {f}")
                elif not f["alt"]:
                    problems.append(f"{where} has no alt text")
                elif f["phone"] and f["natural"] < PHONE_PIXELS_PER_PX * f["shown"] - 1:
                    problems.append(f"{where}: a phone layout with fewer than 2 pixels a CSS px: {f}")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.wait_for_timeout(150)
        for f in page.evaluate(FIGURES):
            if not f["closed"] and (f["shown"] > 0) == f["phone"]:
                problems.append(f"{name} at 1280 px: {'phone layout shown' if f['phone'] else 'figure hidden'}: {f}")
            if f["desktop"] and f["natural"] < DESKTOP_PIXELS_PER_PX * f["shown"] - 1:
                problems.append(f"{name} at 1280 px: {f['src']} shown larger than drawn: {f}")
    ctx.close()
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "figure-report.json").write_text(json.dumps(report, indent=1))
    shows = sum(
        "".join(c["source"]).count("viz.show(")
        for nb in (ROOT / "book").glob("*.ipynb")
        for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
        if c["cell_type"] == "code"
    )
    assert pairs == shows > 40, f"{pairs} figures with a phone layout, {shows} shown by lrnn.viz.show"
    assert lazy >= 2 * pairs, "each pair loads lazily: a browser fetches the one it shows"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:30])


def test_phone_enlarged_figure_opens_at_natural_size(browser, server):  # noqa: F811
    """Tapping a multi-panel figure on a phone opens it at its natural size (its size in CSS px, not its
    pixels: a phone layout has two to a CSS px), to pan (and pinch-zoom)."""
    ctx, page = phone_page(browser, server, "07_learning_to_remember.html")
    img = page.locator("div.cell_output img").nth(
        page.evaluate(
            "() => { const a = Array.from(document.querySelectorAll('div.cell_output img'));"
            " const shown = a.filter(i => i.getBoundingClientRect().width > 0);"
            " return a.indexOf(shown.reduce((m, i) => i.naturalWidth > m.naturalWidth ? i : m)); }"
        )
    )
    img.scroll_into_view_if_needed()
    img.click()
    page.wait_for_timeout(200)
    got = page.evaluate(
        """() => { const d = document.querySelector('dialog.lrnn-lightbox[open]'), i = d.querySelector('img');
                   return {pixels: i.naturalWidth, shown: i.getBoundingClientRect().width,
                           pans: d.scrollWidth > d.clientWidth, touch: getComputedStyle(d).touchAction}; }"""
    )
    got["natural"] = float(img.get_attribute("width"))  # its size in CSS px (a 2x layout: half its pixels)
    assert got["pixels"] >= 2 * got["natural"] - 1, got
    assert got["natural"] > 390 and abs(got["shown"] - got["natural"]) <= 2 and got["pans"], got
    assert got["touch"] in ("manipulation", "pan-x pan-y pinch-zoom"), got  # pinch-zoom allowed
    ctx.close()
