"""Deeper sections: what a first reading can skip, in a box on the site and in print.

A chapter marks such material with a heading whose title starts with ``Deeper:`` (the
measuring tool ``book/_tools/reading.py`` reads the same mark). The section stays where it
is, with its label, its cells and their asserts; the main text before it says in one sentence
what it finds. This transform

* gives the section the class ``lrnn-deeper`` and adds a one-line note under its title
  (``book/_static/lrnn-reading.css`` draws the box and the "Deeper" badge);
* in LaTeX, sets the section's body between two rules, the first labelled "DEEPER: a first
  reading can skip this section", the second closing it: a ruled box that breaks across
  pages wherever the text does (see :data:`LATEX_BEGIN`).
"""

from __future__ import annotations

from docutils import nodes

PREFIX = "Deeper:"
NOTE = "A first reading can skip this section: the text before it says what it finds."

# A ruled box: a rule and the label under the title, a rule at the end. Not a framed box:
# framed.sty cannot break content that is already boxed (Sphinx's code listings are), and TeX
# loops forever on a listing or figure taller than what is left of the page inside a frame.
LATEX_BEGIN = (
    r"\par\smallskip\noindent{\color[gray]{0.55}\rule{\linewidth}{1.2pt}}\par\nobreak"
    r"\noindent{\sffamily\bfseries\small DEEPER}\quad{\small\itshape A first reading can skip this section.}"
    r"\par\nobreak\smallskip"
)
LATEX_END = (
    r"\par\nobreak\smallskip\noindent{\color[gray]{0.55}\rule{\linewidth}{1.2pt}}"
    r"\par\nobreak\noindent{\sffamily\small\color[gray]{0.4} end of the Deeper section}\par\medskip"
)


def _is_deeper(section: nodes.section) -> bool:
    title = next(iter(section.findall(nodes.title)), None)
    return title is not None and title.parent is section and title.astext().startswith(PREFIX)


def mark(app, doctree, docname=None) -> None:
    """``doctree-resolved``: box every Deeper section for the builder at hand."""
    latex = app.builder.format == "latex"
    for section in list(doctree.findall(nodes.section)):
        if not _is_deeper(section) or "lrnn-deeper" in section["classes"]:
            continue
        section["classes"].append("lrnn-deeper")
        title = section.children[0]
        if latex:
            section.insert(section.index(title) + 1, nodes.raw("", LATEX_BEGIN + "\n", format="latex"))
            section.append(nodes.raw("", LATEX_END + "\n", format="latex"))
        else:
            note = nodes.paragraph("", NOTE, classes=["lrnn-deeper-note"])
            section.insert(section.index(title) + 1, note)


def setup(app):
    """Load this module alone (the book loads it through :mod:`lrnn_site`)."""
    app.connect("doctree-resolved", mark)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
