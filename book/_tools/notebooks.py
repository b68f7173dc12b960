"""Reading the book's notebooks: one parser for the tooling, the course pages and the tests.

Everything that looks inside a chapter goes through this module: its cells and Markdown
text, its title and learning objectives, its exercises and their solutions, and the
table of contents that says which notebooks are the chapters.

Layout. The sources live in a folder (``book/``, or the copy that the student edition
writes); the table of contents ``_toc.yml`` lies one level up, beside ``_config.yml``,
as in the repository. :data:`BOOK` and :data:`TOC` are that folder and that file for
*this* copy of the tooling, so a copy of the sources with its ``_tools`` folder reads
itself, not the repository it was made from.

Exercises and solutions are sphinx-exercise's directives: an ```` ```{exercise} Title ````
fence with a ``:label:`` option holds the statement; the cells between a
```` ```{solution-start} label ```` fence and the next ```` ```{solution-end} ```` fence
(Markdown and code alike) are its solution.

Example
-------
>>> [p.stem for p in chapters()][:2]
['01_roots', '02_unrolling']
>>> ex = exercises(BOOK / "03_training_rnn.ipynb")[0]
>>> ex.label, ex.self_checks, "check_rnn_backward" in ex.solution
('ex-training-backward', ('check_rnn_backward',), True)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

__all__ = [
    "BOOK",
    "TOC",
    "Exercise",
    "Overview",
    "chapters",
    "cells",
    "exercises",
    "markdown",
    "overview",
    "read",
    "solution_parts",
    "text",
    "title",
    "toc_files",
]

#: The folder of sources this copy of the tooling belongs to (``book/`` in the repository).
BOOK = Path(__file__).resolve().parents[1]
#: The table of contents of those sources (one level up, beside ``_config.yml``).
TOC = BOOK.parent / "_toc.yml"

SOLUTION_START = re.compile(r"```\{solution-start\}[ \t]*(\S+)")
SOLUTION_END = re.compile(r"```\{solution-end\}\s*```\n?")
_EXERCISE = re.compile(r"^```\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.S | re.M)
_OPTION = re.compile(r"^:(\w[\w-]*):[ \t]*(.*)$")
_SELF_CHECK = re.compile(r"lrnn\.exercises\.(?:[a-z_]+\.)?(check_\w+)")  # re-exported or by its submodule


# -- notebooks and cells -------------------------------------------------------------------


def read(path: str | Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` (nbformat 4; every cell's ``source`` is one string)."""
    return nbformat.read(str(path), as_version=4)


def keeps_outputs(path: str | Path) -> bool:
    """True for a page committed with its outputs, which the site shows instead of running it.

    Such a page sets ``"mystnb": {"execution_mode": "off"}`` in its metadata: the PyTorch page,
    executed where torch is installed (``tests/test_torch_page.py`` re-runs it there and compares).
    """
    return read(path).metadata.get("mystnb", {}).get("execution_mode") == "off"


def cells(path: str | Path, kind: str | None = None) -> list[nbformat.NotebookNode]:
    """The cells of a notebook, in order; ``kind`` keeps one type (``"markdown"``, ``"code"``)."""
    return [c for c in read(path).cells if kind is None or c.cell_type == kind]


def markdown(path: str | Path) -> str:
    """The Markdown of a notebook: its Markdown cells joined by blank lines."""
    return "\n\n".join(c.source for c in cells(path, "markdown"))


def text(path: str | Path) -> str:
    """Every cell's source, Markdown and code, in order, one per line block."""
    return "\n".join(c.source for c in cells(path))


def title(path: str | Path) -> str:
    """The title: the first level-one heading of the notebook's first cell."""
    first = cells(path)[0].source
    found = re.search(r"^# (.+)$", first, re.M)
    if found is None:
        raise ValueError(f"{Path(path).name}: the first cell has no '# Title' heading; every chapter opens with one.")
    return found.group(1).strip()


@dataclass(frozen=True)
class Overview:
    """What a chapter's opening cell promises: the paper's sections and the objectives."""

    paper: str  #: the ``**Paper:**`` line, e.g. "Sec. II (Eqs. 1-33)"
    objectives: str  #: the numbered list after ``**After this chapter you can:**``


def overview(path: str | Path) -> Overview:
    """The paper reference and the learning objectives of a chapter's opening cell."""
    first = cells(path)[0].source
    paper = re.search(r"\*\*Paper:\*\*(.+)", first)
    head = "**After this chapter you can:**"
    if paper is None or head not in first:
        raise ValueError(f"{Path(path).name}: the first cell needs a '**Paper:**' line and '{head}' objectives.")
    objectives = first.split(head, 1)[1].split(":::", 1)[0].strip()
    return Overview(paper.group(1).strip(), objectives)


# -- the table of contents -----------------------------------------------------------------


def _entries(toc: Path) -> Iterator[tuple[str, bool]]:
    """(file, numbered) for every entry of a jb-book table of contents, in reading order."""
    data = yaml.safe_load(Path(toc).read_text(encoding="utf-8"))

    def walk(items, numbered):
        for item in items or ():
            if "file" in item:
                yield item["file"], numbered
            yield from walk(item.get("sections"), numbered)

    yield data["root"], False
    for part in data.get("parts", ()):
        yield from walk(part.get("chapters"), bool(part.get("numbered")))
    yield from walk(data.get("chapters"), False)


def toc_files(toc: str | Path | None = None) -> list[str]:
    """Every document of the table of contents (names without suffix), in reading order."""
    return [name for name, _ in _entries(Path(toc) if toc else TOC)]


def chapters(book: str | Path | None = None, toc: str | Path | None = None) -> list[Path]:
    """The chapter notebooks: the documents of the numbered parts of the table of contents.

    A chapter appears in the table of contents only when it is written, so this is the
    list of chapters the book has.
    """
    book = Path(book) if book else BOOK
    return [book / f"{name}.ipynb" for name, numbered in _entries(Path(toc) if toc else TOC) if numbered]


# -- exercises and solutions ---------------------------------------------------------------


def solution_parts(nb_cells) -> Iterator[tuple[int, str, str | None]]:
    """Split cells at the solution fences: ``(cell index, text, solution label or None)``.

    A Markdown cell may yield several parts (text before a ``solution-start`` fence, the
    solution, text after a ``solution-end`` fence); a code cell yields one part, which
    belongs to the solution open at that point, if any. The fences belong to their solution.
    """
    label = None
    for i, cell in enumerate(nb_cells):
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            yield i, src, label
            continue
        pos = 0
        while True:
            fence = (SOLUTION_END if label else SOLUTION_START).search(src, pos)
            if fence is None:
                yield i, src[pos:], label
                break
            if label:
                yield i, src[pos : fence.end()], label
                label, pos = None, fence.end()
            else:
                yield i, src[pos : fence.start()], None
                label, pos = fence.group(1), fence.start()
    if label:
        raise ValueError(f"the solution {label!r} has a solution-start fence and no solution-end fence")


@dataclass(frozen=True)
class Exercise:
    """One exercise of a chapter."""

    label: str  #: the ``:label:`` the exercise index links to
    title: str  #: the directive's title, e.g. "Your own BPTT (coding)"
    statement: str  #: the body of the exercise, options removed
    solution: str | None  #: every cell of its solution, joined (``None``: no solution)
    self_checks: tuple  #: the ``lrnn.exercises`` functions the statement tells the student to call
    cell: int  #: index of the Markdown cell that holds the statement


def exercises(path: str | Path) -> list[Exercise]:
    """The exercises of a notebook, in order, with their solutions."""
    nb_cells = cells(path)
    parts = list(solution_parts(nb_cells))
    solutions: dict[str, list[str]] = {}
    for _, part, label in parts:
        if label:
            solutions.setdefault(label, []).append(part)
    found = []
    for i, part, label in parts:
        if label or nb_cells[i].cell_type != "markdown":
            continue
        for m in _EXERCISE.finditer(part):
            options, body = {}, m.group("body").splitlines()
            while body and _OPTION.match(body[0]):
                key, value = _OPTION.match(body.pop(0)).groups()
                options[key] = value.strip()
            if "label" not in options:
                raise ValueError(f"{Path(path).name}: exercise {m.group('title')!r} has no :label: option.")
            statement = "\n".join(body).strip()
            lab = options["label"]
            sol = "\n".join(solutions[lab]) if lab in solutions else None
            checks = tuple(dict.fromkeys(_SELF_CHECK.findall(statement)))
            found.append(Exercise(lab, m.group("title").strip(), statement, sol, checks, i))
    return found
