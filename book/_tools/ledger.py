"""The equation ledger: where each of the paper's equations lives in code, chapters and tests.

Not a paper concept: it makes the book traceable. Every equation line in :mod:`lrnn`
carries a tag such as ``# Eq. 134`` or ``(Eqs. 126-136)``; every displayed equation in
a chapter carries ``\\tag{134}``; tests name the functions they exercise. This module
reads those tags back, so the appendix can show, for every equation number, the paper
section, the implementing functions, the chapters that display it and the test files
that exercise those functions, and can assert coverage.

Where it looks. The chapters are the notebooks beside this tooling (:data:`notebooks.BOOK`:
``book/``, or the student edition's copy of it); the code is the ``lrnn`` package that the
chapters import, and the tests are the ``tests/`` folder of the repository that holds it.
Every function takes these folders as arguments too.

Example
-------
>>> rows = {row.eq: row for row in ledger()}
>>> "lrnn.rnn.rnn_forward" in rows[32].code
True
"""

from __future__ import annotations

import ast
import html
import importlib
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import notebooks

__all__ = [
    "SECTIONS",
    "LedgerRow",
    "LedgerTable",
    "code_tags",
    "chapter_tags",
    "exercising_tests",
    "ledger",
    "package_dir",
    "section_of",
    "GRU_SOURCES",
    "GRULedgerRow",
    "GRULedgerTable",
    "gru_ledger",
    "SSM_SOURCES",
    "ssm_ledger",
    "ATTENTION_SOURCES",
    "attention_ledger",
]

#: Paper sections (arXiv v9) and their equation ranges.
SECTIONS = (
    ("II", "The Roots of RNN", 1, 33),
    ("III", "RNN Unfolding/Unrolling", 34, 77),
    ("IV", "RNN Training Difficulties", 78, 93),
    ("V", "From RNN to Vanilla LSTM", 94, 117),
    ("VI", "The Vanilla LSTM in Detail", 118, 182),
    ("VII", "Extensions: the Augmented LSTM", 183, 250),
)

_EQ = re.compile(r"Eqs?\.\s*(\d{1,3})(?:\s*(?:-|–|to)\s*(\d{1,3}))?")
_TAG = re.compile(r"\\tag\{(\d{1,3})(?:\s*[-–]\s*(\d{1,3}))?\}")


def package_dir() -> Path:
    """The folder of the ``lrnn`` package the book runs against (found without importing it)."""
    spec = importlib.util.find_spec("lrnn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "lrnn is not importable: run `make env` (pip install -e .) first."
        )
    return Path(spec.submodule_search_locations[0]).resolve()


def section_of(eq: int) -> str:
    """The paper section (Roman numeral) holding equation ``eq``.

    Examples
    --------
    >>> section_of(30), section_of(222)
    ('II', 'VII')
    """
    for sec, _, lo, hi in SECTIONS:
        if lo <= eq <= hi:
            return sec
    raise ValueError(f"eq = {eq} is outside the paper's equations 1-250.")


def _numbers(text: str, pattern: re.Pattern, last: int = 250) -> set[int]:
    """The equation numbers (1 to ``last``) that ``pattern`` finds in ``text``, ranges expanded."""
    out = set()
    for m in pattern.finditer(text):
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if 1 <= lo <= hi <= last and hi - lo <= 40:
            out.update(range(lo, hi + 1))
    return out


def _scopes(tree: ast.AST, module: str):
    """(first line, last line, qualified name) of every function and class, innermost last."""
    spans = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(
                child, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef
            ):
                name = f"{prefix}.{child.name}"
                spans.append((child.lineno, child.end_lineno, name))
                visit(child, name)

    visit(tree, module)
    return spans


#: Modules that cite equations without implementing them (figures, explorers, checks, worked examples, this file).
_NOT_IMPLEMENTATIONS = (
    "lrnn.viz",
    "lrnn.widgets",
    "lrnn.exercises",
    "lrnn.interop",
    "lrnn.gate_example",
)


def _owned_lines(package: Path, symbolic: bool = False):
    """``(owner, line)`` for every line of ``lrnn``'s implementations inside a top-level function or class.

    ``owner`` is its qualified name (``lrnn.lru.lru_forward``); lines outside any (module
    docstrings, imports) are skipped, and so are the modules of :data:`_NOT_IMPLEMENTATIONS`.
    ``symbolic=True`` reads the SymPy modules (``lrnn.symbolic*``) instead of the numpy ones.
    """
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        if (
            module.startswith(_NOT_IMPLEMENTATIONS)
            or module.startswith("lrnn.symbolic") != symbolic
        ):
            continue
        source = path.read_text(encoding="utf-8")
        spans = [
            s
            for s in _scopes(ast.parse(source), module)
            if s[2].count(".") == module.count(".") + 1
        ]
        for lineno, line in enumerate(source.splitlines(), start=1):
            owner = next(
                (name for lo, hi, name in spans if lo <= lineno <= hi), None
            )
            if owner is not None:
                yield owner, line


def _folders(book_dir, tests_dir, package) -> tuple[Path, Path, Path]:
    """The ledgers' folders, defaults filled in: the book, the tests beside the package, the package."""
    package = Path(package) if package else package_dir()
    book_dir = Path(book_dir) if book_dir else notebooks.BOOK
    tests_dir = Path(tests_dir) if tests_dir else package.parent / "tests"
    return book_dir, tests_dir, package


def code_tags(
    package: Path | None = None,
    *,
    symbolic: bool = False,
    pattern: re.Pattern = _EQ,
    last: int = 250,
    comments_only: bool = False,
) -> dict[int, set[str]]:
    """Equation number -> top-level functions/classes of ``lrnn`` whose body cites it.

    Only citations inside a function or class count (module docstrings summarise).
    ``symbolic=True`` reads the SymPy modules (``lrnn.symbolic*``) instead of the numpy ones.
    ``package`` is the package folder (default: :func:`package_dir`). ``pattern`` and ``last``
    say which numbers count (the paper's 1-250 by default; the GRU's ledger reads ``Eq. G..``
    tags), and ``comments_only`` reads only the ``# Eq. N`` comments on the computing lines.
    """
    package = Path(package) if package else package_dir()
    found: dict[int, set[str]] = {}
    for owner, line in _owned_lines(package, symbolic):
        for eq in _numbers(
            line.partition("#")[2] if comments_only else line, pattern, last
        ):
            found.setdefault(eq, set()).add(owner)
    return found


def chapter_tags(
    book_dir: Path, pattern: re.Pattern = _TAG, last: int = 250
) -> dict[int, set[str]]:
    """Equation number -> chapter notebooks (stems) that display it with ``\\tag{...}``."""
    found: dict[int, set[str]] = {}
    for nb in sorted(Path(book_dir).glob("*.ipynb")):
        for eq in _numbers(notebooks.markdown(nb), pattern, last):
            found.setdefault(eq, set()).add(nb.stem)
    return found


def exercising_tests(
    tests_dir: Path, names: set[str]
) -> dict[str, set[str]]:
    """Qualified name -> test files that mention its last component (a function or class name)."""
    texts = {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(Path(tests_dir).glob("test_*.py"))
    }
    out = {}
    for name in names:
        short = name.rsplit(".", 1)[-1]
        if short.startswith("_"):
            continue
        pat = re.compile(rf"\b{re.escape(short)}\b")
        out[name] = {f for f, t in texts.items() if pat.search(t)}
    return out


@dataclass(frozen=True)
class LedgerRow:
    """One equation: its section, implementing code, displaying chapters, exercising tests."""

    eq: int
    section: str
    code: tuple = ()
    symbolic: tuple = ()
    chapters: tuple = ()
    tests: tuple = field(default=())


def ledger(
    book_dir: Path | None = None,
    tests_dir: Path | None = None,
    package: Path | None = None,
) -> list[LedgerRow]:
    """The full ledger for equations 1-250 (rows for equations cited nowhere are included, empty).

    Parameters
    ----------
    book_dir : pathlib.Path, optional
        The chapters; default :data:`notebooks.BOOK`, the sources beside this tooling.
    tests_dir : pathlib.Path, optional
        The test suite; default ``tests/`` beside the package folder (the repository's).
    package : pathlib.Path, optional
        The ``lrnn`` package folder; default :func:`package_dir`.
    """
    book_dir, tests_dir, package = _folders(book_dir, tests_dir, package)
    code = code_tags(package)
    sym = code_tags(package, symbolic=True)
    chapters = chapter_tags(book_dir) if book_dir.is_dir() else {}
    names = set().union(*code.values(), *sym.values())
    uses = exercising_tests(tests_dir, names) if tests_dir.is_dir() else {}
    rows = []
    for eq in range(1, 251):
        impl = tuple(sorted(code.get(eq, ())))
        owners = impl + tuple(sym.get(eq, ()))
        tests = sorted(set().union(*(uses.get(n, set()) for n in owners)))
        rows.append(
            LedgerRow(
                eq,
                section_of(eq),
                impl,
                tuple(sorted(sym.get(eq, ()))),
                tuple(sorted(chapters.get(eq, ()))),
                tuple(tests),
            )
        )
    return rows


class LedgerTable:
    """The ledger as a table per paper section, for a notebook to display.

    The website shows the HTML; the PDF edition, which cannot show HTML, the Markdown
    (so a notebook output of this object reads the same in both).
    """

    # (which tests exercise the code is checked in tests/test_tools_ledger.py, not printed)
    HEAD = ("Eq.", "numpy", "SymPy", "chapters")

    def __init__(self, rows: list[LedgerRow]):
        self.rows = {r.eq: r for r in rows}

    def _sections(self):
        for sec, name, lo, hi in SECTIONS:
            rows = [
                self.rows[e] for e in range(lo, hi + 1) if e in self.rows
            ]
            yield f"Section {sec}: {name} (Eqs. {lo}-{hi})", rows

    @staticmethod
    def _cells(r: LedgerRow):
        return (r.code, r.symbolic, r.chapters)

    def _repr_html_(self) -> str:
        def cell(items):
            return (
                "<br>".join(f"<code>{html.escape(i)}</code>" for i in items)
                or "&ndash;"
            )

        out = []
        for heading, rows in self._sections():
            out.append(f"<h3>{html.escape(heading)}</h3>")
            out.append(
                '<table class="table"><thead><tr>'
                + "".join(f"<th>{h}</th>" for h in self.HEAD)
                + "</tr></thead><tbody>"
            )
            for r in rows:
                out.append(
                    f"<tr><td>{r.eq}</td>"
                    + "".join(f"<td>{cell(c)}</td>" for c in self._cells(r))
                    + "</tr>"
                )
            out.append("</tbody></table>")
        return "\n".join(out)

    def _repr_markdown_(self) -> str:
        """For print: one item per run of consecutive equations that share code and chapters.

        A five-column table of long names does not fit a printed page; a list wraps.
        """
        out = []
        for heading, rows in self._sections():
            out += [f"**{heading}**", ""]
            runs: list[list[LedgerRow]] = []
            for r in rows:
                if (
                    runs
                    and self._cells(runs[-1][-1]) == self._cells(r)
                    and runs[-1][-1].eq + 1 == r.eq
                ):
                    runs[-1].append(r)
                else:
                    runs.append([r])
            for run in runs:
                eqs = (
                    f"Eq. {run[0].eq}"
                    if len(run) == 1
                    else f"Eqs. {run[0].eq}-{run[-1].eq}"
                )
                parts = [
                    f"{name}: "
                    + ", ".join(
                        f"`{i}`" if name in ("numpy", "SymPy") else i
                        for i in items
                    )
                    for name, items in zip(
                        self.HEAD[1:], self._cells(run[0])
                    )
                    if items
                ]
                out.append(
                    f"- **{eqs}.** "
                    + ("; ".join(parts) if parts else "no code or chapter")
                    + "."
                )
            out.append("")
        return "\n".join(out)

    def __repr__(self) -> str:
        return f"LedgerTable({len(self.rows)} equations)"


# The GRU's equations (Chapter 7) -----------------------------------------------------------------
# Not the paper's: they are numbered G1-G19 in lrnn.gru and lrnn.gru_bptt and displayed with
# \tag{G1} ... in Chapter 7, so they get their own rows and their own source column.

_GEQ = re.compile(r"Eqs?\.\s*G(\d{1,2})(?:\s*(?:-|–|to)\s*G?(\d{1,2}))?")
_GTAG = re.compile(r"\\tag\{G(\d{1,2})(?:\s*[-–]\s*G?(\d{1,2}))?\}")

#: Where each GRU equation comes from.
GRU_SOURCES = (
    (
        1,
        4,
        "Chung et al. (2014), Sec. 'Gated Recurrent Unit' (Cho et al. 2014): the GRU, reset before the product",
    ),
    (
        5,
        8,
        "PyTorch documentation, torch.nn.GRU: z keeps the old state, reset after the product",
    ),
    (9, 13, "derived in lrnn.gru_bptt: BPTT through Eqs. G1-G4"),
    (14, 19, "derived in lrnn.gru_bptt: BPTT through Eqs. G5-G8"),
)


@dataclass(frozen=True)
class GRULedgerRow:
    """One GRU equation: its source, implementing code, SymPy check, displaying chapters, exercising tests."""

    eq: str
    source: str
    code: tuple = ()
    symbolic: tuple = ()
    chapters: tuple = ()
    tests: tuple = ()


def _public(name: str) -> set[str]:
    """``name`` itself, or for a private helper the public entry points of its module (its ``__all__``)."""
    module, _, short = name.rpartition(".")
    if not short.startswith("_"):
        return {name}
    return {
        f"{module}.{n}"
        for n in getattr(importlib.import_module(module), "__all__", ())
    }


def gru_ledger(
    book_dir: Path | None = None,
    tests_dir: Path | None = None,
    package: Path | None = None,
) -> list[GRULedgerRow]:
    """The ledger of the GRU's Eqs. G1-G19: source, code, SymPy check, chapters, tests.

    Examples
    --------
    >>> rows = {row.eq: row for row in gru_ledger()}
    >>> "lrnn.gru_bptt.gru_bptt_signals" in rows["G9"].code, rows["G5"].source.startswith("PyTorch")
    (True, True)
    """
    book_dir, tests_dir, package = _folders(book_dir, tests_dir, package)
    # the line that computes a GRU equation carries "# Eq. G.."
    code, sym = (
        code_tags(
            package, symbolic=s, pattern=_GEQ, last=19, comments_only=True
        )
        for s in (False, True)
    )
    chapters = chapter_tags(book_dir, _GTAG, last=19)
    uses = _tested_by(tests_dir, code, sym)
    return _numbered_rows("G", GRU_SOURCES, code, sym, chapters, uses)


def _numbered_rows(prefix, sources, code, sym, chapters, uses) -> list[GRULedgerRow]:
    """One row per equation ``prefix + number`` of ``sources`` (``(first, last, source)`` ranges)."""
    return [
        _row(f"{prefix}{eq}", source, code, sym, chapters, uses, key=eq)
        for lo, hi, source in sources
        for eq in range(lo, hi + 1)
    ]


def _tested_by(tests_dir: Path, *tags: dict) -> dict[str, set[str]]:
    """Public name -> the tests that exercise it, for every owner in ``tags`` (equation -> owners)."""
    owners = set().union(*(o for t in tags for o in t.values()))
    names = set().union(*(_public(n) for n in owners))
    return exercising_tests(tests_dir, names) if tests_dir.is_dir() else {}


def _row(label, source, code, sym, chapters, uses, *, key) -> GRULedgerRow:
    """One row of a ledger of tagged equations: equation ``key``'s owners in ``code`` and ``sym``, chapters, tests."""
    numpy_, sympy_ = code.get(key, set()), sym.get(key, set())
    owners = set().union(*(_public(n) for n in numpy_ | sympy_))
    tests = sorted(set().union(*(uses.get(n, set()) for n in owners)))
    return GRULedgerRow(
        label,
        source,
        tuple(sorted(numpy_)),
        tuple(sorted(sympy_)),
        tuple(sorted(chapters.get(key, ()))),
        tuple(tests),
    )


class GRULedgerTable:
    """The GRU's ledger as one table (HTML on the site) or a list (Markdown, for print).

    Examples
    --------
    >>> table = GRULedgerTable([GRULedgerRow("G1", "Chung", ("lrnn.gru.gru_step",), (), ("07_x",))])
    >>> print(table._repr_markdown_())
    - **G1.** source: Chung; numpy: `lrnn.gru.gru_step`; chapters: 07_x.
    """

    HEAD = ("Eq.", "source", "numpy", "SymPy", "chapters")

    def __init__(self, rows: list[GRULedgerRow]):
        self.rows = list(rows)

    @staticmethod
    def _cells(r: GRULedgerRow):
        return ((r.source,), r.code, r.symbolic, r.chapters)

    def _repr_html_(self) -> str:
        def cell(items):
            return (
                "<br>".join(f"<code>{html.escape(i)}</code>" for i in items)
                or "&ndash;"
            )

        head = "".join(f"<th>{h}</th>" for h in self.HEAD)
        body = [
            f"<tr><td>{r.eq}</td><td>{html.escape(r.source)}</td>"
            + "".join(f"<td>{cell(c)}</td>" for c in self._cells(r)[1:])
            + "</tr>"
            for r in self.rows
        ]
        return (
            f'<table class="table"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(body)
            + "</tbody></table>"
        )

    def _repr_markdown_(self) -> str:
        out = []
        for r in self.rows:
            parts = [
                f"{name}: "
                + ", ".join(
                    f"`{i}`" if name in ("numpy", "SymPy") else i
                    for i in items
                )
                for name, items in zip(self.HEAD[1:], self._cells(r))
                if items
            ]
            out.append(f"- **{r.eq}.** " + "; ".join(parts) + ".")
        return "\n".join(out)

    def __repr__(self) -> str:
        return f"GRULedgerTable({len(self.rows)} equations)"


# The equations of Orvieto et al. (2023) and Gu and Dao (2023), cited in the linear-recurrence chapter ----------
# Their own numbers, with a letter for the paper (O7 is Orvieto et al.'s Eq. 7, M4 is Gu and Dao's Eq. 4), in
# comments such as "# Eq. O7" or "Eqs. M2a-b and M4" and in chapter displays as \tag{O7}. Rows reuse
# GRULedgerRow and GRULedgerTable, which show any equation with its source.

#: Every equation of the two papers that the book cites: (label, source).
SSM_SOURCES = (
    (
        "O1",
        "Orvieto et al. (2023), Sec. 2.1: the RNN layer x_k = sigma(A x_{k-1} + B u_k), y_k = C x_k + D u_k",
    ),
    (
        "O3",
        "Orvieto et al. (2023), Sec. 2.1: the continuous system sampled by zero-order hold",
    ),
    (
        "O4",
        "Orvieto et al. (2023), Sec. 3.2.1: the linear recurrence unrolled, x_k = sum_j A^j B u_{k-j}",
    ),
    (
        "O7",
        "Orvieto et al. (2023), Sec. 3.4: the normalised diagonal recurrence of the LRU",
    ),
    (
        "M1a",
        "Gu and Dao (2023), Sec. 2: the continuous state equation h'(t) = A h(t) + B x(t)",
    ),
    (
        "M1b",
        "Gu and Dao (2023), Sec. 2: the continuous output y(t) = C h(t)",
    ),
    (
        "M2a",
        "Gu and Dao (2023), Sec. 2: the sampled recurrence h_t = A_bar h_{t-1} + B_bar x_t",
    ),
    ("M2b", "Gu and Dao (2023), Sec. 2: the sampled output y_t = C h_t"),
    (
        "M4",
        "Gu and Dao (2023), Sec. 2: the zero-order hold, A_bar = exp(Delta A), B_bar = ...",
    ),
    (
        "M5",
        "Gu and Dao (2023), Sec. 3.5.1, Theorem 1: selection as the gated recurrence",
    ),
)

_SSM_CITE = re.compile(
    r"Eqs?\.\s*((?:[OM]\d[ab]?(?:-[ab])?(?:,\s*|\s+and\s+)?)+)"
)
_SSM_TAG = re.compile(r"\\tag\{([OM]\d[ab]?(?:-[ab])?)\}")
_SSM_LABEL = re.compile(r"([OM])(\d)([ab]?)(?:-([ab]))?")


def _ssm_labels(text: str) -> set[str]:
    """``"M2a-b and M4"`` -> ``{"M2a", "M2b", "M4"}``."""
    out = set()
    for paper, num, first, last in _SSM_LABEL.findall(text):
        letters = (
            "ab"[ord(first) - ord("a") : ord(last) - ord("a") + 1]
            if first and last
            else first
        )
        out.update(f"{paper}{num}{x}" for x in (letters or [""]))
    return out


def ssm_ledger(
    book_dir: Path | None = None,
    tests_dir: Path | None = None,
    package: Path | None = None,
) -> list[GRULedgerRow]:
    """The ledger of the cited equations of Orvieto et al. and Gu and Dao: source, code, chapters, tests.

    Examples
    --------
    >>> rows = {row.eq: row for row in ssm_ledger()}
    >>> "lrnn.lru.lru_forward" in rows["O7"].code, "lrnn.selective.selective_forward" in rows["M4"].code
    (True, True)
    """
    book_dir, tests_dir, package = _folders(book_dir, tests_dir, package)
    code: dict[str, set[str]] = {}
    for owner, line in _owned_lines(package):
        for m in _SSM_CITE.finditer(line.partition("#")[2]):
            for eq in _ssm_labels(m.group(1)):
                code.setdefault(eq, set()).add(owner)
    chapters: dict[str, set[str]] = {}
    for nb in (
        sorted(Path(book_dir).glob("*.ipynb"))
        if Path(book_dir).is_dir()
        else ()
    ):
        for m in _SSM_TAG.finditer(notebooks.markdown(nb)):
            for eq in _ssm_labels(m.group(1)):
                chapters.setdefault(eq, set()).add(nb.stem)
    uses = _tested_by(tests_dir, code)
    return [
        _row(eq, source, code, {}, chapters, uses, key=eq)
        for eq, source in SSM_SOURCES
    ]


# Additive attention (the composing chapter) -------------------------------------------------------
# Not the paper's (Remark 1 places attention outside Proposition 1): numbered A1-A9 in lrnn.seq2seq,
# "# Eq. A1" on the computing lines; the chapter cites them in its prose ("Eqs. A1-A3").

_AEQ = re.compile(r"Eqs?\.\s*A(\d)(?:\s*(?:-|–|to)\s*A?(\d))?")

#: Where each attention equation comes from: (first, last, source).
ATTENTION_SOURCES = (
    (
        1,
        3,
        "Bahdanau et al. (2015), Sec. 3.1: the additive score, its softmax over the source steps and the "
        "context (the query is the decoder's output, as in Luong et al. 2015)",
    ),
    (4, 9, "derived in lrnn.seq2seq: the backward pass through Eqs. A1-A3"),
)


def attention_ledger(
    book_dir: Path | None = None,
    tests_dir: Path | None = None,
    package: Path | None = None,
) -> list[GRULedgerRow]:
    """The ledger of additive attention's Eqs. A1-A9: source, code, chapters that cite them, tests.

    Examples
    --------
    >>> rows = {row.eq: row for row in attention_ledger()}
    >>> "lrnn.seq2seq.AdditiveAttention" in rows["A2"].code, rows["A5"].source.startswith("derived")
    (True, True)
    """
    book_dir, tests_dir, package = _folders(book_dir, tests_dir, package)
    code = code_tags(package, pattern=_AEQ, last=9, comments_only=True)
    cited = chapter_tags(book_dir, _AEQ, last=9)
    chapters = {eq: {nb for nb in stems if nb[:2].isdigit()} for eq, stems in cited.items()}
    uses = _tested_by(tests_dir, code)
    return _numbered_rows("A", ATTENTION_SOURCES, code, {}, chapters, uses)
