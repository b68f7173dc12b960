"""The index: the names readers know mapped to the paper's, at the sections that define them.

Readers arrive knowing the "forget gate" and the "peephole"; the paper, and so the book, says
"control state gate" and "pinhole". :data:`TERMS` lists each common name with the paper's name
and the section where the book introduces the idea (a chapter and the start of a heading).
At build time each becomes a Sphinx index entry on that section (``doctree-read``), so that

* the general index (``genindex.html``) lists both names, each linking to the section;
* the site's search finds the section from either name and lands on it (Sphinx searches index
  entries before the full text, and links an entry to its target);

and the directive ``{paper-names}`` prints the table on the index page
(``book/appendix_index.md``). A section named here that no longer exists fails the build with a
warning naming the entry (the -W build of ``make test``).
"""

from __future__ import annotations

from dataclasses import dataclass

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Term:
    common: str  #: the name readers know ("forget gate")
    paper: str  #: the paper's name ("control state gate g_cs"), plain text for the index
    doc: str  #: the chapter that introduces it
    heading: str  #: the start of the heading of that section
    tex: str = ""  #: the paper's symbol, for the table on the index page


TERMS: tuple[Term, ...] = (
    Term("forget gate", "control state gate", "04_rnn_to_lstm", "Step 2: two gates", r"\vec g_{cs}"),
    Term("forget gate", "control state gate", "04_rnn_to_lstm", "Why the forget gate came later", r"\vec g_{cs}"),
    Term("input gate", "control update gate", "04_rnn_to_lstm", "Step 2: two gates", r"\vec g_{cu}"),
    Term("output gate", "control readout gate", "04_rnn_to_lstm", "Step 4: the readout gate", r"\vec g_{cr}"),
    Term("external input gate", "control input gate", "06_augmented_lstm", "The control input gate", r"\vec g_{cx}"),
    Term("cell state", "state signal", "04_rnn_to_lstm", "Step 1: a state part", r"\vec s[n]"),
    Term("hidden state", "value signal", "04_rnn_to_lstm", "Step 4: the readout gate", r"\vec v[n]"),
    Term("candidate", "data update", "04_rnn_to_lstm", "Step 6: bound the update", r"\vec u[n]"),
    Term(
        "peephole",
        "pinhole connections",
        "05_vanilla_lstm",
        "The fifteen parameter entities",
        r"W_{s_{cu}}, W_{s_{cs}}, W_{s_{cr}}",
    ),
    Term("CEC", "Example 2, the constant error carousel", "04_rnn_to_lstm", "Example 2: the Constant Error Carousel"),
    Term("constant error carousel", "Example 2", "04_rnn_to_lstm", "Example 2: the Constant Error Carousel"),
    Term("carousel", "the state gate's error path", "05_vanilla_lstm", "Error-gradient sequences"),
    Term("BPTT", "backpropagation through time", "03_training_rnn", "Backpropagation through time"),
    Term("truncated BPTT", "unrolling, truncation", "02_unrolling", "Carrying the state"),
    Term("vanishing gradient", "vanishing gradient", "03_training_rnn", "Why training is hard"),
    Term("exploding gradient", "exploding gradient", "03_training_rnn", "Saturation does not stop the explosion"),
    Term("gradient clipping", "renormalized derivatives (footnote 20)", "03_training_rnn", "Clipping"),
    Term("Lyapunov exponent", "Lyapunov exponent", "03_training_rnn", "The Lyapunov exponent decides"),
    Term("sigmoid", "control warping function", "04_rnn_to_lstm", "Step 7: the logistic", "G_c"),
    Term("tanh", "data warping function", "04_rnn_to_lstm", "Step 6: bound the update", "G_d"),
    Term(
        "recurrent projection layer",
        "recurrent projection layer",
        "06_augmented_lstm",
        "The recurrent projection layer",
    ),
    Term("look-ahead", "external input context windows", "06_augmented_lstm", "External input context windows"),
    Term("gated recurrent unit", "GRU", "07_learning_to_remember", "The GRU: a leaky integrator"),
    Term("update gate (GRU)", "update gate", "07_learning_to_remember", "The GRU: a leaky integrator", r"\vec g_z"),
    Term("reset gate (GRU)", "reset gate", "07_learning_to_remember", "The GRU: a leaky integrator", r"\vec g_r"),
    Term("leaky integrator", "additive model", "01_roots", "The additive model"),
    Term("stability", "eigenvalues of W_s + W_r", "01_roots", "Stability"),
    Term("piano roll", "piano roll", "08_real_music", "What a chorale is"),
    Term("nn.LSTM", "Vanilla LSTM", "05_vanilla_lstm", "The mapping to PyTorch"),
)


def _heading(section: nodes.section) -> str:
    title = section.next_node(nodes.title)
    return title.astext() if title is not None else ""


def _section(doctree, heading: str):
    for section in doctree.findall(nodes.section):
        if _heading(section).startswith(heading):
            return section
    return None


def add_entries(app, doctree):
    """``doctree-read``: an index entry for each term on its section (both names, main entries)."""
    docname = app.env.docname
    for term in TERMS:
        if term.doc != docname:
            continue
        section = _section(doctree, term.heading)
        if section is None or not section["ids"]:
            logger.warning("index term %r: no section %r in %s", term.common, term.heading, docname, location=docname)
            continue
        target = section["ids"][0]
        entries = [("single", f"{term.common}; {term.paper} (the paper's name)", target, "main", None)]
        if term.paper.lower() != term.common.lower():
            entries.append(("single", f"{term.paper}; {term.common} (common name)", target, "main", None))
        index = addnodes.index(entries=entries, inline=False)
        title = section.next_node(nodes.title)
        title.parent.insert(title.parent.index(title) + 1, index)
        # the index domain read this page's index nodes before doctree-read: tell it of these
        app.env.get_domain("index").entries.setdefault(docname, []).extend(entries)


class PaperNames(SphinxDirective):
    """The table of common names and the paper's, each row linking to its section."""

    def run(self):
        table = nodes.table(classes=["lrnn-paper-names"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (30, 40, 30):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        row = nodes.row()
        for text in ("Common name", "The paper's name", "Where the book introduces it"):
            row += nodes.entry("", nodes.paragraph(text=text))
        head += row
        body = nodes.tbody()
        group += body
        seen = set()
        for term in TERMS:
            if term.common in seen:
                continue
            seen.add(term.common)
            row = nodes.row()
            row += nodes.entry("", nodes.paragraph(text=term.common))
            paper = nodes.paragraph(text=term.paper)
            if term.tex:
                paper += [nodes.Text(" "), nodes.math(term.tex, term.tex)]
            row += nodes.entry("", paper)
            ref = addnodes.pending_xref(
                "",
                nodes.Text(term.heading),
                refdomain="std",
                reftype="lrnn-section",
                reftarget=f"{term.doc}|{term.heading}",
                refdoc=self.env.docname,
                refexplicit=True,
            )
            row += nodes.entry("", nodes.paragraph("", "", ref))
            body += row
        return [table]


def resolve_section(app, env, node, contnode):
    """``missing-reference`` for the table's links: the section of a chapter by its heading."""
    if node.get("reftype") != "lrnn-section":
        return None
    doc, heading = node["reftarget"].split("|", 1)
    if doc not in env.all_docs:
        return None
    doctree = env.get_doctree(doc)
    section = _section(doctree, heading)
    if section is None or not section["ids"]:
        return None
    title = env.titles.get(doc)
    chapter = title.astext() if title is not None else doc
    text = nodes.Text(f"{chapter} › {_heading(section)}")
    return make_refnode(app.builder, node["refdoc"], doc, section["ids"][0], text)


def setup(app):
    app.add_directive("paper-names", PaperNames)
    app.connect("doctree-read", add_entries)
    app.connect("missing-reference", resolve_section)
