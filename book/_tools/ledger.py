"""The equation ledger: where each of the paper's equations lives in code, chapters and tests.

Not a paper concept: it makes the book traceable. Every equation line in :mod:`lrnn`
carries a tag such as ``# Eq. 134`` or ``(Eqs. 126-136)``; every displayed equation in
a chapter carries ``\\tag{134}``; tests name the functions they exercise. This module
reads those tags back, so the appendix can show, for every equation number, the paper
section, the implementing functions, the chapters that display it and the test files
that exercise those functions, and can assert coverage.

Example
-------
>>> rows = {row.eq: row for row in ledger()}
>>> "lrnn.rnn.rnn_forward" in rows[32].code
True
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SECTIONS", "LedgerRow", "code_tags", "chapter_tags", "exercising_tests", "ledger", "section_of"]

#: Paper sections (arXiv v9) and their equation ranges.
SECTIONS = (
    ("II", "The Roots of RNN", 1, 33),
    ("III", "RNN Unfolding/Unrolling", 34, 77),
    ("IV", "RNN Training Difficulties", 78, 93),
    ("V", "From RNN to Vanilla LSTM", 94, 117),
    ("VI", "The Vanilla LSTM in Detail", 118, 182),
    ("VII", "Extensions: the Augmented LSTM", 183, 250),
)

_ROOT = Path(__file__).resolve().parents[2]  # the repository: book/_tools/ledger.py
_PACKAGE = _ROOT / "lrnn"
_EQ = re.compile(r"Eqs?\.\s*(\d{1,3})(?:\s*(?:-|–|to)\s*(\d{1,3}))?")
_TAG = re.compile(r"\\tag\{(\d{1,3})(?:\s*[-–]\s*(\d{1,3}))?\}")


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


def _numbers(text: str, pattern: re.Pattern) -> set[int]:
    out = set()
    for m in pattern.finditer(text):
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if 1 <= lo <= hi <= 250 and hi - lo <= 40:
            out.update(range(lo, hi + 1))
    return out


def _scopes(tree: ast.AST, module: str):
    """(first line, last line, qualified name) of every function and class, innermost last."""
    spans = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
                name = f"{prefix}.{child.name}"
                spans.append((child.lineno, child.end_lineno, name))
                visit(child, name)

    visit(tree, module)
    return spans


#: Modules that cite equations without implementing them (figures, explorers, checks, this file).
_NOT_IMPLEMENTATIONS = ("lrnn.viz", "lrnn.widgets", "lrnn.exercises", "lrnn.interop")


def code_tags(package_dir: Path = _PACKAGE, *, symbolic: bool = False) -> dict[int, set[str]]:
    """Equation number -> top-level functions/classes of ``lrnn`` whose body cites it.

    Only citations inside a function or class count (module docstrings summarise).
    ``symbolic=True`` reads the SymPy modules (``lrnn.symbolic*``) instead of the numpy ones.
    """
    found: dict[int, set[str]] = {}
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir.parent).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        if module.startswith(_NOT_IMPLEMENTATIONS) or module.startswith("lrnn.symbolic") != symbolic:
            continue
        source = path.read_text(encoding="utf-8")
        spans = [s for s in _scopes(ast.parse(source), module) if s[2].count(".") == module.count(".") + 1]
        for lineno, line in enumerate(source.splitlines(), start=1):
            owner = next((name for lo, hi, name in spans if lo <= lineno <= hi), None)
            if owner is None:
                continue
            for eq in _numbers(line, _EQ):
                found.setdefault(eq, set()).add(owner)
    return found


def chapter_tags(book_dir: Path) -> dict[int, set[str]]:
    """Equation number -> chapter notebooks (stems) that display it with ``\\tag{...}``."""
    found: dict[int, set[str]] = {}
    for nb in sorted(Path(book_dir).glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        for eq in _numbers(text, _TAG):
            found.setdefault(eq, set()).add(nb.stem)
    return found


def exercising_tests(tests_dir: Path, names: set[str]) -> dict[str, set[str]]:
    """Qualified name -> test files that mention its last component (a function or class name)."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(Path(tests_dir).glob("test_*.py"))}
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


def ledger(book_dir: Path | None = None, tests_dir: Path | None = None) -> list[LedgerRow]:
    """The full ledger for equations 1-250 (rows for equations cited nowhere are included, empty).

    Parameters
    ----------
    book_dir, tests_dir : pathlib.Path, optional
        The book's chapters and the test suite; default to the repository next to the package.
    """
    root = _ROOT
    book_dir = Path(book_dir) if book_dir else root / "book"
    tests_dir = Path(tests_dir) if tests_dir else root / "tests"
    code = code_tags()
    sym = code_tags(symbolic=True)
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


# The GRU's equations (Chapter 7) -----------------------------------------------------------------
# Not the paper's: they are numbered G1-G19 in lrnn.gru and lrnn.gru_bptt and displayed with
# \tag{G1} ... in Chapter 7, so they get their own rows and their own source column.

import importlib  # noqa: E402  (only the GRU ledger imports lrnn, to name a helper's public entry points)

_GEQ = re.compile(r"Eqs?\.\s*G(\d{1,2})(?:\s*(?:-|–|to)\s*G?(\d{1,2}))?")
_GTAG = re.compile(r"\\tag\{G(\d{1,2})(?:\s*[-–]\s*G?(\d{1,2}))?\}")

#: Where each GRU equation comes from.
GRU_SOURCES = (
    (1, 4, "Chung et al. (2014), Sec. 'Gated Recurrent Unit' (Cho et al. 2014): the GRU, reset before the product"),
    (5, 8, "PyTorch documentation, torch.nn.GRU: z keeps the old state, reset after the product"),
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


def _gru_numbers(text: str, pattern: re.Pattern) -> set[int]:
    out = set()
    for m in pattern.finditer(text):
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if 1 <= lo <= hi <= 19:
            out.update(range(lo, hi + 1))
    return out


def _gru_code_tags(symbolic: bool) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for path in sorted(_PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(_ROOT).with_suffix("").parts).removesuffix(".__init__")
        if module.startswith(_NOT_IMPLEMENTATIONS) or module.startswith("lrnn.symbolic") != symbolic:
            continue
        source = path.read_text(encoding="utf-8")
        spans = [s for s in _scopes(ast.parse(source), module) if s[2].count(".") == module.count(".") + 1]
        for lineno, line in enumerate(source.splitlines(), start=1):
            owner = next((name for lo, hi, name in spans if lo <= lineno <= hi), None)
            comment = line.partition("#")[2]  # the line that computes an equation carries "# Eq. G.."
            for eq in _gru_numbers(comment, _GEQ) if owner else ():
                found.setdefault(eq, set()).add(owner)
    return found


def _public(name: str) -> set[str]:
    """``name`` itself, or for a private helper the public entry points of its module (its ``__all__``)."""
    module, _, short = name.rpartition(".")
    if not short.startswith("_"):
        return {name}
    return {f"{module}.{n}" for n in getattr(importlib.import_module(module), "__all__", ())}


def gru_ledger(book_dir: Path | None = None, tests_dir: Path | None = None) -> list[GRULedgerRow]:
    """The ledger of the GRU's Eqs. G1-G19: source, code, SymPy check, chapters, tests.

    Examples
    --------
    >>> rows = {row.eq: row for row in gru_ledger()}
    >>> "lrnn.gru_bptt._recursion_chung" in rows["G9"].code, rows["G5"].source.startswith("PyTorch")
    (True, True)
    """
    book_dir = Path(book_dir) if book_dir else _ROOT / "book"
    tests_dir = Path(tests_dir) if tests_dir else _ROOT / "tests"
    code, sym = _gru_code_tags(symbolic=False), _gru_code_tags(symbolic=True)
    chapters: dict[int, set[str]] = {}
    for nb in sorted(book_dir.glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        for eq in _gru_numbers(text, _GTAG):
            chapters.setdefault(eq, set()).add(nb.stem)
    names = set().union(*(_public(n) for n in set().union(*code.values(), *sym.values())))
    uses = exercising_tests(tests_dir, names) if tests_dir.is_dir() else {}
    rows = []
    for lo, hi, source in GRU_SOURCES:
        for eq in range(lo, hi + 1):
            owners = set().union(*(_public(n) for n in code.get(eq, set()) | sym.get(eq, set())))
            tests = sorted(set().union(*(uses.get(n, set()) for n in owners)))
            rows.append(
                GRULedgerRow(
                    f"G{eq}",
                    source,
                    tuple(sorted(code.get(eq, ()))),
                    tuple(sorted(sym.get(eq, ()))),
                    tuple(sorted(chapters.get(eq, ()))),
                    tuple(tests),
                )
            )
    return rows
