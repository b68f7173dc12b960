"""Checks on the built website in _build/html (built by `make book` / `make test`)."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from _tools import notebooks

pytestmark = pytest.mark.site  # the fixture pages: tests/conftest.py
ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHAPTERS = [p.stem for p in notebooks.chapters()]
RESOURCE_ATTRS = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
    "embed": "src",
    "object": "data",
    "track": "src",
    "input": "src",
}


def external(url: str) -> bool:
    u = urlparse(url.strip())
    return bool(u.netloc) or u.scheme not in ("", "data", "file", "blob")


def test_no_page_loads_anything_from_another_host(pages):
    bad = []
    for name, soup in pages.items():
        for tag, attr in RESOURCE_ATTRS.items():
            bad += [(name, tag, t[attr]) for t in soup.find_all(tag) if t.get(attr) and external(t[attr])]
        for link in soup.find_all("link"):
            rel = set(link.get("rel") or [])
            if rel & {
                "stylesheet",
                "preload",
                "prefetch",
                "modulepreload",
                "icon",
                "manifest",
                "preconnect",
                "dns-prefetch",
            }:
                if link.get("href") and external(link["href"]):
                    bad.append((name, "link", link["href"]))
        for style in soup.find_all("style"):
            bad += [(name, "style", u) for u in re.findall(r"url\(['\"]?(https?:)?//[^)]+\)", style.text)]
        for t in soup.find_all(style=True):
            if re.search(r"url\(['\"]?(https?:)?//", t["style"]):
                bad.append((name, "style attribute", t["style"]))
    assert not bad, bad[:10]


def test_stylesheets_import_nothing_remote():
    for css in HTML.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"@import\s+(url\()?['\"]?(https?:)?//", text), css
        assert not re.search(r"url\(['\"]?(https?:)?//", text), css


def test_mathjax_is_served_locally(pages):
    soup = pages["01_roots.html"]
    src = [s["src"] for s in soup.find_all("script", src=True) if "mathjax" in s["src"].lower()]
    assert src, "the chapter loads MathJax"
    for s in src:
        assert not external(s) and (HTML / s.split("?")[0]).exists(), s
    assert (HTML / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_every_chapter_and_front_page_is_built(pages):
    for name in ["index.html", "intro.html", "how-to-use.html", "notation.html", "bibliography.html"]:
        assert name in pages, name
    for ch in CHAPTERS:
        assert f"{ch}.html" in pages
        assert (HTML / "_sources" / f"{ch}.ipynb").exists(), "the .ipynb download"


def test_no_execution_errors_in_pages(pages):
    for name, soup in pages.items():
        outputs = " ".join(o.get_text() for o in soup.select("div.cell_output"))
        assert "Traceback (most recent call last)" not in outputs, name
        assert not soup.select(".output.traceback, .output.error, div.cell_output .stderr"), name


def test_chapter_one_content(pages):
    soup = pages["01_roots.html"]
    text = soup.get_text()
    assert r"\tag{30-31}" in text and r"\tag{14}" in text, "paper-numbered equations"
    figures = soup.select("figure")
    assert len(figures) >= 3 and all(f.find("figcaption") for f in figures)
    assert all(img.get("alt") for f in figures for img in f.find_all("img"))
    assert soup.select('[data-lrnn-explorer="static"]'), "the kernel-free explorer"
    assert len(soup.select(".exercise")) >= 3
    sols = soup.select(".solution")
    assert len(sols) >= 3 and all("dropdown" in s.get("class", []) for s in sols), "solutions hidden until opened"
    assert (
        "Sherstinsky" in soup.select_one("#bibliography, .bibliography, .footnote-list, section").get_text()
        or "Sherstinsky" in text
    )


def test_pages_carry_no_unused_widget_state(pages):
    for name, soup in pages.items():
        assert not soup.find("script", type="application/vnd.jupyter.widget-state+json"), name


def drawn_figures():
    """``{name in _images: the PNG the notebook drew}``: a plot (in _build/jupyter_execute, same name)
    or its one-column layout (in _build/phone-figures, under the plot's name; in _images, under
    its own SHA-256)."""
    import hashlib

    drawn = {p.stem: p for p in (ROOT / "_build" / "jupyter_execute").glob("*.png")}
    drawn |= {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in (ROOT / "_build" / "phone-figures").glob("*.png")}
    return {p.name: drawn[p.stem] for p in (HTML / "_images").iterdir() if p.stem in drawn}


def css_px(path):
    """A PNG's size in CSS px: its pixels at matplotlib's 100 dpi (its pHYs chunk gives the dpi drawn at)."""
    from PIL import Image

    with Image.open(path) as im:
        dpi = im.info.get("dpi", (100, 100))[0]
        return round(im.size[0] * 100 / dpi), round(im.size[1] * 100 / dpi)


def test_figures_are_webp_true_to_the_plots(pages):
    """The site's plots and their phone layouts are lossless WebP of at most 256 colours
    (book/_ext/lrnn_site/assets.py), each within a fraction of a level of the PNG the notebook
    drew: same size, the background exact, a mean difference under 1 level of 255, fewer than
    0.5 % of the pixels off by more than 32 (edges of anti-aliased lines) and none by more than 96.
    No opaque PNG is left."""
    import numpy as np
    from PIL import Image, ImageChops

    drawn = drawn_figures()
    phone = [n for n, src in drawn.items() if src.parent.name == "phone-figures"]
    assert len(drawn) - len(phone) > 40 and len(phone) > 40, "the chapters' plots and their phone layouts"
    for name, src in sorted(drawn.items()):
        with Image.open(HTML / "_images" / name) as shown, Image.open(src) as plot:
            assert shown.size == plot.size, name
            if plot.mode == "RGBA" and plot.getchannel("A").getextrema()[0] < 255:
                continue  # left as drawn
            assert shown.format == "WEBP" and name.endswith(".webp"), f"{name}: {shown.format}"
            plot, shown = plot.convert("RGB"), shown.convert("RGB")
        assert shown.getcolors(256) is not None, f"{name}: more than 256 colours"
        background = max(plot.getcolors(plot.width * plot.height))[1]  # the most frequent colour
        r, g, b = ImageChops.difference(plot, shown).split()
        diff = ImageChops.lighter(ImageChops.lighter(r, g), b)  # each pixel's largest difference
        at_background = (np.asarray(plot) == background).all(axis=-1)
        assert not np.asarray(diff)[at_background].any(), f"{name}: the background changed"
        counts = np.array(diff.histogram())  # pixels by difference, 0 to 255
        mean, far = counts @ np.arange(256) / counts.sum(), counts[33:].sum() / counts.sum()
        assert mean < 1 and far < 0.005 and not counts[97:].any(), (name, mean, far, np.flatnonzero(counts).max())
    for path in (HTML / "_images").glob("*.png"):
        with Image.open(path) as im:
            assert im.mode in ("RGBA", "LA") and im.getchannel("A").getextrema()[0] < 255, f"{path.name}: left a PNG"


def test_figures_carry_their_size_and_phone_layouts_are_2x(pages):
    """Each plot's <img> has width and height, its size in CSS px (the PNG as drawn, at 100 dpi), so
    the page does not move while it loads; a plot and its phone layout were drawn at 200 dpi (2x)."""
    from PIL import Image

    drawn = drawn_figures()
    seen = set()
    for page, soup in pages.items():
        for img in soup.find_all("img", src=True):
            name = img["src"].rsplit("/", 1)[-1]
            if name not in drawn:
                continue
            seen.add(name)
            size = css_px(drawn[name])
            assert (img.get("width"), img.get("height")) == tuple(map(str, size)), (page, name, size)
            phone = "lrnn-phone-figure" in img.get("class", [])
            assert phone == (drawn[name].parent.name == "phone-figures"), (page, name)
            scale = 2  # pixels per CSS px
            with Image.open(drawn[name]) as im:
                assert abs(im.size[0] - scale * size[0]) <= scale / 2, (page, name, im.size, size)
    assert seen == set(drawn), f"figures no page shows: {sorted(set(drawn) - seen)[:5]}"


def site_extension(module):
    """A module of the site's Sphinx extension, book/_ext/lrnn_site."""
    import importlib
    import sys

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        return importlib.import_module(f"lrnn_site.{module}")
    finally:
        sys.path.remove(str(ROOT / "book" / "_ext"))


def test_code_tokens_in_the_blocks_own_colour_are_plain_text(pages):
    """book/_ext/lrnn_site/assets.py: in highlighted code, a token class styled only with the block's
    own colour in both themes (names, punctuation) is written as text, not as a span of its own."""
    css = (HTML / "_static" / "pygments.css").read_text(encoding="utf-8")
    plain = site_extension("assets").plain_token_classes(css)
    assert {"n", "p"} <= plain and not {"k", "o", "s2", "mi", "c1"} & plain, plain
    blocks = [block for soup in pages.values() for block in soup.select("div.highlight pre")]
    assert len(blocks) > 100
    kept = [span for block in blocks for span in block.find_all("span", class_=True) if set(span["class"]) & plain]
    assert not kept, kept[:5]
    styled = sum(len(block.find_all("span", class_="k")) for block in blocks)
    assert styled > 100, "keywords keep their colour"


def test_inline_code_words_are_short_elements(pages):
    """book/_ext/lrnn_site/lean.py: each word Sphinx wraps in a <span class="pre"> (inline code, API
    signatures) is a <c-w> element holding the word alone; no span.pre is left."""
    words = [w for soup in pages.values() for w in soup.find_all("c-w")]
    assert len(words) > 10_000, len(words)
    assert not [w for w in words if w.find(True) is not None or not w.get_text()][:3]
    left = [(name, str(s)[:80]) for name, soup in pages.items() for s in soup.select("span.pre")]
    assert not left, left[:5]
    api = pages["api.html"]
    assert api.select_one("dt.sig c-w") and api.select_one("code.literal c-w"), "signatures and inline code"


def theme_stylesheets():
    """(shipped, original) paths of the third-party stylesheets the site prunes the most."""
    import pydata_sphinx_theme
    import sphinx_design

    pydata = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
    return [
        (HTML / "_static" / "styles" / "pydata-sphinx-theme.css", pydata / "styles" / "pydata-sphinx-theme.css"),
        (
            HTML / "_static" / "sphinx-design.min.css",
            Path(sphinx_design.__file__).parent / "static" / "sphinx-design.min.css",
        ),
    ]


def test_theme_stylesheets_keep_every_rule_a_page_can_meet():
    """book/_ext/lrnn_site/lean.py prunes the theme's stylesheets (with tinycss2). Read here with plain
    patterns instead: each selector of the original whose classes (outside :not(), :is(), :where(),
    :has()) all occur in the pages or scripts is still in the shipped stylesheet; what is left has
    no rule for a class nothing uses (pruning again changes nothing); the licence stays."""
    lean = site_extension("lean")
    used = lean.used_words(HTML)
    functional = re.compile(r":(?:not|is|where|has)\((?:[^()]|\([^()]*\))*\)")
    for shipped, original in theme_stylesheets():
        before, after = original.read_text(encoding="utf-8"), shipped.read_text(encoding="utf-8")
        before = re.sub(r"/\*.*?\*/", "", before, flags=re.S)
        kept = re.sub(r"\s+", "", after)
        live = [
            selector.strip()
            for group in re.findall(r"(?:^|[{};])([^{}@;]+)\{", before)
            for selector in re.split(r",(?![^()]*\))", group)
            if selector.strip()
            and not selector.strip()[0].isdigit()
            and not selector.strip().endswith("%")
            and all(c in used for c in re.findall(r"\.([A-Za-z_][\w-]*)", functional.sub("", selector)))
        ]
        assert len(live) > (300 if "pydata" in shipped.name else 0), (shipped.name, len(live))
        lost = [s for s in live if re.sub(r"\s+", "", s) not in kept]
        assert not lost, f"{shipped.name}: selectors the pages can meet were dropped: {lost[:8]}"
        assert lean.prune_css(after, used) == after, f"{shipped.name}: a rule for a class no page uses is left"
        assert len(after) < 0.5 * len(before), (shipped.name, len(after), len(before))
    assert "Bootstrap" in theme_stylesheets()[0][0].read_text(encoding="utf-8")[:400], "Bootstrap's licence comment"


def test_diagrams_are_lean_svg():
    """Each diagram (matplotlib SVG) without metadata or indentation, its path coordinates to 0.01 pt,
    and still sized (width, height, viewBox) as drawn."""
    svgs = sorted((HTML / "_images").glob("*.svg"))
    assert len(svgs) >= 10
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert "<metadata" not in text and not re.search(r">\s+<", text), svg.name
        assert not [d for d in re.findall(r'\sd="([^"]*)"', text) if re.search(r"\.\d{3}", d)][:1], svg.name
        assert re.search(r'<svg\b[^>]*\swidth="[\d.]+pt"[^>]*\sheight="[\d.]+pt"[^>]*\sviewBox=', text), svg.name


def test_explorers_share_one_script_and_style(pages):
    """Each page's explorers load lrnn.widgets' explorer.js and explorer.css from _static (one copy,
    the package's own) before the explorer starts, with no inline copy."""
    from importlib import resources

    static = resources.files("lrnn.widgets").joinpath("static")
    for name in ("js", "css"):
        shipped = (HTML / "_static" / f"lrnn-explorer.{name}").read_text(encoding="utf-8")
        assert shipped == static.joinpath(f"explorer.{name}").read_text(encoding="utf-8"), name
    with_explorers = {n: s for n, s in pages.items() if s.select("[data-lrnn-explorer]")}
    assert len(with_explorers) >= 5, sorted(with_explorers)
    for name, soup in with_explorers.items():
        raw = (HTML / name).read_text(encoding="utf-8")
        assert "window.lrnnExplorer = function" not in raw, f"{name}: an inline copy of the script"
        scripts = [s.get("src") or s.get_text() for s in soup.find_all("script")]
        first = next(i for i, s in enumerate(scripts) if "lrnnExplorer(" in s and not s.endswith(".js"))
        assert any(s.endswith("_static/lrnn-explorer.js") for s in scripts[:first]), name
        assert soup.find("link", href=re.compile(r"_static/lrnn-explorer\.css$")), name


def test_pages_carry_no_indentation_between_tags():
    """A run of whitespace between tags is one line break at most, outside <pre>, <textarea>, <script>
    and <style> (whose whitespace is theirs)."""
    keep = re.compile(r"<(pre|textarea|script|style)\b.*?</\1>", re.S | re.I)
    indented = [
        (p.name, m.group(0)[:40])
        for p in HTML.glob("*.html")
        for m in re.finditer(r">[ \t]*\n[ \t]+<", keep.sub("", p.read_text(encoding="utf-8")))
    ]
    assert not indented, indented[:5]


def test_page_sizes(pages):
    for name in pages:
        size = (HTML / name).stat().st_size
        assert size < 1_500_000, f"{name} is {size} bytes"


def test_bibliography_lists_the_references(pages):
    text = pages["bibliography.html"].get_text()
    for author in ("Sherstinsky", "Chen", "Chung", "Hochreiter", "Gers", "Greff", "Bengio", "Pascanu", "Sak"):
        assert author in text, author


def test_no_dollar_is_left_beside_typeset_math(pages):
    """A `$$` display glued to the paragraph above it is read as inline math pairs and shows
    stray dollars and raw TeX; every dollar in the prose should have become math."""
    for name, soup in pages.items():
        if name.startswith(("_", "genindex", "search", "api")):
            continue
        for p in soup.select("article p, article li"):
            text = str(p)
            assert '$<span class="math' not in text and "</span>$" not in text, f"{name}: {p.get_text()[:80]}"
