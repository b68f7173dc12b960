"""Write a student edition of the book's sources: every exercise kept, every solution removed.

Usage (``make student`` does this and builds the site into ``_build/student/_build/html``)::

    python book/_tools/student_edition.py book _build/student-src

Solutions are the cells between a ```{solution-start} fence and its ```{solution-end} fence
(sphinx-exercise's gated directives). Text before the start fence and after the end fence
in the same markdown cell is kept, so the exercise statements stay. The downloadable
notebooks of the student site therefore carry no solutions either (sphinx-exercise's own
``hide_solutions`` hides them from the HTML only, and does not support gated solutions).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

START = re.compile(r"```\{solution-start\}")
END = re.compile(r"```\{solution-end\}\s*```\n?")


def _strip_text(src: str, inside: bool) -> tuple[str, bool]:
    """Remove the solution parts of one markdown cell; ``inside`` says whether a solution is open."""
    kept, pos = [], 0
    while True:
        fence = (END if inside else START).search(src, pos)
        if fence is None:
            if not inside:
                kept.append(src[pos:])
            return "".join(kept), inside
        if not inside:
            kept.append(src[pos : fence.start()])
        pos, inside = (fence.end(), False) if inside else (fence.start() + 1, True)


def strip_solutions(cells: list[dict]) -> list[dict]:
    """The cells of a notebook with every gated solution removed."""
    out, inside = [], False
    for cell in cells:
        if cell["cell_type"] == "markdown":
            text, inside = _strip_text("".join(cell["source"]), inside)
            if text.strip():
                out.append({**cell, "source": text.strip("\n") + "\n"})
        elif not inside:
            out.append(cell)
    if inside:
        raise ValueError("a {solution-start} has no matching {solution-end}")
    return out


def write_student_sources(src: Path, dst: Path) -> int:
    """Copy the book from ``src`` to ``dst`` with solutions removed; returns the number of notebooks."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints", "_student_edition.py"))
    count = 0
    for nb_path in sorted(dst.glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        nb["cells"] = strip_solutions(nb["cells"])
        nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        count += 1
    return count


if __name__ == "__main__":
    n = write_student_sources(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"student edition: {n} notebooks written to {sys.argv[2]} without solutions")
