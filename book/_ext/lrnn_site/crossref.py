"""Plain-text cross-references become links at build time.

Conventions (the chapters need no markup for these):

* **Equations.** Every displayed equation that carries ``\\tag{N}`` (or ``\\tag{N-M}``) is a
  target for the paper's equations N (to M). A mention such as "Eq. 30", "Eqs. 25-29" or
  "Eqs. 82 and 84" in prose links to the displayed equation: on the same page if it shows
  that number, else on the first chapter (in reading order) that shows it, else on the
  equation appendix (``lrnn_equation_appendix``), which displays every equation the book
  cites. A displayed equation without an id gets ``paper-eq-N``.
* **Errata and pitfalls.** "P3" (or "P12-P14") links to, in this order: the label
  ``erratum-p3`` (``(erratum-p3)=`` in MyST), any element with id ``p3``, or the row of a
  table on the errata page (``lrnn_errata_page``) whose first cell reads ``P3`` (the row
  gets the id ``p3``).

Mentions inside code, math, headings and existing links stay as they are.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes

TAG = re.compile(r"\\tag\*?\{\s*(\d{1,3})(?:\s*[-–]\s*(\d{1,3}))?\s*\}")
#: "Eq. 30", "Eqs. 25-29", "Eqs. 82 and 84", "Eqs. 109-111, 121-122"
EQ = re.compile(
    r"\b(Eqs?\.)([ \u00a0]?)(\d{1,3}(?:\s*[-–]\s*\d{1,3})?)"
    r"((?:(?:,\s*|,?\s+and\s+|,?\s+or\s+)\d{1,3}(?:\s*[-–]\s*\d{1,3})?(?![\d.]\d))*)"
)
NUMBER = re.compile(r"\d{1,3}(?:\s*[-–]\s*\d{1,3})?")
PITFALL = re.compile(r"(?<![\w$\\])P(\d{1,2})(?:(\s*[-–]\s*)P(\d{1,2}))?(?![\w])")
SKIP = (
    nodes.reference,
    nodes.literal,
    nodes.literal_block,
    nodes.math,
    nodes.math_block,
    nodes.rubric,
    nodes.raw,
    nodes.comment,
    nodes.target,
    nodes.FixedTextElement,
    addnodes.pending_xref,
    addnodes.desc_signature,
    addnodes.toctree,
)


def _first(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))


def _tag_numbers(tex: str) -> list[int]:
    out = []
    for a, b in TAG.findall(tex):
        lo = int(a)
        hi = int(b) if b else lo
        out += list(range(lo, hi + 1)) if 0 <= hi - lo <= 40 else [lo]
    return out


# -- reading: collect targets --------------------------------------------------------------------


def collect(app, doctree):
    """``doctree-read``: record this page's equation tags, ``p<n>`` ids and errata rows."""
    env = app.env
    docname = env.docname
    eqs, pids = [], {}
    previous = None
    for block in doctree.findall(nodes.math_block):
        numbers = _tag_numbers(block.astext())
        if not numbers:
            previous = block
            continue
        if not block["ids"]:
            new, k = f"paper-eq-{numbers[0]}", 1
            while new in doctree.ids:
                new, k = f"paper-eq-{numbers[0]}-{k}", k + 1
            block["ids"].append(new)
            doctree.ids[new] = block
        # A display that opens with "=" continues the one above, which holds its left-hand
        # side: a link to its numbers lands there, so the reader sees the whole equation.
        head = previous if previous is not None and block.astext().lstrip().startswith("=") else block
        if head is not block and not head["ids"]:
            head["ids"].append(f"{block['ids'][0]}-lhs")
            doctree.ids[head["ids"][0]] = head
        eqs += [(n, head["ids"][0]) for n in numbers]
        previous = block
    for node in doctree.findall(nodes.Element):
        for i in node.get("ids", []):
            m = re.fullmatch(r"p(\d{1,2})", i)
            if m:
                pids.setdefault(int(m.group(1)), i)
    if docname == app.config.lrnn_errata_page:
        for row in doctree.findall(nodes.row):
            first = row.children[0].astext().strip() if row.children else ""
            m = re.fullmatch(r"P(\d{1,2})", first)
            if m and int(m.group(1)) not in pids:
                rid = f"p{m.group(1)}"
                if rid in doctree.ids:
                    continue
                row["ids"].append(rid)
                doctree.ids[rid] = row
                pids[int(m.group(1))] = rid
                row.children[0]["classes"].append("lrnn-xref-target")
    env.lrnn_eqs = getattr(env, "lrnn_eqs", {})
    env.lrnn_pids = getattr(env, "lrnn_pids", {})
    env.lrnn_eqs[docname] = eqs
    env.lrnn_pids[docname] = pids


def purge(app, env, docname):
    for attr in ("lrnn_eqs", "lrnn_pids"):
        getattr(env, attr, {}).pop(docname, None)


def merge(app, env, docnames, other):
    for attr in ("lrnn_eqs", "lrnn_pids"):
        mine = getattr(env, attr, {})
        mine.update({d: v for d, v in getattr(other, attr, {}).items() if d in docnames})
        setattr(env, attr, mine)


# -- writing: turn mentions into links -----------------------------------------------------------


def reading_order(env) -> list[str]:
    """Documents in the order of the table of contents (then any others)."""
    order, seen = [], set()

    def walk(doc):
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return order + sorted(set(env.all_docs) - seen)


def _equation_targets(app, docname):
    env = app.env
    appendix = app.config.lrnn_equation_appendix
    order = reading_order(env)
    chapters = [d for d in order if d != appendix]
    table: dict[int, tuple[str, str]] = {}
    for doc in [*chapters, appendix]:
        for n, i in getattr(env, "lrnn_eqs", {}).get(doc, []):
            table.setdefault(n, (doc, i))
    for n, i in getattr(env, "lrnn_eqs", {}).get(docname, []):
        table[n] = (docname, i)  # the same page wins
    return table


def _pitfall_targets(app):
    env = app.env
    table = {}
    std = env.get_domain("std")
    for n in range(1, 100):
        hit = std.labels.get(f"erratum-p{n}")
        if hit and hit[0]:
            table[n] = (hit[0], hit[1])
    for doc in reading_order(env):
        for n, i in getattr(env, "lrnn_pids", {}).get(doc, {}).items():
            table.setdefault(n, (doc, i))
    return table


def _link(app, fromdoc, target, text, title=""):
    doc, anchor = target
    uri = "#" + anchor if doc == fromdoc else app.builder.get_relative_uri(fromdoc, doc) + "#" + anchor
    ref = nodes.reference("", "", nodes.Text(text), internal=True, refuri=uri, classes=["lrnn-xref"])
    if title:
        ref["reftitle"] = title
    return ref


def _skipped(node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, SKIP) or "lrnn-xref-target" in parent.get("classes", []):
            return True
        if isinstance(parent, nodes.title) and isinstance(parent.parent, (nodes.section, nodes.document, nodes.table)):
            return True  # a heading: its text is also the contents entry, where a link cannot nest
        parent = parent.parent
    return False


def _split_equations(app, docname, text, table):
    """Nodes for ``text`` with every equation mention that has a target turned into a link."""
    out, pos, changed = [], 0, False
    for m in EQ.finditer(text):
        head, space, first, rest = m.groups()
        n0 = _first(first)
        if n0 not in table:
            continue
        out.append(nodes.Text(text[pos : m.start()]))
        out.append(_link(app, docname, table[n0], f"{head}{space}{first}", f"Eq. {n0}"))
        tail = m.end(3)
        for k in NUMBER.finditer(rest):
            n = _first(k.group(0))
            start = m.start(4) + k.start()
            out.append(nodes.Text(text[tail:start]))
            if n in table:
                out.append(_link(app, docname, table[n], k.group(0), f"Eq. {n}"))
            else:
                out.append(nodes.Text(k.group(0)))
            tail = m.start(4) + k.end()
        out.append(nodes.Text(text[tail : m.end()]))
        pos, changed = m.end(), True
    out.append(nodes.Text(text[pos:]))
    return out if changed else None


def _split_pitfalls(app, docname, text, table):
    out, pos, changed = [], 0, False
    for m in PITFALL.finditer(text):
        a, dash, b = m.groups()
        if int(a) not in table:
            continue
        out.append(nodes.Text(text[pos : m.start()]))
        out.append(_link(app, docname, table[int(a)], f"P{a}", f"erratum/pitfall P{a}"))
        if b:
            out.append(nodes.Text(dash))
            out.append(
                _link(app, docname, table[int(b)], f"P{b}", f"erratum/pitfall P{b}")
                if int(b) in table
                else nodes.Text(f"P{b}")
            )
        pos, changed = m.end(), True
    out.append(nodes.Text(text[pos:]))
    return out if changed else None


def link_mentions(app, doctree, docname):
    """``doctree-resolved``: link every plain "Eq. N" and "P<n>" mention (HTML builders only)."""
    if app.builder.format != "html":
        return
    eq_table = _equation_targets(app, docname)
    p_table = _pitfall_targets(app)
    for text in list(doctree.findall(nodes.Text)):
        if not text.parent or _skipped(text):
            continue
        src = text.astext()
        if "Eq" not in src and "P" not in src:
            continue
        pieces = _split_equations(app, docname, src, eq_table) or [nodes.Text(src)]
        final = []
        for piece in pieces:
            if isinstance(piece, nodes.Text):
                final += _split_pitfalls(app, docname, piece.astext(), p_table) or [piece]
            else:
                final.append(piece)
        if len(final) > 1:
            text.parent.replace(text, final)
