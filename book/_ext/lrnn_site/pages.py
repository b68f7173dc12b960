"""Finishing touches on the written pages.

* A page whose title is the book's title (the front page) has it once in the window title, not
  "Title — Title": the theme's template appends the book's title to every page's own.
* The bibliography's list of citations is a plain container, not an ARIA list: its children are
  citations with back-links, not list items (axe: aria-required-children, critical).
"""

from __future__ import annotations

import re
from pathlib import Path

TITLE = re.compile(r"<title>(.*?)\s*&#8212;\s*(.*?)</title>", re.S)


def single_title(html_dir: Path) -> None:
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        m = TITLE.search(text)
        if m and m.group(1).strip() == m.group(2).strip():
            page.write_text(
                text[: m.start()] + f"<title>{m.group(1).strip()}</title>" + text[m.end() :], encoding="utf-8"
            )


CITATION_LIST = re.compile(r'<div role="list" class="citation-list">')


def plain_citation_lists(html_dir: Path) -> None:
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = CITATION_LIST.sub('<div class="citation-list">', text)
        if new != text:
            page.write_text(new, encoding="utf-8")


def finish(app, exception):
    if exception is None and app.builder.format == "html":
        single_title(Path(app.outdir))
        plain_citation_lists(Path(app.outdir))


def setup(app):
    app.connect("build-finished", finish)
