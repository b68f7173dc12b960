"""The site as a reader uses it, in headless Chromium: equation previews (mouse, keyboard, a phone's
tap, from disk, dark mode), sounds, search and the index, accessibility (axe-core on every page),
explorers by keyboard, and the slips a reader noticed. Page-level checks: tests/test_site_reader.py."""

# ruff: noqa: F811  (the fixtures browser and server come from tests/test_browser.py; tests take them as arguments)
import json
import os
import re
from pathlib import Path

import pytest
from test_browser import CHAPTERS, HTML, PAGES, SHOTS, foreign, without_mathjax

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def themed(browser, theme="light", **kw):
    ctx = browser.new_context(color_scheme=theme, **({"viewport": {"width": 1280, "height": 900}} | kw))
    ctx.add_init_script(f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');")
    return ctx


def settle(page):
    page.wait_for_function(
        "!document.querySelector('div.math') || document.querySelector('mjx-container')", timeout=20000
    )
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")


POPOVER = "div.lrnn-preview:not([hidden])"


def luminance(rgb):
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(float(x)) for x in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def colours(page, selector):
    styles = page.eval_on_selector(
        selector, "e => { const s = getComputedStyle(e); return [s.color, s.backgroundColor]; }"
    )
    return [re.findall(r"[\d.]+", s) for s in styles]


# -- equation and erratum previews ------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_equation_preview_on_hover_and_keyboard(browser, server, theme):
    ctx = themed(browser, theme)
    page = ctx.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server}/how-to-use.html", wait_until="networkidle")
    settle(page)
    url = page.url
    # a link to an equation on another page (Chapter 1)
    link = page.locator("article a.lrnn-xref[href*='.html#']", has_text=re.compile(r"^Eqs?\.")).first
    link.scroll_into_view_if_needed()
    link.hover()
    pop = page.locator(POPOVER)
    pop.wait_for(timeout=5000)
    pop.locator("mjx-container").first.wait_for(timeout=10000)
    assert page.url == url, "the preview does not leave the page"
    assert pop.locator("mjx-merror").count() == 0
    assert link.get_attribute("aria-describedby") == "lrnn-preview"
    fg, bg = colours(page, POPOVER)
    ratio = (max(luminance(fg), luminance(bg)) + 0.05) / (min(luminance(fg), luminance(bg)) + 0.05)
    assert ratio >= 4.5, (theme, fg, bg)
    assert (luminance(bg) < 0.2) == (theme == "dark"), (theme, bg)
    page.screenshot(path=str(SHOTS / f"preview-{theme}.png"))
    page.mouse.move(5, 5)
    page.wait_for_selector(POPOVER, state="detached" if False else "hidden", timeout=3000)
    # keyboard: focus shows it, Escape hides it and keeps the focus on the link
    link.focus()
    pop.wait_for(timeout=5000)
    page.keyboard.press("Escape")
    assert page.locator(POPOVER).count() == 0
    assert page.evaluate("document.activeElement.classList.contains('lrnn-xref')")
    assert not foreign(requests)
    ctx.close()


def test_erratum_preview_shows_the_erratum(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/03_training_rnn.html", wait_until="networkidle")
    for label in ("P1", "P2"):
        link = page.locator("article a.lrnn-xref", has_text=re.compile(f"^{label}$")).first
        link.scroll_into_view_if_needed()
        link.hover()
        pop = page.locator(POPOVER)
        pop.wait_for(timeout=5000)
        text = pop.inner_text()
        assert len(text) > 60 and f"Go to erratum {label}" in text, text
        page.mouse.move(5, 5)
        page.wait_for_timeout(400)
    page.close()


def test_previews_work_by_tap_on_a_phone(browser, server):
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(f"{server}/course_syllabus.html", wait_until="networkidle")
    settle(page)
    url = page.url
    link = page.locator("article a.lrnn-xref", has_text=re.compile(r"^Eqs?\.")).nth(1)
    link.scroll_into_view_if_needed()
    link.tap()
    pop = page.locator(POPOVER)
    pop.wait_for(timeout=5000)
    pop.locator("mjx-container").first.wait_for(timeout=10000)
    assert page.url == url, "a first tap previews, it does not navigate"
    box = pop.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box
    page.screenshot(path=str(SHOTS / "preview-phone.png"))
    # tapping elsewhere closes it; the popover's own link goes to the equation
    page.locator("article h1").tap()
    assert page.locator(POPOVER).count() == 0
    link.tap()
    pop.wait_for(timeout=5000)
    go = pop.locator(".lrnn-preview-go a")
    href = go.get_attribute("href")
    go.tap()
    page.wait_for_url(re.compile(re.escape(href.split("#")[1]) + "$"), timeout=10000, wait_until="commit")
    ctx.close()


def test_previews_work_from_disk(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto((HTML / "how-to-use.html").resolve().as_uri(), wait_until="load")
    settle(page)
    link = page.locator("article a.lrnn-xref", has_text=re.compile(r"^Eqs?\.")).first
    link.scroll_into_view_if_needed()
    link.hover()
    page.locator(POPOVER).locator("mjx-container").first.wait_for(timeout=10000)
    assert not failed, failed
    page.close()


# -- sounds ---------------------------------------------------------------------------------------


def test_sounds_play_from_files_under_their_rolls(browser, server):
    """No sound is downloaded with the page; each player is labelled, decodes, and sits under its roll
    (the two of the two-roll figure side by side on a desktop, left under left)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    audio_requests = []
    page.on("request", lambda r: audio_requests.append(r.url) if ".mp3" in r.url or "audio" in r.url else None)
    page.goto(f"{server}/08_real_music.html", wait_until="networkidle")
    assert not audio_requests, "sounds load only when played"
    players = page.locator("article audio")
    assert players.count() == 3
    for i in range(3):
        p = players.nth(i)
        assert p.evaluate("a => a.getAttribute('aria-label')").startswith("Sound: ")
        p.evaluate("a => { a.preload = 'metadata'; a.load(); }")
        page.wait_for_function("a => a.readyState >= 1 && isFinite(a.duration)", arg=p.element_handle(), timeout=10000)
        duration = p.evaluate("a => a.duration")
        assert 10 < duration < 20, duration
    boxes = players.evaluate_all("as => as.map(a => a.getBoundingClientRect().toJSON())")
    assert abs(boxes[1]["top"] - boxes[2]["top"]) < 2 and boxes[1]["right"] <= boxes[2]["left"], boxes
    for i, fig_id in ((0, "fig-music-roll"), (1, "fig-music-sample")):
        fig = page.locator(f"#{fig_id}").bounding_box()
        gap = boxes[i]["top"] - (fig["y"] + fig["height"])
        assert 0 <= gap < 200, (fig_id, gap)
    page.close()


# -- search and the index -------------------------------------------------------------------------


def search(page, server, q):
    page.goto(f"{server}/search.html?q={q}", wait_until="networkidle")
    page.wait_for_selector("#search-results li", timeout=20000)
    page.wait_for_timeout(600)
    return page.locator("#search-results li").evaluate_all(
        "ls => ls.map(l => [l.querySelector('a').getAttribute('href'),"
        " (l.querySelector('p.context') || {}).textContent || ''])"
    )


def test_search_finds_the_paper_names_and_lands_on_sections(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    hits = search(page, server, "forget gate")
    pages = [h.split("#")[0] for h, _ in hits]
    assert pages[0] == "04_rnn_to_lstm.html", hits[:4]
    assert pages.index("04_rnn_to_lstm.html") < (pages.index("01_roots.html") if "01_roots.html" in pages else 99)
    assert "#" in hits[0][0]
    for q, where in (
        ("output gate", "04_rnn_to_lstm.html"),
        ("peephole", "05_vanilla_lstm.html"),
        ("BPTT", "03_training_rnn.html"),
    ):
        first = search(page, server, q)[0][0]
        assert first.startswith(where) and "#" in first, (q, first)
    # snippets read as text, and full-text hits land on their section
    hits = search(page, server, "carousel")
    snippets = " ".join(s for _, s in hits)
    assert snippets and not re.search(r"\\\(|\\\)|\\\[|\\tag|\$\$", snippets), snippets[:400]
    chapters = [h for h, _ in hits if h[:2].isdigit()]
    assert chapters and all("#" in h for h in chapters), chapters
    page.close()


ICON_CLEAR = """i => { const r = i.getBoundingClientRect(), icon = i.parentElement.querySelector('i');
  const ir = icon ? icon.getBoundingClientRect() : null;
  return {text: r.left + parseFloat(getComputedStyle(i).paddingLeft), icon: ir && ir.width ? ir.right : null}; }"""


@pytest.mark.parametrize("width", [1280, 390])
def test_search_fields_keep_their_icon_clear_of_the_text(browser, server, width):
    """The search page's field and the search dialog (the sidebar's button, Ctrl+K): the text starts
    right of the magnifying glass."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{server}/search.html", wait_until="networkidle")
    box = page.locator(".bd-search-container input[name='q']").first.evaluate(ICON_CLEAR)
    assert box["icon"] is not None and box["text"] >= box["icon"] + 2, box
    page.goto(f"{server}/how-to-use.html", wait_until="networkidle")
    page.locator(".search-button__button:visible").first.click()
    field = page.locator("#pst-search-dialog input[name='q']")
    field.wait_for(state="visible", timeout=5000)
    box = field.evaluate(ICON_CLEAR)
    assert box["icon"] is not None and box["text"] >= box["icon"] + 2, box
    page.close()


# -- accessibility --------------------------------------------------------------------------------

# one report a pytest-xdist worker (make test runs the browser checks on two): axe-report-gw0.json, ...
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
AXE_REPORT = Path(__file__).resolve().parents[1] / "_build" / f"axe-report{'-' if WORKER else ''}{WORKER}.json"


# What changes with the theme or the width: the colours, what scrolls, and how large the targets are.
AFTER_RESIZE = ["color-contrast", "link-in-text-block", "scrollable-region-focusable", "target-size", "region"]


def axe_run(page, rules=None, context=None, skip=()):
    """axe-core's violations on ``page`` (injected once a page, from axe-playwright-python's copy):
    every rule, or only ``rules``, less ``skip``; ``context`` as axe.run takes it (the document)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"]} | ({"runOnly": {"type": "rule", "values": rules}} if rules else {})
    if skip:
        options["rules"] = {rule: {"enabled": False} for rule in skip}
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(Axe().axe_script)
    violations = page.evaluate(
        "async ([context, options]) => (await axe.run(context || document, options)).violations", [context, options]
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": len(v["nodes"]),
            "first": v["nodes"][0]["target"] if v["nodes"] else None,
            "summary": v["nodes"][0].get("failureSummary", "")[:240] if v["nodes"] else "",
        }
        for v in violations
    ]


@pytest.fixture(scope="session")  # the axe checks need not run one after another (tests/conftest.py orders them)
def axe_log():
    log = {}
    yield log
    AXE_REPORT.parent.mkdir(parents=True, exist_ok=True)
    AXE_REPORT.write_text(json.dumps(log, indent=1), encoding="utf-8")


DARK = "() => { document.documentElement.dataset.theme = 'dark'; document.documentElement.dataset.mode = 'dark'; }"

# Code blocks repeat a few token styles thousands of times (a chapter's highlighted code is about
# four fifths of its elements once MathJax is off), and Sphinx wraps each word of inline code and of
# an API signature in a <span class="pre"> (half the API page's elements), which the site writes as
# <c-w> (book/_ext/lrnn_site/lean.py). Each token's look is a
# function of what is keyed here, in both themes; the first token of each key keeps its element, the
# repeats become plain text in their block (or their inline code), whose own colour is checked.
# Returns [kept, unwrapped].
ONE_TOKEN_OF_A_KIND = """() => {
  const root = document.documentElement, was = [root.dataset.theme, root.dataset.mode];
  const spans = Array.from(document.querySelectorAll("div.highlight pre span, span.pre, c-w"));
  const block = e => e.closest("div.highlight") || e.parentElement;
  const look = e => { const s = getComputedStyle(e); return [s.color, s.backgroundColor, s.fontSize, s.fontWeight]; };
  const keys = spans.map(e => [e.closest(".cell_output") ? "out" : e.closest(".cell_input") ? "in" : "text",
    e.className, block(e).tagName, block(e).className, ...look(e), getComputedStyle(block(e)).backgroundColor]);
  root.dataset.theme = "dark"; root.dataset.mode = "dark";
  spans.forEach((e, i) => keys[i].push(...look(e), getComputedStyle(block(e)).backgroundColor));
  [root.dataset.theme, root.dataset.mode] = was;
  const seen = new Set(); let unwrapped = 0;
  spans.forEach((e, i) => { const k = keys[i].join("|");
    if (seen.has(k)) { e.replaceWith(...e.childNodes); unwrapped += 1; } else seen.add(k); });
  return [seen.size, unwrapped];
}"""


# The rules that read colours: axe works out, for every element with text, its colour against
# everything painted behind it, a few milliseconds an element (about two thirds of axe's time on a
# chapter). Two elements whose text has the same colour, size, weight, shadow and decoration, whose
# parent has the same colour (a link against its sentence) and with the same background, opacity,
# filter and blending on every box from them up to the root, get the same verdict. ONE_LOOK_OF_A_KIND
# marks `data-axe-same` on each largest subtree whose every text repeats such a look kept earlier in
# the page; those rules then read the page without them (the first of each look is read).
# Returns [looks kept, subtrees marked].
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
ONE_LOOK_OF_A_KIND = """() => {
  const styles = new Map(), backs = new Map();
  const style = e => { if (!styles.has(e)) styles.set(e, getComputedStyle(e)); return styles.get(e); };
  const back = e => {
    if (!e) return "";
    if (!backs.has(e)) {
      const s = style(e), mine = [s.backgroundColor, s.backgroundImage, s.opacity, s.filter, s.mixBlendMode];
      backs.set(e, mine.join() + "/" + back(e.parentElement));
    }
    return backs.get(e);
  };
  const texty = e => Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
  const seen = new Set(), repeats = new Map();
  const walk = e => {
    let repeat = true;
    if (texty(e)) {
      const s = style(e), p = e.parentElement ? style(e.parentElement) : s;
      const look = [e.tagName === "A", s.color, s.fontSize, s.fontWeight, s.textShadow, s.textDecorationLine,
        p.color, back(e)].join("|");
      if (!seen.has(look)) { seen.add(look); repeat = false; }
    }
    for (const c of e.children) repeat = walk(c) && repeat;
    repeats.set(e, repeat);
    return repeat;
  };
  document.querySelectorAll("[data-axe-same]").forEach(e => e.removeAttribute("data-axe-same"));
  walk(document.body);
  let marked = 0;
  repeats.forEach((repeat, e) => {
    if (repeat && e !== document.body && !repeats.get(e.parentElement)) {
      e.setAttribute("data-axe-same", "");
      marked += 1;
    }
  });
  return [seen.size, marked];
}"""
SAME = {"exclude": [["[data-axe-same]"]]}


def test_axe_reads_each_look_of_text_once_and_still_finds_a_faint_one(browser):
    """ONE_LOOK_OF_A_KIND leaves out a paragraph that repeats another's look, keeps one whose colour
    (or whose link's colour, or whose background) is new, and axe still finds the faint text."""
    page = browser.new_page(viewport={"width": 800, "height": 600})
    page.set_content(
        "<main><h1>Looks</h1><p>One paragraph <a href='#a'>a link</a>.</p><p>Another <a href='#b'>link</a>.</p>"
        "<p style='color:#bbb'>A faint paragraph.</p><div style='background:#222'><p>Dark box, dark text.</p></div>"
        "<p>And one more, <a href='#c' style='color:#ccc'>a faint link</a>.</p></main>"
    )
    kept, marked = page.evaluate(ONE_LOOK_OF_A_KIND)
    assert page.locator("[data-axe-same]").count() == marked == 1, "the second paragraph only"
    assert page.locator("p").nth(1).get_attribute("data-axe-same") == ""
    found = {v["id"]: v["nodes"] for v in axe_run(page, COLOUR_RULES, context=SAME)}
    assert found.get("color-contrast") == 3, found  # the faint paragraph, the dark box, the faint link
    page.close()


@pytest.mark.parametrize("name", PAGES + ["genindex.html", "prf-prf.html", "search.html"])
def test_axe_finds_nothing_serious_on_the_page(browser, server, axe_log, name):
    """axe-core (axe-playwright-python) on every page: every rule in light mode at 1280 px, then the
    same page in dark mode at 390 px with the rules whose outcome the theme or the width can change
    (each mode and each width on every page); no serious or critical violation.
    Every violation found is written to _build/axe-report*.json (one file a test worker).

    MathJax does not run here: its output (about 25,000 elements on a chapter, each formula with
    its own assistive MathML) makes axe take minutes a page, and the formulas' colour is the
    text's. The TeX stays in the page as text, in the colour the formulas get.

    The rules that read colours read each look of text once (ONE_LOOK_OF_A_KIND); in code blocks
    each token style (its class, where it sits, its colours, size and weight in both themes) is one
    element (ONE_TOKEN_OF_A_KIND: the repeats are unwrapped to text). Every other rule reads every
    element, on the API pages too."""
    ctx = themed(browser, "light", viewport={"width": 1280, "height": 900})
    page = without_mathjax(ctx).new_page()
    page.goto(f"{server}/{name}", wait_until="networkidle")
    axe_log[f"{name} code tokens kept, unwrapped"] = page.evaluate(ONE_TOKEN_OF_A_KIND)
    bad = []
    for view in ("light 1280", "dark 390"):
        if view == "dark 390":
            page.evaluate(DARK)
            page.set_viewport_size({"width": 390, "height": 844})
            page.wait_for_timeout(500)
        others = None if view == "light 1280" else [r for r in AFTER_RESIZE if r not in COLOUR_RULES]
        found = axe_run(page, others, skip=COLOUR_RULES)
        axe_log[f"{name} {view} looks of text kept, repeats left out"] = page.evaluate(ONE_LOOK_OF_A_KIND)
        found += axe_run(page, COLOUR_RULES, context=SAME)
        axe_log[f"{name} {view}"] = found
        bad += [(view, v) for v in found if v["impact"] in ("serious", "critical")]
    ctx.close()
    assert not bad, bad[:6]


STATE = """r => { const s = r.querySelector('svg'); const t = r.querySelector('.lrnn-explorer-text');
  return (s ? s.innerHTML.length + ':' + s.innerHTML.slice(-400) : '') + (t ? t.textContent : ''); }"""


def test_explorer_controls_work_by_keyboard(browser, server):
    """Tab reaches every control of every explorer, and keys operate it (arrows on a slider or a menu,
    Space on a button), changing the figure or its sentence."""
    page = without_mathjax(browser.new_page(viewport={"width": 1280, "height": 900}))
    for name in CHAPTERS:
        page.goto(f"{server}/{name}", wait_until="domcontentloaded")
        roots = page.locator('[data-lrnn-explorer="static"]')
        for i in range(roots.count()):
            root = roots.nth(i)
            controls = root.locator("input, select, button")
            n = controls.count()
            assert n >= 1
            every = controls.evaluate_all("cs => cs.map(c => c.outerHTML.slice(0, 120))")
            controls.first.focus()
            reached = []
            for _ in range(n):
                reached.append(page.evaluate("document.activeElement.outerHTML.slice(0, 120)"))
                page.keyboard.press("Tab")
            assert sorted(reached) == sorted(every), (
                f"{name} explorer {i}: Tab reaches {len(set(reached) & set(every))} of {n}"
            )
            kinds = controls.evaluate_all(
                "cs => cs.map(c => [c.tagName, c.getAttribute('aria-checked'), c.tagName === 'SELECT' ?"
                " c.selectedIndex < c.options.length - 1 : c.value !== c.max])"
            )
            for j, (tag, checked, up) in enumerate(kinds):
                if tag == "BUTTON" and checked == "true":
                    continue
                before = root.evaluate(STATE)
                controls.nth(j).focus()
                key = {"BUTTON": "Space", "SELECT": "ArrowDown" if up else "ArrowUp"}.get(
                    tag, "ArrowRight" if up else "ArrowLeft"
                )
                page.keyboard.press(key)
                assert root.evaluate(STATE) != before, f"{name} explorer {i}: control {j} ({tag}) does nothing by {key}"
    page.close()


# -- slips -----------------------------------------------------------------------------------------


def test_chapter_4_explorer_counts_orders_of_magnitude(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/04_rnn_to_lstm.html", wait_until="domcontentloaded")
    texts = page.locator('[data-lrnn-explorer="static"] .lrnn-explorer-text').all_inner_texts()
    flow = [t for t in texts if "steps back" in t]
    assert flow
    for t in flow:
        changes = re.findall(r"(?:falls|grows) by [\d.]+( orders of magnitude)?", t)
        assert len(changes) == 2 and all(changes), t
    page.close()


def test_pdf_entry_opens_the_pdf_or_prints(browser, server):
    """The .pdf entry names the PDF whatever was built first; a site served without it prints instead."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.add_init_script("window.print = () => { window.__printed = true; };")
    page = ctx.new_page()
    page.goto(f"{server}/02_unrolling.html", wait_until="networkidle")
    page.locator(".dropdown-download-buttons button").click()
    link = page.locator(".dropdown-download-buttons a[href$='.pdf']")
    name = link.get_attribute("href").split("/")[-1]
    if (HTML / name).exists():
        with ctx.expect_page() as tab:
            link.click()
        tab.value.wait_for_url(re.compile(re.escape(name) + "$"), wait_until="commit", timeout=10000)
    else:
        link.click()
        page.wait_for_function("window.__printed === true", timeout=5000)
    ctx.close()
