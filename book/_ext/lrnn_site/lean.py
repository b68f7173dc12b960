"""Fewer bytes for the same pages: what a browser would draw identically is written shorter.

* **Inline code.** Sphinx wraps each word of inline code (``<code>``, API signatures) in a
  ``<span class="pre">`` that forbids a line break inside it: 25 bytes of markup for a word of
  seven letters, on 16,000 words. Each is written as ``<c-w>`` (:data:`WORD`, a custom element,
  which a browser lays out as an inline box, as a ``<span>``), styled as the span was
  (``book/_static/lrnn_layout.css``; tests/test_browser_layout.py compares the two). Removing
  the spans altogether would not do: a word in a narrow box (the page's contents list) would
  then break where it fits whole now.
* **Stylesheets.** A rule of a stylesheet the site ships from its Sphinx extensions and theme
  (not the book's own ``lrnn*.css``) whose every selector names a class that no page and no
  script contains goes, as PurgeCSS would do it: Bootstrap's components the theme never uses,
  and Font Awesome's catalogue of icon classes beyond the icons the site shows (the icon font
  keeps only those glyphs, ``assets._subset_icons``). A class inside ``:not()``, ``:is()``,
  ``:where()`` or ``:has()`` is not counted (a selector can match without it). Parsed with
  tinycss2; licence comments (``/*! ... */``) stay.
* **Diagrams.** Matplotlib's SVG carries an RDF block (creation date and tool), indentation,
  and path coordinates to six decimals of a point. Coordinates are written to two (each moves
  by 0.005 pt at most, under a hundredth of a pixel at the size the page shows them), without
  the metadata and the
  whitespace between elements (matplotlib writes its text as paths, so no ``<text>`` has
  whitespace to keep).
* **Explorers.** An explorer's HTML carries its script and stylesheet inline, to work on its
  own in JupyterLab; the site's pages share one copy of each in ``_static`` instead
  (``lrnn-explorer.js``, ``lrnn-explorer.css``), loaded where the inline copy was.
* **Indentation.** A run of whitespace between two tags that holds a line break is written as
  one line break, except inside ``<pre>``, ``<textarea>``, ``<script>`` and ``<style>``: HTML
  collapses such a run to one space or nothing either way.
"""

from __future__ import annotations

import re
from pathlib import Path

#: The element that holds a word of inline code in the site's pages (Sphinx's ``span.pre``).
WORD = "c-w"
_PRE = re.compile(r'<span class="pre">([^<]*)</span>')


def short_literal_words(text: str) -> str:
    """``text`` (a page) with each ``<span class="pre">`` written as a :data:`WORD` element.

    Examples
    --------
    >>> short_literal_words('<code><span class="pre">lrnn.cell.Cell</span> <span class="pre">x</span></code>')
    '<code><c-w>lrnn.cell.Cell</c-w> <c-w>x</c-w></code>'
    """
    return _PRE.sub(rf"<{WORD}>\1</{WORD}>", text)


_KEEP_TAGS = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2>)", re.S | re.I)
_BETWEEN_TAGS = re.compile(r">[ \t\r\f]*\n\s*<")


def collapse_indentation(text: str) -> str:
    """``text`` (a page) with each run of whitespace between tags that holds a newline written as
    one newline, except inside ``<pre>``, ``<textarea>``, ``<script>`` and ``<style>``.

    Examples
    --------
    >>> collapse_indentation('<ul>\\n    <li>a</li>\\n    <li>b</li>\\n</ul><pre>x\\n  <b>y</b></pre>')
    '<ul>\\n<li>a</li>\\n<li>b</li>\\n</ul><pre>x\\n  <b>y</b></pre>'
    """
    parts = _KEEP_TAGS.split(text)
    # split keeps both groups: [text, whole kept element, its tag name, text, ...]
    out = []
    for i in range(0, len(parts), 3):
        out.append(_BETWEEN_TAGS.sub(">\n<", parts[i]))
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)


def _two_decimals(m: re.Match) -> str:
    s = f"{float(m.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def lean_svg(text: str) -> str:
    """A matplotlib SVG without its metadata and indentation, its path coordinates to 0.01 pt.

    Examples
    --------
    >>> svg = '<svg>\\n <metadata><dc:date>2026</dc:date></metadata>\\n <g>\\n  <path d="M 0 400.07952 '
    >>> svg += '\\nL 478.918599 -0.001 \\nz\\n" style="fill: #fff"/>\\n </g>\\n</svg>'
    >>> lean_svg(svg)
    '<svg><g><path d="M 0 400.08 L 478.92 0 z" style="fill: #fff"/></g></svg>'
    """
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r">\s+<", "><", text)

    def path(m: re.Match) -> str:
        d = re.sub(r"-?\d+\.\d{3,}", _two_decimals, " ".join(m.group(1).split()))
        return f' d="{d}"'

    return re.sub(r'\sd="([^"]*)"', path, text)


def _class_names(tokens) -> list[str]:
    """Classes a selector's tokens name outside functional pseudo-classes (``.a.b:not(.c) > .d``: a, b, d)."""
    return [b.value for a, b in zip(tokens, tokens[1:]) if a.type == "literal" and a.value == "." and b.type == "ident"]


def _selectors(prelude) -> list[list]:
    out = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            out.append([])
        else:
            out[-1].append(token)
    return out


def prune_css(css: str, used: set[str]) -> str:
    """``css`` without the selectors that name a class not in ``used``, and without the rules
    (and the ``@media``, ``@supports``, ``@layer`` and ``@container`` blocks) left with none.

    Examples
    --------
    >>> css = '/*! licence */a,.x:hover,.y .z{color:red}.w:not(.v){margin:0}@media (min-width:9px){.x{top:0}}'
    >>> prune_css(css, {"y", "z", "w"})
    '/*! licence */a,.y .z{color:red}.w:not(.v){margin:0}'
    """
    import tinycss2

    def rules(nodes) -> str:
        out = []
        for node in nodes:
            if node.type == "comment":
                if node.value.startswith("!"):
                    out.append(f"/*{node.value}*/")
            elif node.type == "qualified-rule":
                alive = [s for s in _selectors(node.prelude) if all(c in used for c in _class_names(s))]
                if alive:
                    prelude = ",".join(tinycss2.serialize(s).strip() for s in alive)
                    out.append(f"{prelude}{{{tinycss2.serialize(node.content)}}}")
            elif node.type == "at-rule" and node.lower_at_keyword in ("media", "supports", "layer", "container"):
                if node.content is None:
                    out.append(node.serialize())
                    continue
                inner = rules(tinycss2.parse_rule_list(node.content, skip_comments=False, skip_whitespace=True))
                if inner:
                    out.append(f"@{node.at_keyword}{tinycss2.serialize(node.prelude)}{{{inner}}}")
            elif node.type != "whitespace":
                out.append(node.serialize())
        return "".join(out)

    return rules(tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=True))


def used_words(html_dir: Path) -> set[str]:
    """Every class and identifier-like word of the site's pages and scripts: the classes a
    stylesheet's rule can meet (a script that adds a class names it)."""
    words: set[str] = set()
    sources = list(html_dir.rglob("*.html")) + list((html_dir / "_static").rglob("*.js"))
    for path in sources:
        words |= set(re.findall(r"[A-Za-z_][\w-]*", path.read_text(encoding="utf-8", errors="replace")))
    return words


def shared_explorer_assets(text: str, script: str, style: str, static: str) -> str:
    """``text`` (a page) with each explorer's inline copy of ``script`` and ``style`` replaced by
    a link to the shared files ``lrnn-explorer.js`` and ``lrnn-explorer.css`` in ``static``.

    Examples
    --------
    >>> page = "<style>.x{}</style><div></div><script>function f(){}\\nf(1);</script>"
    >>> print(shared_explorer_assets(page, "function f(){}", ".x{}", "../_static/").replace("><", ">\\n<"))
    <link rel="stylesheet" href="../_static/lrnn-explorer.css">
    <div>
    </div>
    <script src="../_static/lrnn-explorer.js">
    </script>
    <script>f(1);</script>
    """
    text = text.replace(f"<style>{style}</style>", f'<link rel="stylesheet" href="{static}lrnn-explorer.css">')
    return text.replace(f"<script>{script}\n", f'<script src="{static}lrnn-explorer.js"></script><script>')


def lean_site(html_dir: Path) -> None:
    """Apply the reductions of this module to the built site in ``html_dir``."""
    from importlib import resources

    assets = resources.files("lrnn.widgets").joinpath("static")
    script = assets.joinpath("explorer.js").read_text(encoding="utf-8")
    style = assets.joinpath("explorer.css").read_text(encoding="utf-8")
    shared = False
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        static = "../" * (len(page.relative_to(html_dir).parts) - 1) + "_static/"
        new = shared_explorer_assets(text, script, style, static)
        shared |= new != text
        new = collapse_indentation(short_literal_words(new))
        if new != text:
            page.write_text(new, encoding="utf-8")
    if shared:
        (html_dir / "_static" / "lrnn-explorer.js").write_text(script, encoding="utf-8")
        (html_dir / "_static" / "lrnn-explorer.css").write_text(style, encoding="utf-8")
    for svg in (html_dir / "_images").glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        if "Matplotlib" in text[:2000]:
            svg.write_text(lean_svg(text), encoding="utf-8")
    used = used_words(html_dir)
    for sheet in (html_dir / "_static").rglob("*.css"):
        if sheet.name.startswith("lrnn") or "mathjax" in sheet.parts:
            continue
        text = sheet.read_text(encoding="utf-8")
        new = prune_css(text, used)
        if len(new) < len(text):
            sheet.write_text(new, encoding="utf-8")
