"""Write the sources of the student edition: every exercise kept, every solution removed.

Usage (``make student`` and ``make student-pdf`` run this, then build from the copy)::

    PYTHONPATH=book python -m _tools.student_edition book _build/student-src \\
        [--pdf _build/student/_build/latex/rnn-first-principles-student.pdf]

The copy keeps the repository's layout, so it builds exactly like the book itself::

    _build/student-src/_config.yml   the book's configuration, retitled for the student edition
    _build/student-src/_toc.yml      the same table of contents
    _build/student-src/book/         the sources (with _tools), solutions removed

A solution is everything between a ```{solution-start} fence and its ```{solution-end}
fence, Markdown and code cells alike (:func:`_tools.notebooks.solution_parts`); text before
the start fence and after the end fence of the same Markdown cell stays, so the exercise
statements stay. The notebooks a student downloads from the edition's site are these
copies, so they carry no solution either. After each exercise whose statement names a
self-check (``lrnn.exercises.check_*``), the copy adds a code cell where the student's
answer goes, with the call of that self-check ready to run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from pathlib import Path

import nbformat
import yaml

from . import notebooks

__all__ = ["EDITION", "self_check_cell", "strip_solutions", "write_student_sources"]

#: Added to the book's title (site header, PDF title page).
EDITION = "Student edition"


def _kept(nb_cells: list):
    """``(index, cell)`` of what stays, Markdown cells cut down to their text outside solutions."""
    kept: dict[int, list[str]] = {}
    for i, part, label in notebooks.solution_parts(nb_cells):
        if label is None:
            kept.setdefault(i, []).append(part)
    for i, cell in enumerate(nb_cells):
        if i not in kept:
            continue
        if cell["cell_type"] != "markdown":
            yield i, cell
            continue
        text = "".join(kept[i]).strip("\n")
        if text.strip():
            yield i, {**cell, "source": text + "\n"}


def strip_solutions(nb_cells: list) -> list:
    """The cells of a notebook with every solution removed (statements and other text kept)."""
    return [cell for _, cell in _kept(nb_cells)]


def self_check_cell(exercise: notebooks.Exercise) -> nbformat.NotebookNode:
    """A code cell for the student's answer, with the exercise's self-check ready to uncomment."""
    calls = []
    for name in exercise.self_checks:
        # the call as the statement writes it, by the name lrnn.exercises re-exports
        stated = re.search(rf"`lrnn\.exercises\.(?:[a-z_]+\.)?({name}\([^`]*\))`", exercise.statement)
        calls.append(f"# print(lrnn.exercises.{stated.group(1) if stated else f'{name}(your_function)'})")
    title = re.sub(r"\s*\(coding\)", "", exercise.title)
    source = "\n".join([f"# {title}: your answer here. Then run the self-check (remove the '# '):", *calls])
    cell = nbformat.v4.new_code_cell(source)
    cell.id = f"self-check-{exercise.label}"[:64]
    return cell


def _student_notebook(path: Path) -> nbformat.NotebookNode:
    nb = notebooks.read(path)
    checks = {ex.cell: ex for ex in notebooks.exercises(path) if ex.self_checks}
    cells = []
    for i, cell in _kept(nb.cells):
        cells.append(nbformat.from_dict(cell))
        if i in checks:
            cells.append(self_check_cell(checks[i]))
    nb.cells = cells
    return nb


def _student_config(config: Path, book: Path, pdf: Path | None) -> str:
    cfg = yaml.safe_load(config.read_text(encoding="utf-8"))
    cfg["title"] = f"{cfg['title']}: {EDITION}"
    docs = cfg.setdefault("latex", {}).setdefault("latex_documents", {})
    docs["targetname"] = Path(docs.get("targetname", "book.tex")).stem + "-student.tex"
    sphinx_config = cfg.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["lrnn_pdf"] = os.path.relpath(pdf.resolve(), book.resolve()) if pdf else ""
    return yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True)


def write_student_sources(book: Path, dst: Path, *, pdf: Path | None = None) -> int:
    """Write the student edition's sources from ``book`` (and its ``../_config.yml``, ``../_toc.yml``).

    Parameters
    ----------
    book : pathlib.Path
        The book's sources; the configuration and the table of contents lie one level up.
    dst : pathlib.Path
        Folder to (re)create, laid out like the repository (``_config.yml``, ``_toc.yml``, ``book/``).
    pdf : pathlib.Path, optional
        Where the student PDF will be: the student site's download menu offers it if it exists.

    Returns
    -------
    int
        The number of notebooks written.
    """
    book, dst = Path(book).resolve(), Path(dst)
    config, toc = book.parent / "_config.yml", book.parent / "_toc.yml"
    for needed in (book, config, toc):
        if not needed.exists():
            raise FileNotFoundError(
                f"{needed} not found: the book's sources need _config.yml and _toc.yml beside them."
            )
    if dst.exists():
        shutil.rmtree(dst)
    ignore = shutil.ignore_patterns("_build", ".ipynb_checkpoints", "__pycache__")
    shutil.copytree(book, dst / "book", ignore=ignore)
    shutil.copyfile(toc, dst / "_toc.yml")
    (dst / "_config.yml").write_text(_student_config(config, dst / "book", pdf), encoding="utf-8")
    count = 0
    for nb_path in sorted((dst / "book").glob("*.ipynb")):
        nbformat.write(_student_notebook(book / nb_path.name), str(nb_path))
        count += 1
    return count


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("book", type=Path, help="the book's sources (book/)")
    parser.add_argument("dst", type=Path, help="folder for the student edition's sources")
    parser.add_argument("--pdf", type=Path, default=None, help="where the student PDF is built")
    args = parser.parse_args(argv)
    n = write_student_sources(args.book, args.dst, pdf=args.pdf)
    print(f"student edition: {n} notebooks written to {args.dst / 'book'} without solutions")


if __name__ == "__main__":
    main()
