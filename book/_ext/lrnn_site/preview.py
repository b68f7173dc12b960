"""Previews: an "Eq. N" or "P<n>" link shows its equation or erratum without leaving the page.

After the build, every target of the links that :mod:`.crossref` made (class ``lrnn-xref``) is
read from its page: a displayed equation (its TeX, with the display that continues it when that
one opens with "="), a row of the errata table (each cell under its column's heading), or an
erratum's section (its heading and first paragraphs). They go into one small script,
``_static/lrnn-previews.js``, which the page's reader script (``static/lrnn-reader.js``) loads on
the first hover, focus or tap: a ``<script>`` element, so it works from ``file://`` too, where a
page cannot fetch another. MathJax typesets an equation in the popover when it opens.

This module also registers the book's reader script and style sheet (``static/``), which carry
the popover, the search page's snippets and anchors, and the download menu's PDF fallback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin

STATIC = Path(__file__).with_name("static")
DATA = "_static/lrnn-previews.js"
MAX_PARAGRAPHS = 2


def _text_len(tag) -> int:
    return len(tag.get_text(" ", strip=True))


def _equation(box) -> str:
    parts = [box]
    for sib in box.find_next_siblings():
        if sib.name == "div" and "math" in (sib.get("class") or []) and sib.get_text().lstrip("\\[ \n").startswith("="):
            parts.append(sib)
        else:
            break
    out = []
    for part in parts:
        tex = part.get_text().strip()
        out.append(f'<div class="math notranslate nohighlight">{_escape(tex)}</div>')
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _row(row) -> str:
    table = row.find_parent("table")
    heads = [th.get_text(" ", strip=True) for th in table.select("thead th")] if table else []
    cells = row.find_all(["td", "th"], recursive=False)
    out = ['<dl class="lrnn-preview-row">']
    for i, cell in enumerate(cells):
        head = heads[i] if i < len(heads) else ""
        inner = "".join(str(c) for c in cell.contents).strip()
        inner = re.sub(r"^<p>(.*)</p>$", r"\1", inner, flags=re.S)
        out.append(f"<dt>{_escape(head)}</dt><dd>{inner}</dd>")
    out.append("</dl>")
    return "".join(out)


def _section(section) -> str:
    heading = section.find(re.compile(r"^h[1-6]$"))
    out = []
    if heading is not None:
        title = heading.get_text(" ", strip=True).rstrip("#").strip()
        out.append(f'<p class="lrnn-preview-title">{_escape(title)}</p>')
    taken = 0
    for child in section.find_all(recursive=False):
        if child is heading or child.name in ("span", "section") or child.name and re.match(r"^h[1-6]$", child.name):
            continue
        if child.name in ("p", "div") and _text_len(child):
            out.append(str(child))
            taken += 1
            if taken >= MAX_PARAGRAPHS:
                break
    return "".join(out)


def _content(soup, anchor: str) -> str | None:
    el = soup.find(id=anchor)
    if el is None:
        return None
    if el.name == "div" and "math" in (el.get("class") or []):
        return _equation(el)
    if el.name == "tr":
        return _row(el)
    if el.name == "section":
        return _section(el)
    if el.name == "span" and el.find_parent("section") is not None and not _text_len(el):
        return _section(el.find_parent("section"))
    return str(el)


def _strip_links(html: str) -> str:
    """A popover holds no links of its own (its one link is "Go to ..."), so links become text."""
    html = re.sub(r"<a\b[^>]*>", "", html)
    html = re.sub(r"</a>", "", html)
    return re.sub(r'\s(id|headerlink)="[^"]*"', "", html)


def write_previews(html_dir: Path) -> dict[str, str]:
    """Collect the targets of every ``a.lrnn-xref`` link and write them to ``_static/lrnn-previews.js``."""
    from bs4 import BeautifulSoup

    targets: set[tuple[str, str]] = set()
    link = re.compile(r'<a class="[^"]*\blrnn-xref\b[^"]*" href="([^"]+)"|<a href="([^"]+)" class="[^"]*\blrnn-xref\b')
    for page in html_dir.rglob("*.html"):
        rel = page.relative_to(html_dir).as_posix()
        for m in link.finditer(page.read_text(encoding="utf-8")):
            href = m.group(1) or m.group(2)
            path, _, anchor = urljoin(rel, href).partition("#")
            if anchor:
                targets.add((path or rel, unquote(anchor)))
    soups: dict[str, object] = {}
    previews: dict[str, str] = {}
    for path, anchor in sorted(targets):
        if path not in soups:
            file = html_dir / path
            soups[path] = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser") if file.exists() else None
        soup = soups[path]
        content = _content(soup, anchor) if soup is not None else None
        if content:
            previews[f"{path}#{anchor}"] = _strip_links(content)
    js = "window.LRNN_PREVIEWS = " + json.dumps(previews, ensure_ascii=False, separators=(",", ":")) + ";\n"
    (html_dir / DATA).write_text(js, encoding="utf-8")
    return previews


def _builder_inited(app):
    if app.builder.format != "html":
        return
    app.config.html_static_path.append(str(STATIC))
    app.add_css_file("lrnn-reader.css")
    app.add_js_file("lrnn-reader.js", loading_method="defer")


def _page(app, pagename, templatename, context, doctree):
    if app.builder.format == "html" and pagename == "search":
        app.add_js_file("lrnn-search.js", loading_method="defer")


def _finish(app, exception):
    if exception is None and app.builder.format == "html":
        write_previews(Path(app.outdir))


def setup(app):
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page)
    app.connect("build-finished", _finish)
