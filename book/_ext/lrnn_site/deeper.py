"""Deeper sections: what a first reading can skip, in a box on the site and in print.

A chapter marks such material with a heading whose title starts with ``Deeper:`` (the
measuring tool ``book/_tools/reading.py`` reads the same mark). The section stays where it
is, with its label, its cells and their asserts; the main text before it says in one sentence
what it finds. This transform

* gives the section the class ``lrnn-deeper`` and adds a one-line note under its title
  (``book/_static/lrnn-reading.css`` draws the box and the "Deeper" badge);
* in LaTeX, sets the section's body in a framed box that may break across pages
  (``lrnndeeper``, defined in the first such section): figures inside it do not float
  (a float cannot live in a framed box), they stay where they are.
"""

from __future__ import annotations

from docutils import nodes

PREFIX = "Deeper:"
NOTE = "A first reading can skip this section: the text before it says what it finds."

# framed.sty (loaded by Sphinx) breaks the box across pages; inside it a figure is set in place.
LATEX_DEFINITION = r"""\makeatletter
\@ifundefined{lrnndeeper}{%
\newenvironment{lrnndeeper}{%
  \par\medskip
  \def\FrameCommand{\fboxsep=8pt\fcolorbox[gray]{0.55}{0.965}}%
  \MakeFramed{\advance\hsize-\width\FrameRestore}%
  \renewenvironment{figure}[1][]{\par\medskip\noindent\begin{minipage}{\linewidth}\def\@captype{figure}\centering}{\end{minipage}\par\medskip}%
  \noindent{\sffamily\bfseries\small DEEPER}\quad{\small\itshape A first reading can skip this section.}\par\smallskip
}{\endMakeFramed\medskip}}{}
\makeatother
"""


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
            begin = nodes.raw("", LATEX_DEFINITION + "\\begin{lrnndeeper}\n", format="latex")
            section.insert(section.index(title) + 1, begin)
            section.append(nodes.raw("", "\\end{lrnndeeper}\n", format="latex"))
        else:
            note = nodes.paragraph("", NOTE, classes=["lrnn-deeper-note"])
            section.insert(section.index(title) + 1, note)


def setup(app):
    """Load this module alone (the book loads it through :mod:`lrnn_site`)."""
    app.connect("doctree-resolved", mark)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
