"""The paper's numbering for its named results, a readable proof index, author-year labels.

* Propositions, remarks and examples (``lrnn_paper_numbered``) are numbered through the
  whole book in reading order, as the paper numbers them (Proposition 1, Remarks 1-4),
  instead of per chapter ("Proposition 2.1"), so that the text's "Proposition 1" and the
  box's title agree.
* The proof index lists each result by its number and title, grouped by kind, instead of
  by its label.
* Bibliography labels are "Author, year" / "Author and Author, year" / "Author et al.,
  year", the same form as the author-year citations in the text.
"""

from __future__ import annotations

from collections import defaultdict

from docutils import nodes


def record_titles(app, doctree):
    """``doctree-read``: remember each proof-like box's title (for the index)."""
    titles = getattr(app.env, "lrnn_proof_titles", {})
    for node in doctree.findall(nodes.Element):
        if "realtype" in node and "label" in node and node.children:
            title = node.children[0].astext().strip()
            titles[node["label"]] = title[1:-1] if title.startswith("(") and title.endswith(")") else title
    app.env.lrnn_proof_titles = titles


def renumber(app, env):
    """``env-get-updated``: number the paper's kinds of result through the book (1, 2, ...)."""
    from .crossref import reading_order

    kinds = set(app.config.lrnn_paper_numbered)
    counters: dict[str, int] = defaultdict(int)
    for doc in reading_order(env):
        numbers = env.toc_fignumbers.get(doc, {})
        for kind in sorted(kinds & set(numbers)):
            for ident, _ in sorted(numbers[kind].items(), key=lambda kv: kv[1]):
                counters[kind] += 1
                numbers[kind][ident] = (counters[kind],)
    return []


def proof_index_generate(self, docnames=None):
    """Replacement for ``sphinx_proof.domain.ProofIndex.generate``: "Proposition 1: title", by kind."""
    env = self.domain.env
    titles = getattr(env, "lrnn_proof_titles", {})
    content = defaultdict(list)
    for label, v in getattr(env, "proof_list", {}).items():
        kind = v["realtype"].title()
        number = env.toc_fignumbers.get(v["docname"], {}).get(v["countertype"], {}).get(label)
        name = f"{kind} {'.'.join(map(str, number))}" if number and not v["nonumber"] else kind
        if titles.get(label):
            name += f": {titles[label]}"
        chapter = env.titles[v["docname"]].astext() if v["docname"] in env.titles else v["docname"]
        content[kind + "s"].append((name, 0, v["docname"], label, chapter, "", ""))
    return sorted((k, sorted(v, key=lambda e: e[0])) for k, v in content.items()), False


# -- bibliography labels -------------------------------------------------------------------------


def register_author_year_style():
    """Register the pybtex style ``lrnn_author_year``: the "plain" style with author-year labels."""
    from pybtex.plugin import register_plugin
    from pybtex.richtext import Text
    from pybtex.style.formatting.plain import Style as Plain
    from pybtex.style.labels import BaseLabelStyle

    def last(person) -> str:
        return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            seen = defaultdict(int)
            labels = []
            for entry in sorted_entries:
                people = entry.persons.get("author") or entry.persons.get("editor") or []
                names = [last(p) for p in people]
                if not names:
                    who = entry.fields.get("title", entry.key)
                elif len(names) == 1:
                    who = names[0]
                elif len(names) == 2:
                    who = f"{names[0]} and {names[1]}"
                else:
                    who = f"{names[0]} et al."
                label = f"{who}, {entry.fields.get('year', 'n.d.')}"
                seen[label] += 1
                labels.append(label)
            count = defaultdict(int)
            for label in labels:
                if seen[label] > 1:  # two works of one author in one year: 2020a, 2020b
                    count[label] += 1
                    yield label + "abcdefghijklmnopqrstuvwxyz"[count[label] - 1]
                else:
                    yield label

    class AuthorYearStyle(Plain):
        default_label_style = "lrnn_author_year"
        default_sorting_style = "author_year_title"

    register_plugin("pybtex.style.labels", "lrnn_author_year", AuthorYearLabels, force=True)
    register_plugin("pybtex.style.formatting", "lrnn_author_year", AuthorYearStyle, force=True)
