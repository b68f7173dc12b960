"""Drive the built site in headless Chromium: predict-then-reveal questions and Deeper boxes.

Every question works with no kernel and no request to another host, in light and dark mode,
at phone (390 px) and desktop (1280 px) widths: the answer is hidden until the reader has
guessed, then shows the value the notebook computed and how far off the guess was.
"""

import re

import pytest
from test_browser import SHOTS, foreign

pytestmark = pytest.mark.browser
FIRST_READING = ["01_roots.html", "02_unrolling.html", "03_training_rnn.html", "05_vanilla_lstm.html"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def open_page(browser, url, size, scheme):  # noqa: F811
    ctx = browser.new_context(viewport=SIZES[size], color_scheme=scheme)
    ctx.add_init_script(f"localStorage.setItem('mode', '{scheme}'); localStorage.setItem('theme', '{scheme}');")
    page = ctx.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url, wait_until="networkidle")
    return page, requests


def _luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(float(v)) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg, bg):
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# The colours a reader sees: an element's text colour, and the first opaque background behind it.
COLOURS = """e => {
  const rgba = s => (s.match(/[\\d.]+/g) || []).map(Number);
  let bg = null;
  for (let n = e; n; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { bg = c.slice(0, 3); break; }
  }
  return {fg: rgba(getComputedStyle(e).color).slice(0, 3), bg: bg || [255, 255, 255]};
}"""


# every chapter at both widths and in both modes (a phone in dark mode, a desktop in light mode); on
# the phone, the chapter's Deeper sections too (check_deeper_sections)
@pytest.mark.parametrize("size, scheme", [("phone", "dark"), ("desktop", "light")])
@pytest.mark.parametrize("name", FIRST_READING)
def test_guess_then_reveal_the_computed_value(browser, server, name, size, scheme):  # noqa: F811
    page, requests = open_page(browser, f"{server}/{name}", size, scheme)
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    forms = page.locator("form[data-lrnn-predict]")
    assert forms.count() >= 2, f"{name} has {forms.count()} predict-then-reveal questions, expected at least 2"
    width = SIZES[size]["width"]
    for i in range(forms.count()):
        form = forms.nth(i)
        form.scroll_into_view_if_needed()
        answer = form.locator(".lrnn-predict-answer")
        shown = form.get_attribute("data-shown")
        value = float(form.get_attribute("data-lrnn-predict"))
        assert not answer.is_visible(), f"question {i} on {name} shows its answer before a guess"
        assert shown not in form.inner_text(), f"question {i} on {name} gives the value away"
        # fits the column, at a phone's width too
        box = form.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (name, i, box, width)
        assert form.evaluate("f => f.scrollWidth <= f.clientWidth + 1"), f"question {i} on {name} overflows"
        colours = form.locator(".lrnn-predict-question").evaluate(COLOURS)
        assert _contrast(colours["fg"], colours["bg"]) >= 4.5, (name, i, scheme, colours)
        choices = form.locator(".lrnn-predict-choice")
        if choices.count():
            guess = float(choices.first.get_attribute("data-guess"))
            choices.first.click()
        else:
            entry = form.locator("input")
            assert entry.is_visible() and entry.bounding_box()["x"] + entry.bounding_box()["width"] <= width
            form.locator("button[type=submit]").click()  # no guess yet: asked for one, nothing revealed
            assert form.locator(".lrnn-predict-error").is_visible() and not answer.is_visible()
            guess = 2 * value if value else 1.0
            entry.fill(f"{guess:.6g}")
            entry.press("Enter")
        assert answer.is_visible(), f"question {i} on {name}: no answer after a guess"
        text = answer.inner_text()
        assert shown in text, (text, shown)  # the value the notebook computed, as Python formatted it
        assert "Your guess" in text and ("too high" in text or "too low" in text or "spot on" in text), text
        if not choices.count():
            assert "too high" in text if value > 0 else "too low" in text, text
        colours = answer.evaluate(COLOURS)
        assert _contrast(colours["fg"], colours["bg"]) >= 4.5, (name, i, scheme, colours)
        if guess == value:
            assert "spot on" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    forms.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"predict-{name[:-5]}-{size}-{scheme}.png"))
    assert not foreign(requests), foreign(requests)
    if size == "phone":  # the same visit reads the chapter's Deeper sections
        check_deeper_sections(page, name)
    page.context.close()


def check_deeper_sections(page, name):
    """Each Deeper section of ``name`` (on a phone) is boxed, says so in its heading and its note, and
    fits the column; the Overview tells a first reading what it may skip."""
    boxes = page.locator("section.lrnn-deeper")
    assert boxes.count() >= 1, f"{name} has no Deeper section"
    for i in range(boxes.count()):
        box = boxes.nth(i)
        heading = box.locator(":scope > h2, :scope > h3").first.inner_text()
        assert re.match(r"^[\d.]*\s*Deeper:", heading), heading
        assert "first reading can skip" in box.locator(":scope > p.lrnn-deeper-note").inner_text()
        style = box.evaluate("e => getComputedStyle(e).borderTopStyle + ' ' + getComputedStyle(e).borderLeftWidth")
        assert style.startswith("solid") and float(re.findall(r"[\d.]+", style)[0]) >= 3, style
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth + 1") or box.locator("div.math, table, pre").count()
    overview = page.locator(".admonition.tip").first.inner_text()
    assert "A first reading" in overview and "Deeper" in overview


def test_gates_at_work_figure_fits_a_phone(browser, server):  # noqa: F811
    page, _ = open_page(browser, f"{server}/05_vanilla_lstm.html", "phone", "dark")
    figure = page.locator("#fig-gates-at-work")
    figure.scroll_into_view_if_needed()
    image = figure.locator("img").first
    box = image.bounding_box()
    assert box["width"] >= 330, box  # the column, not less
    # as every diagram on a phone (test_browser_layout.test_every_figure_reads_on_a_phone): wider
    # than the column, it pans sideways in a box that fits the column
    pan = image.evaluate(
        """i => { let e = i.parentElement;
                  while (e && getComputedStyle(e).overflowX !== 'auto') e = e.parentElement;
                  if (!e) return null;
                  const r = e.getBoundingClientRect();
                  return {x: r.x, right: r.right, pans: e.scrollWidth > e.clientWidth}; }"""
    )
    if box["x"] + box["width"] > 391:
        assert pan and pan["x"] >= 0 and pan["right"] <= 391 and pan["pans"], (box, pan)
    assert image.evaluate("i => i.complete && i.naturalWidth > 0")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "gates-at-work-phone-dark.png"))
    page.context.close()
