"""Sphinx extension for the book's editions: the PDF's layout, and the site's link to the PDF.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``. Jupyter Book's own LaTeX
extension (``sphinx-jupyterbook-latex``) needs fonts that only the 1.4 GB
``texlive-fonts-extra`` package provides, so the PDF is built by Sphinx's plain LaTeX
writer and this extension does the few things a book needs on top of it.

LaTeX builds (``make pdf``, ``make student-pdf``):

- :class:`BookLayout`: the introduction becomes a chapter, each captioned part of the
  table of contents a ``\\part``; only the numbered parts number their chapters (1-6, as
  on the site), the part named by ``lrnn_appendix_part`` becomes lettered appendices.
- :class:`TaggedEquations`: a displayed equation carries the paper's number as
  ``\\tag{...}``; amsmath forbids ``\\tag`` inside the ``split`` that Sphinx wraps each
  equation in, so the tag moves to the enclosing ``equation``.
- :class:`FoldedInputs`: the code of cells tagged ``hide-input`` (folded on the site:
  the code behind a figure) is left out of print, and so is the output of cells tagged
  ``hide-output`` (the measured value behind a predict-then-reveal question, which the
  question prints after itself).
- :class:`PrintedFigures`: an output carrying a PNG and a Markdown text (what an explorer
  emits for the PDF edition, :mod:`lrnn.widgets.still`) becomes a figure with that caption.
- :class:`LongTables`: a table too long for one page gets column widths from its content,
  so that its cells wrap instead of running off the page.
- :class:`ExerciseReferences`: a reference to an exercise of another chapter (the exercise
  index) prints the exercise's number.

HTML builds: when ``lrnn_pdf`` names the PDF (a path relative to the source folder), the
download menu's ".pdf" entry links to that file at the site's root instead of opening the
browser's print dialog, whichever of the two was built first: the site copies the PDF in when
it exists, and ``make pdf`` copies it into a site built before it. Served over http, a site
whose PDF was never built falls back to the print dialog (``lrnn_site/static/lrnn-reader.js``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

_TAG = re.compile(r"\\tag\*?\{([^{}]*)\}")


def _raw(latex: str) -> nodes.raw:
    return nodes.raw("", latex + "\n", format="latex")


class BookLayout(SphinxPostTransform):
    """Chapters and parts of the printed book, from the table of contents."""

    default_priority = 900
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        root = self.config.root_doc
        if self.document.get("docname") != root:
            return
        top = next(iter(self.document.findall(nodes.section)), None)
        if top is None:
            return
        toctrees = list(self.env.get_doctree(root).findall(addnodes.toctree))
        parts = {t["includefiles"][0]: t for t in toctrees if t.get("includefiles")}
        included = [
            f
            for f in top.findall(addnodes.start_of_file)
            if not any(isinstance(a, addnodes.start_of_file) for a in _ancestors(f))
        ]
        for f in included:
            f.parent.remove(f)
        for wrapper in list(top.findall(nodes.compound)):
            if "toctree-wrapper" in wrapper["classes"] and not wrapper.children:
                wrapper.parent.remove(wrapper)

        intro = nodes.section("", nodes.title("", self.config.lrnn_intro_title), ids=["book-introduction"])
        intro.extend(child for child in top.children[1:])
        del top.children[1:]
        top += _raw(r"\setcounter{secnumdepth}{-1}")  # front matter: chapters without numbers
        top += intro
        appendix = self.config.lrnn_appendix_part
        for f in included:
            toctree = parts.get(f["docname"])
            if toctree is not None:
                caption = toctree.get("caption") or ""
                if appendix and caption == appendix:
                    top += _raw(r"\appendix\setcounter{secnumdepth}{1}")
                elif toctree.get("numbered"):
                    top += _raw(r"\setcounter{secnumdepth}{1}")
                else:
                    top += _raw(r"\setcounter{secnumdepth}{-1}")
                if caption:
                    top += _raw(rf"\part{{{_latex_escape(caption)}}}")
            top += f


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _latex_escape(s: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", s)


class TaggedEquations(SphinxPostTransform):
    """Move an equation's ``\\tag{...}`` out of Sphinx's ``split`` into the ``equation``."""

    default_priority = 20  # after references to equations are resolved
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for node in self.document.findall(nodes.math_block):
            source = node.astext()
            tags = _TAG.findall(source)
            if node.get("nowrap") or len(tags) != 1:
                continue  # amsmath environments written out (align, ...) keep their tags
            body = "\\\\\n".join(p.strip() for p in _TAG.sub("", source).split("\n\n") if p.strip())
            label = node.get("label")
            env = "equation" if label else "equation*"
            target = rf"\label{{equation:{node['docname']}:{label}}}" if label else ""
            node["nowrap"], node["label"] = True, None
            node.children = [
                nodes.Text(
                    f"\\begin{{{env}}}{target}\n\\begin{{split}}{body}\\end{{split}}\\tag{{{tags[0]}}}\n\\end{{{env}}}"
                )
            ]


class FoldedInputs(SphinxPostTransform):
    """Leave out of print the code (``hide-input``) and the outputs (``hide-output``) that the site folds away."""

    default_priority = 5
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for cell in list(self.document.findall(nodes.container)):
            for tag, part in (("tag_hide-input", "cell_input"), ("tag_hide-output", "cell_output")):
                if tag in cell["classes"]:
                    for child in list(cell.children):
                        if isinstance(child, nodes.container) and part in child["classes"]:
                            cell.remove(child)


class LongTables(SphinxPostTransform):
    """Give a long table (a LaTeX ``longtable``) column widths from its content, so its text wraps.

    Sphinx sets a table of more than 30 rows without given widths in unbreakable ``l``
    columns, and a wide one runs off the page. Long tables are also set a size smaller.
    """

    default_priority = 20
    formats = ("latex",)
    LONG = 30  # Sphinx's threshold for longtable

    def run(self, **kwargs) -> None:
        for table in list(self.document.findall(nodes.table)):
            if "colwidths-given" in table["classes"]:
                continue
            for group in table.findall(nodes.tgroup):
                rows = list(group.findall(nodes.row))
                specs = [c for c in group.children if isinstance(c, nodes.colspec)]
                if len(rows) <= self.LONG or not specs:
                    continue
                widths = [6] * len(specs)
                for row in rows:
                    for j, entry in enumerate(row.children[: len(specs)]):
                        widths[j] = max(widths[j], min(40, len(entry.astext()) + 2))
                for spec, width in zip(specs, widths):
                    spec["colwidth"] = width
                table["classes"].append("colwidths-given")
                table.parent.insert(table.parent.index(table), _raw(r"\begingroup\small"))
                table.parent.insert(table.parent.index(table) + 1, _raw(r"\endgroup"))


class ExerciseReferences(SphinxPostTransform):
    """A reference to an exercise in another chapter prints its number ("Exercise 1.1").

    sphinx-exercise labels an exercise ``exercise:<label>`` in LaTeX and converts references
    within one document only; Sphinx's own number reference would print ``\\ref`` of a label
    that does not exist ("Exercise ??", as in the exercise index).
    """

    default_priority = 23  # after sphinx-exercise's own reference transforms (22)
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        from sphinx_exercise.nodes import (
            exercise_enumerable_node,
            exercise_latex_number_reference,
        )

        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for ref in list(self.document.findall(addnodes.number_reference)):
            if isinstance(ref, exercise_latex_number_reference):
                continue
            label = ref.get("refid") or ref.get("refuri", "").rpartition("#")[2]
            if not isinstance(registry.get(label, {}).get("node"), exercise_enumerable_node):
                continue
            new = exercise_latex_number_reference("", "", *ref.children, refid=label)
            ref.replace_self(new)


class PrintedFigures(SphinxPostTransform):
    """An output with a PNG and a Markdown caption (an explorer's still) becomes a figure."""

    default_priority = 3  # before myst-nb picks one MIME type per output (priority 4)
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle" or isinstance(bundle.parent, nodes.figure):
                continue
            kinds = {c.get("mime_type"): c for c in bundle.children}
            image = next(iter(kinds["image/png"].findall(nodes.image)), None) if "image/png" in kinds else None
            text = kinds.get("text/markdown")
            paragraphs = list(text.findall(nodes.paragraph)) if text is not None else []
            if image is None or not paragraphs:
                continue
            caption = nodes.caption("", "", *[c.deepcopy() for c in paragraphs[0].children])
            image = image.deepcopy()
            image["alt"] = caption.astext()
            figure = nodes.figure("", image, caption, classes=["lrnn-explorer-still"])
            figure["align"] = "center"
            bundle.replace_self(figure)


# -- the site's download menu ------------------------------------------------------------------


def _pdf(app) -> Path | None:
    if not app.config.lrnn_pdf:
        return None
    path = (Path(app.srcdir) / app.config.lrnn_pdf).resolve()
    return path if path.is_file() else None


def _pdf_button(app, pagename, templatename, context, doctree) -> None:
    """Point the download menu's ".pdf" entry at the PDF's place in the site (not ``window.print()``)."""
    if not app.config.lrnn_pdf:
        return
    name = Path(app.config.lrnn_pdf).name
    for group in context.get("header_buttons", ()):
        for i, button in enumerate(group.get("buttons", ())):
            if button.get("label") == "download-pdf-button":
                group["buttons"][i] = {
                    "type": "link",
                    "url": context["pathto"](name, 1),
                    "text": ".pdf",
                    "tooltip": "Download the whole book as a PDF",
                    "icon": "fas fa-file-pdf",
                    "label": "download-pdf-button",
                }


def _copy_pdf(app, exception) -> None:
    pdf = _pdf(app)
    if exception is None and app.builder.format == "html":
        if pdf is None:
            if app.config.lrnn_pdf:
                logger.info("no PDF at %s yet: `make pdf` copies it into this site", app.config.lrnn_pdf)
            return
        shutil.copyfile(pdf, Path(app.outdir) / pdf.name)


def setup(app):
    app.add_config_value("lrnn_pdf", "", "html", types=[str])
    app.add_config_value("lrnn_intro_title", "Introduction", "env", types=[str])
    app.add_config_value("lrnn_appendix_part", "", "env", types=[str])
    app.add_post_transform(BookLayout)
    app.add_post_transform(TaggedEquations)
    app.add_post_transform(FoldedInputs)
    app.add_post_transform(PrintedFigures)
    app.add_post_transform(LongTables)
    app.add_post_transform(ExerciseReferences)
    app.connect("html-page-context", _pdf_button, priority=600)  # after sphinx-book-theme's buttons (501)
    app.connect("build-finished", _copy_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
