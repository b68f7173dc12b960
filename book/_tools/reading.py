"""The first reading of a chapter: what is left when the "Deeper" material is skipped.

Not a paper concept: it measures the book. A chapter marks what a first reading can skip in
two ways, both kept in full (every cell still runs):

- a **Deeper section**, a Markdown heading whose title starts with ``Deeper:``; it runs to
  the next heading of the same or a higher level (a sub-heading inside it belongs to it);
- a **folded box**, a directive whose ``:class:`` includes ``dropdown`` (an admonition or an exercise's
  solution between ``solution-start`` and ``solution-end``).

:func:`measure` counts the words and displayed equations of the **main flow**, the Markdown
outside both; code cells are not counted. It also counts what must never be lost when
material moves: the ``assert`` statements of the code cells, the exercises, the labels
(``(name)=`` targets and ``:label:`` options) and the cross-references (``{ref}``,
``{numref}``, ``{eq}``). Run it as a script for a table of the chapters::

    python book/_tools/reading.py book/01_roots.ipynb book/02_unrolling.ipynb

Example
-------
>>> text = "Intro words here.\\n\\n## Deeper: more\\n\\nskipped words\\n\\n## Back\\n\\n$$x = 1$$\\n"
>>> flow = main_flow([text])
>>> len(words(flow)), equations(flow)
(4, 1)
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEEPER",
    "Measure",
    "main_flow",
    "words",
    "equations",
    "measure",
    "labels_in",
]

DEEPER = "Deeper:"  # a heading starting with this opens a Deeper section
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$")
_FENCE_OPEN = re.compile(
    r"^(?P<fence>:{3,}|`{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$"
)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_ENV = re.compile(r"\\begin\{(align|equation|gather|multline)\*?\}")
_LABEL = re.compile(
    r"^\((?P<name>[\w-]+)\)=[ \t]*$|^:label:[ \t]*(?P<opt>\S+)", re.M
)
_REF = re.compile(r"\{(?:ref|numref|eq|prf:ref)\}`(?:[^`<]*<)?([^`>]+)>?`")
_ASSERT = re.compile(
    r"^\s*assert\b|\bassert_\w+\(|np\.testing\.assert_\w+\(", re.M
)


def _block_end(lines: list[str], i: int, fence: str) -> int:
    """Index of the line closing the directive opened at ``lines[i]`` with ``fence`` (nesting counted)."""
    depth = 0
    for j in range(i, len(lines)):
        m = _FENCE_OPEN.match(lines[j])
        if (
            m
            and m["fence"][0] == fence[0]
            and len(m["fence"]) == len(fence)
        ):
            depth += 1
        elif lines[j].strip() == fence:
            depth -= 1
            if depth == 0:
                return j
    return len(lines) - 1


def _folded(line: str) -> bool:
    """True for a directive option ``:class: ... dropdown ...`` (folded on the site)."""
    s = line.strip()
    return s.startswith(":class:") and "dropdown" in s.split()[1:]


def main_flow(markdown_cells: list[str]) -> str:
    """The Markdown of the main flow: ``markdown_cells`` less Deeper sections and folded boxes.

    A gated solution (``solution-start`` ... ``solution-end`` with ``:class: dropdown``) may
    span several cells; its code cells are not in ``markdown_cells`` anyway.
    """
    lines = "\n\n".join(markdown_cells).splitlines()
    keep: list[str] = []
    deeper_level = None  # heading level of the open Deeper section
    in_solution = False
    i = 0
    while i < len(lines):
        line = lines[i]
        h = _HEADING.match(line)
        if h:
            level = len(h[1])
            if deeper_level is not None and level <= deeper_level:
                deeper_level = None
            if deeper_level is None and h[2].startswith(DEEPER):
                deeper_level = level
        if deeper_level is not None:
            i += 1
            continue
        m = _FENCE_OPEN.match(line)
        if m and m["name"] == "solution-start":
            end = _block_end(lines, i, m["fence"])
            in_solution = any(_folded(lines[k]) for k in range(i, end + 1))
            i = end + 1
            continue
        if m and m["name"] == "solution-end":
            in_solution = False
            i = _block_end(lines, i, m["fence"]) + 1
            continue
        if in_solution:
            i += 1
            continue
        if m:
            end = _block_end(lines, i, m["fence"])
            if any(_folded(lines[k]) for k in range(i + 1, end)):
                i = end + 1
                continue
        keep.append(line)
        i += 1
    return "\n".join(keep)


def equations(markdown: str) -> int:
    """Displayed equations: ``$$ ... $$`` blocks, and amsmath environments outside them."""
    outside = _DISPLAY.sub(" ", markdown)
    return len(_DISPLAY.findall(markdown)) + len(_ENV.findall(outside))


def words(markdown: str) -> list[str]:
    """The words of the prose: displayed mathematics, labels, fences and directive options left out."""
    text = _DISPLAY.sub(" ", markdown)
    kept = []
    for line in text.splitlines():
        s = line.strip()
        if (
            _LABEL.match(s)
            or s.startswith(("```", ":::"))
            or re.match(r"^:[\w-]+:", s)
        ):
            continue
        kept.append(line)
    return re.findall(r"[^\s#*|>-][^\s]*|(?<!\S)-\S+", "\n".join(kept))


@dataclass(frozen=True)
class Measure:
    """What :func:`measure` counts in one chapter."""

    words: int  # in the main flow
    equations: int  # displayed, in the main flow
    all_words: int  # in every Markdown cell
    all_equations: int
    asserts: int  # assert statements and assert_* calls in code cells
    exercises: int
    labels: frozenset  # (name)= targets, :label: options and figure names (cell metadata)
    references: frozenset  # targets of {ref}, {numref}, {eq}, {prf:ref}
    deeper: tuple  # titles of the Deeper sections


def measure(path: str | Path) -> Measure:
    """Count the main flow of the notebook at ``path`` and what must not be lost (see the module)."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    md = ["".join(c.source) for c in nb.cells if c.cell_type == "markdown"]
    code = ["".join(c.source) for c in nb.cells if c.cell_type == "code"]
    flow, everything = main_flow(md), "\n\n".join(md)
    labels = {m["name"] or m["opt"] for m in _LABEL.finditer(everything)}
    labels |= {
        name
        for c in nb.cells
        if (
            name := c.metadata.get("mystnb", {})
            .get("figure", {})
            .get("name")
        )
    }
    deeper = tuple(
        h[2]
        for line in everything.splitlines()
        if (h := _HEADING.match(line)) and h[2].startswith(DEEPER)
    )
    return Measure(
        words=len(words(flow)),
        equations=equations(flow),
        all_words=len(words(everything)),
        all_equations=equations(everything),
        asserts=sum(len(_ASSERT.findall(c)) for c in code),
        exercises=len(re.findall(r"^```\{exercise\}", everything, re.M)),
        labels=frozenset(labels),
        references=frozenset(_REF.findall(everything)),
        deeper=deeper,
    )


def labels_in(markdown: str) -> set:
    """The ``(name)=`` targets and ``:label:`` options in ``markdown``."""
    return {m["name"] or m["opt"] for m in _LABEL.finditer(markdown)}


def _main(argv: list[str]) -> None:
    print(
        f"{'chapter':24s} {'words':>6s} {'eqs':>4s} {'all words':>9s} {'all eqs':>7s} {'asserts':>7s} {'exercises':>9s}"
    )
    for p in argv:
        m = measure(p)
        print(
            f"{Path(p).stem:24s} {m.words:6d} {m.equations:4d} {m.all_words:9d} {m.all_equations:7d} "
            f"{m.asserts:7d} {m.exercises:9d}"
        )


if __name__ == "__main__":
    _main(sys.argv[1:])
