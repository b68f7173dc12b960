"""Ship only what the pages use, and nothing that errs.

* Thebe (live code through Binder) cannot work offline, and sphinx-thebe injected its
  configuration twice on every page (a ``SyntaxError`` in the console): it is switched off.
* MathJax loads only on pages that have mathematics, and only the parts of the MathJax
  distribution that those pages load are kept (the TeX input with its extensions, the
  CommonHTML fonts and the menu): no SVG/MathML bundles, no speech-rule engine.
* The theme's 1.5 MB icon script goes; its icon font is cut down to the glyphs the pages
  show (fontTools), and the search index loads only on the search page.
* Source maps and translation catalogues (build inputs, never read by a browser) go.
* A page whose title is the book's title does not repeat it in the window title.
* Figures are cut to 256 colours (Pillow's median-cut palette) and written as lossless WebP: a
  plot has few colours besides its anti-aliasing, and a reader downloads about a quarter of the
  PNG's bytes (a palette PNG was a third; tests/test_site.py holds each to its original, pixel
  by pixel). Each ``<img>`` of such a figure gets ``width`` and ``height``, its size in CSS px
  at matplotlib's 100 dpi (a plot or a phone layout, drawn at 200 dpi, is shown at half its
  pixels), so the page does not move while it loads.
* In highlighted code, a token whose style is only the code block's own colour in every theme
  (in the theme's ``pygments.css``: names and punctuation) is written as plain text, not as a
  ``<span>`` of its own: it looks the same, and the spans were a fifth of the site's bytes.
* Last, :mod:`.lean` writes shorter what a browser draws the same: each word of inline code
  as a ``<c-w>`` element styled as Sphinx's ``<span class="pre">``, the theme's stylesheets
  without rules for classes no page uses, diagrams without metadata and excess decimals, one
  shared copy of the explorers' script and style, pages without indentation.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from .lean import lean_site
from .mathjax import DROP as MATHJAX_DROP
from .mathjax import KEEP as MATHJAX_KEEP

ICON_FONT = "lrnn-icons.woff"
BRAND_FONT = "lrnn-icons-brands.woff"


def disable_thebe(app):
    """Disconnect sphinx-thebe (loaded by Jupyter Book whatever the configuration says)."""
    for listeners in app.events.listeners.values():
        for listener in list(listeners):
            if getattr(listener.handler, "__module__", "").startswith("sphinx_thebe"):
                app.disconnect(listener.id)
    app.registry.css_files = [(f, a) for f, a in app.registry.css_files if "thebe" not in f]


def page_assets(app, pagename, templatename, context, doctree):
    """``html-page-context`` (after MathJax is installed): drop what this page does not use."""
    if app.builder.format != "html":
        return
    body = context.get("body", "")
    has_math = app.env.get_domain("math").has_equations(pagename) or "\\(" in body or "\\[" in body
    scripts = context.get("script_files")
    if scripts is not None and not has_math:
        mathjax = lambda s: "mathjax" in str(s.filename or "") or "MathJax" in s.attributes.get("body", "")
        context["script_files"] = [s for s in scripts if not mathjax(s)]
    css = context.get("css_files")
    if css is not None and "sd-" not in body:
        context["css_files"] = [c for c in css if "sphinx-design" not in str(c.filename)]
    title = re.sub(r"<[^>]+>", "", context.get("title", ""))
    if title.strip() == (app.config.html_title or "").strip():
        context["titlesuffix"] = ""


# A codepoint of the icon font as a stylesheet writes it: the character itself (the theme's
# minified custom properties) or a CSS escape.
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]|\\(f[0-9a-f]{3})(?![0-9a-f])", re.I)
# The theme's catalogue of every Font Awesome class (``.fa-bell:before{content:"\f0f3"}``):
# read for the classes the pages name, not kept whole.
_CATALOGUE = re.compile(r"((?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:\"\\([0-9a-f]{4,5})\"\}")


def _icon_codepoints(html_dir: Path) -> set[int]:
    """Every Font Awesome glyph the theme and the pages can show.

    * ``fa-*`` classes named in the pages or in the site's scripts (the download menu's items
      are made by ``lrnn.js``), looked up in the theme's catalogue;
    * every private-use codepoint any stylesheet writes outside that catalogue: in ``content``
      and in the custom properties ``content`` reads (the admonitions' icons,
      ``--pst-icon-admonition-note: var(--pst-icon-info-circle)``, and so on).
    """
    static = html_dir / "_static"
    theme_css = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    glyph = {}
    for names, code in _CATALOGUE.findall(theme_css):
        for name in re.findall(r"\.fa-([a-z0-9-]+):", names):
            glyph.setdefault(name, int(code, 16))
    sources = list(html_dir.rglob("*.html")) + [
        p for p in static.rglob("*.js") if "fontawesome" not in p.name and "vendor" not in p.parts
    ]
    used = set()
    for path in sources:
        text = path.read_text(encoding="utf-8", errors="replace")
        used |= {glyph[n] for n in set(re.findall(r"\bfa-([a-z0-9-]+)", text)) if n in glyph}
    for sheet in static.rglob("*.css"):
        if "vendor" in sheet.parts:
            continue
        text = _CATALOGUE.sub("", sheet.read_text(encoding="utf-8", errors="replace"))
        for m in _PRIVATE_USE.finditer(text):
            used.add(int(m.group(1), 16) if m.group(1) else ord(m.group(0)))
    return used


def _subset_icons(html_dir: Path) -> None:
    """Cut the theme's solid and brand icon fonts down to the glyphs the site can show."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    static = html_dir / "_static"
    webfonts = static / "vendor" / "fontawesome" / "webfonts"
    if not (webfonts / "fa-solid-900.ttf").exists():
        return
    used = _icon_codepoints(html_dir)
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    css = theme_css.read_text(encoding="utf-8")
    for source, target in (("fa-solid-900", ICON_FONT), ("fa-brands-400", BRAND_FONT)):
        face = re.compile(r"src:url\(\.\./vendor/fontawesome/webfonts/" + source + r"\.woff2\)[^;}]*")
        path = webfonts / f"{source}.ttf"
        keep = used & set(TTFont(str(path)).getBestCmap()) if path.exists() else set()
        if not keep:  # nothing shown in this font: its @font-face goes
            css = re.sub(r"@font-face\{[^}]*" + source + r"[^}]*\}", "", css)
            continue
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = []
        options.name_IDs = []
        options.notdef_outline = True
        font = subset.load_font(str(path), options)
        sub = subset.Subsetter(options)
        sub.populate(unicodes=sorted(keep | {0x20, 0xA0}))
        sub.subset(font)
        subset.save_font(font, str(static / target), options)
        css = face.sub(f'src:url(../{target}) format("woff")', css)
    # The regular (400) face is never asked for: the solid one serves every weight.
    css = re.sub(r"@font-face\{[^}]*fa-regular-400[^}]*\}", "", css)
    theme_css.write_text(css, encoding="utf-8")


def _strip_pages(html_dir: Path) -> None:
    """Remove the icon script and, except on the search page, the search index from every page."""
    icon = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')
    search = re.compile(
        r'\s*<script src="[^"]*_static/searchtools\.js"></script>'
        r'\s*<script src="[^"]*_static/language_data\.js"></script>'
        r'\s*<script src="[^"]*searchindex\.js"></script>'
    )
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = icon.sub("", text)
        if page.name != "search.html":
            new = search.sub("", new)
        if new != text:
            page.write_text(new, encoding="utf-8")


# a rule of pygments.css, as Sphinx writes it or as lean.py writes it again (no space before the brace)
_RULE = re.compile(r"((?:html\[data-theme=\"\w+\"\] )?)\.highlight((?: \.[\w-]+)?)\s*\{([^}]*)\}")
_HIGHLIGHT = re.compile(r'<div class="highlight[^"]*"><pre>.*?</pre></div>', re.S)


def plain_token_classes(css: str) -> set[str]:
    """The token classes of ``pygments.css`` styled only with the code block's own colour, in every theme.

    Examples
    --------
    >>> css = (
    ...     'html[data-theme="light"] .highlight { background: #fff; color: #000 }\\n'
    ...     'html[data-theme="light"] .highlight .n { color: #000 }\\n'
    ...     'html[data-theme="light"] .highlight .k { color: #00f; font-weight: bold }\\n'
    ...     'html[data-theme="dark"] .highlight { background: #222; color: #eee }\\n'
    ...     'html[data-theme="dark"] .highlight .n { color: #EEE }\\n'
    ...     'html[data-theme="dark"] .highlight .k { color: #eee }\\n'
    ... )
    >>> sorted(plain_token_classes(css))
    ['n']
    """
    base, tokens = {}, {}
    for theme, token, body in _RULE.findall(css):
        decl = dict(
            (k.strip().lower(), v.strip().lower()) for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d)
        )
        if token:
            tokens.setdefault(token.strip()[1:], {})[theme] = decl
        else:
            base[theme] = decl.get("color")
    return {
        name
        for name, themes in tokens.items()
        if themes.keys() == base.keys() and all(d == {"color": base[t]} and base[t] for t, d in themes.items())
    }


def _plain_code_tokens(html_dir: Path) -> None:
    """Write the tokens of :func:`plain_token_classes` as plain text inside the pages' highlighted code."""
    css = html_dir / "_static" / "pygments.css"
    plain = plain_token_classes(css.read_text(encoding="utf-8")) if css.exists() else set()
    if not plain:
        return
    names = "|".join(map(re.escape, sorted(plain)))
    span = re.compile(rf'<span class="(?:{names})">([^<]*)</span>')
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _HIGHLIGHT.sub(lambda block: span.sub(r"\1", block.group(0)), text)
        if new != text:
            page.write_text(new, encoding="utf-8")


def _prune_static(html_dir: Path) -> None:
    static = html_dir / "_static"
    mathjax = static / "mathjax"
    if mathjax.is_dir():
        keep = [mathjax / k for k in MATHJAX_KEEP]
        for path in sorted(mathjax.rglob("*"), reverse=True):
            dropped = path.relative_to(mathjax).as_posix() in MATHJAX_DROP
            if path.is_file() and (dropped or not any(path == k or k in path.parents for k in keep)):
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for path in list(static.rglob("*.map")):
        path.unlink()
    for path in (static / "scripts").glob("fontawesome.js*"):
        path.unlink()
    for folder in (static / "vendor", static / "locales"):
        shutil.rmtree(folder, ignore_errors=True)
    for path in static.rglob("*.js"):  # no dangling pointer to a deleted source map
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        new = re.sub(r"\n//# sourceMappingURL=\S+\.map\s*$", "\n", text)
        if new != text:
            path.write_text(new, encoding="utf-8", errors="surrogateescape")
    for path in static.rglob("*.css"):
        text = path.read_text(encoding="utf-8")
        new = re.sub(r"/\*# sourceMappingURL=\S+\.map \*/", "", text)
        if new != text:
            path.write_text(new, encoding="utf-8")


def finish(app, exception):
    """``build-finished``: subset the icon font, strip scripts, prune unused files and rules."""
    if exception is not None or app.builder.format != "html":
        return
    html_dir = Path(app.outdir)
    web_images(html_dir)
    _subset_icons(html_dir)
    _strip_pages(html_dir)
    _plain_code_tokens(html_dir)
    _prune_static(html_dir)
    lean_site(html_dir)


def web_images(html_dir: Path) -> None:
    """Write each opaque PNG of ``_images`` as a lossless WebP of at most 256 colours (median cut),
    where that makes the file smaller, point the pages at it, and give every ``<img>`` of a PNG or
    WebP there its size in CSS px (:func:`.figures.css_size` of the PNG as drawn). An image with
    transparency is left as it is (the octree quantiser Pillow offers for those merges near
    colours, a white background among them)."""
    from PIL import Image

    from .figures import css_size

    folder = html_dir / "_images"
    sizes, renamed = {}, {}
    for path in sorted(folder.glob("*.png")):
        size = css_size(path)
        if size:
            sizes[path.name] = size
        with Image.open(path) as im:
            if im.mode == "P" or (im.mode in ("RGBA", "LA") and im.getchannel("A").getextrema()[0] < 255):
                continue
            small = im.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).convert("RGB")
        buf = io.BytesIO()
        small.save(buf, "WEBP", lossless=True, quality=100, method=4)  # 6: 1 % smaller, 30 times the CPU
        if buf.tell() < path.stat().st_size:
            target = path.with_suffix(".webp")
            target.write_bytes(buf.getvalue())
            path.unlink()
            renamed[path.name] = target.name
            sizes[target.name] = sizes.pop(path.name, None)
    if not sizes:
        return
    img = re.compile(r"<img\b[^>]*>")
    src = re.compile(r'(\ssrc="(?:\.\./)*_images/)([^"/]+)"')

    def fix(m: re.Match) -> str:
        tag = m.group(0)
        found = src.search(tag)
        if not found:
            return tag
        name = renamed.get(found.group(2), found.group(2))
        tag = src.sub(lambda s: f'{s.group(1)}{name}"', tag)
        size = sizes.get(name)
        if size and not re.search(r"\s(width|height)=", tag):
            tag = re.sub(r"\s*/?>$", lambda end: f' width="{size[0]}" height="{size[1]}"{end.group(0)}', tag)
        return tag

    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = img.sub(fix, text)
        if new != text:
            page.write_text(new, encoding="utf-8")
