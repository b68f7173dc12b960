"""Which exercises assess which learning objectives: the one table, and its checks.

Each chapter opens with numbered learning objectives (``**After this chapter you can:**``,
read by :func:`_tools.notebooks.overview`) and ends with exercises (read by
:func:`_tools.notebooks.exercises`). :data:`ASSESSES` says, for every chapter of the table
of contents, which objectives each exercise assesses, by the exercise's ``:label:`` and the
objectives' numbers. It is kept by hand, judged from the exercise's statement and the
objective's text; the objectives page (``course_objectives.ipynb``) lists the exercises
under each objective and fails the build when the table and the chapters disagree:

- a label of the table that is not an exercise of its chapter (renamed, moved, deleted);
- an exercise of a chapter that the table does not map (a new exercise must say what it
  assesses);
- an objective number that the chapter does not have (objectives renumbered);
- in a chapter of :data:`EVERY_OBJECTIVE`, an objective that no exercise assesses (unless
  :data:`KNOWN_GAPS` names it, and then until it gets one).

Example
-------
>>> [c.chapter.stem for c in coverage()][:2]
['01_roots', '02_unrolling']
>>> memory = {c.chapter.stem: c for c in coverage()}["07_learning_to_remember"]
>>> memory.assessed_by[4]
('ex-memory-gru-backward',)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from _tools import notebooks

__all__ = [
    "ASSESSES",
    "EVERY_OBJECTIVE",
    "KNOWN_GAPS",
    "PENDING",
    "ChapterCoverage",
    "check",
    "coverage",
    "objectives",
    "problems",
]

#: chapter (notebook stem) -> exercise label -> the numbers of the objectives it assesses.
ASSESSES: dict[str, dict[str, tuple[int, ...]]] = {
    "01_roots": {
        "ex-roots-forward-euler": (2, 3),
        "ex-roots-discretize": (2,),
        "ex-roots-scalar-stability": (3,),
        "ex-roots-implicit": (3,),
        "ex-roots-standard": (4,),
    },
    "02_unrolling": {
        "ex-unrolling-impulse": (1,),
        "ex-unrolling-segments": (2, 4),
        "ex-unrolling-stateful": (4, 5),
        "ex-unrolling-fir-length": (1,),
        "ex-unrolling-fir-bound": (1,),
        "ex-unrolling-marginal": (1,),
        "ex-unrolling-initial-state": (3, 4),
        "ex-unrolling-segment-length": (4, 5),
    },
    "03_training_rnn": {
        "ex-training-backward": (2, 4),
        "ex-training-symmetric": (3,),
        "ex-training-product": (1, 2),
        "ex-training-horizon": (5,),
        "ex-training-chaos": (6,),
        "ex-training-lyapunov": (6,),
        "ex-training-clipping": (7,),
    },
    "04_rnn_to_lstm": {
        "ex-rnn-to-lstm-step": (1,),
        "ex-rnn-to-lstm-memory": (4, 6),
        "ex-rnn-to-lstm-explode": (3, 6),
        "ex-rnn-to-lstm-diagonal": (1,),
        "ex-rnn-to-lstm-tau": (2, 4),
        "ex-rnn-to-lstm-gers": (4,),
    },
    "05_vanilla_lstm": {
        "ex-lstm-standardize": (1,),
        "ex-lstm-count": (2,),
        "ex-lstm-step": (3,),
        "ex-lstm-backward": (4,),
        "ex-lstm-p3": (5,),
        "ex-lstm-symmetric": (5,),
        "ex-lstm-jacobian": (6,),
        "ex-lstm-memory": (7,),
    },
    "06_augmented_lstm": {
        "ex-aug-window": (1,),
        "ex-aug-backward": (3,),
        "ex-aug-gates": (2,),
        "ex-aug-budget": (5,),
        "ex-aug-p7": (4,),
        "ex-aug-delay": (6,),
    },
    "07_learning_to_remember": {
        "ex-memory-gru-backward": (4,),
        "ex-memory-gru-step": (3,),
        "ex-memory-half": (1, 6),
        "ex-memory-conventions": (3,),
        "ex-memory-chrono": (2, 6),
        "ex-memory-copy-baseline": (1,),
        "ex-memory-softmax": (5,),
        "ex-memory-train-loop": (7,),
        "ex-memory-reproduce": (6, 7),
        "ex-memory-init-train": (6, 7),
        "ex-memory-constraint": (8,),
    },
    "08_real_music": {
        "ex-music-metric": (1,),
        "ex-music-budget": (2,),
        "ex-music-transpose": (1,),
        "ex-music-temperature": (6,),
        "ex-music-fit": (3,),
        "ex-music-seeds": (4,),
        "ex-music-lookahead": (5,),
    },
    "09_writing_like_shakespeare": {
        "ex-charlm-loss": (1, 2),
        "ex-charlm-fit": (4,),
        "ex-charlm-temperature": (5,),
        "ex-charlm-unit": (6,),
    },
    "10_composing_cells": {
        "ex-compose-dedx": (1,),
        "ex-compose-stack": (2,),
        "ex-compose-streaming": (4,),
    },
    "11_back_to_the_ode": {
        "ex-ode-zoh": (1,),
        "ex-ode-scan": (4,),
        "ex-ode-decay": (2, 3),
        "ex-ode-fails": (7,),
    },
}

#: The chapters in which every objective must be assessed by at least one exercise.
EVERY_OBJECTIVE: tuple[str, ...] = (
    "07_learning_to_remember",
    "08_real_music",
)

#: Labels of the table whose exercise is being written on another branch, per chapter:
#: tolerated as missing (and counted as assessing their objectives) until it lands.
PENDING: dict[str, frozenset[str]] = {}

#: Objectives of the chapters of :data:`EVERY_OBJECTIVE` that are known to have no exercise yet,
#: per chapter: reported by the objectives page but not yet an error; once one is written and
#: mapped, remove the entry (the check then says so).
KNOWN_GAPS: dict[str, frozenset[int]] = {}

_OBJECTIVE = re.compile(r"^(\d+)\.[ \t]+(.+)$", re.M)


def objectives(path: str | Path) -> dict[int, str]:
    """A chapter's numbered objectives, ``{number: text}``, numbered 1, 2, ... in order."""
    found = {
        int(n): text.strip()
        for n, text in _OBJECTIVE.findall(
            notebooks.overview(path).objectives
        )
    }
    if list(found) != list(range(1, len(found) + 1)):
        raise ValueError(
            f"{Path(path).name}: the objectives must be numbered 1, 2, ..., in order; found {list(found)}."
        )
    return found


@dataclass(frozen=True)
class ChapterCoverage:
    """How one chapter's exercises cover its objectives, and where the table disagrees with it."""

    chapter: Path  #: the chapter notebook
    objectives: dict  #: ``{number: text}``
    titles: dict  #: ``{label: exercise title}``, the chapter's exercises in order
    assessed_by: dict  #: ``{number: (label, ...)}`` for every objective (empty tuple: none)
    missing: tuple  #: labels of the table that are not exercises of the chapter (pending ones excluded)
    landed: tuple  #: pending labels that are now exercises of the chapter (the pending entry is stale)
    unmapped: tuple  #: exercises of the chapter that the table does not map
    bad_numbers: dict  #: ``{label: (number, ...)}`` mapped to objectives the chapter does not have
    pending: tuple  #: pending labels still missing from the chapter

    @property
    def unassessed(self) -> tuple:
        """The objectives no exercise (present or pending) assesses."""
        return tuple(
            n for n, labels in self.assessed_by.items() if not labels
        )


def _coverage(
    path: Path, table: Mapping[str, tuple], pending: frozenset
) -> ChapterCoverage:
    goals = objectives(path)
    titles = {ex.label: ex.title for ex in notebooks.exercises(path)}
    absent = [label for label in table if label not in titles]
    waiting = tuple(label for label in absent if label in pending)
    missing = tuple(label for label in absent if label not in pending)
    landed = tuple(label for label in pending if label in titles)
    unmapped = tuple(label for label in titles if label not in table)
    bad = {
        label: tuple(n for n in nums if n not in goals)
        for label, nums in table.items()
    }
    bad = {label: nums for label, nums in bad.items() if nums}
    # in the chapter's order of exercises, then the pending ones
    order = [label for label in titles if label in table] + list(waiting)
    by = {
        n: tuple(label for label in order if n in table[label])
        for n in goals
    }
    return ChapterCoverage(
        path, goals, titles, by, missing, landed, unmapped, bad, waiting
    )


def coverage(
    book: str | Path | None = None,
    toc: str | Path | None = None,
    table: Mapping[str, Mapping[str, tuple]] | None = None,
    pending: Mapping[str, frozenset] | None = None,
) -> list[ChapterCoverage]:
    """The coverage of every chapter of the table of contents, in order.

    ``table`` and ``pending`` default to :data:`ASSESSES` and :data:`PENDING`; a chapter
    missing from ``table`` maps no exercise (so each of its exercises is reported unmapped).
    """
    table = ASSESSES if table is None else table
    pending = PENDING if pending is None else pending
    return [
        _coverage(
            path,
            table.get(path.stem, {}),
            frozenset(pending.get(path.stem, ())),
        )
        for path in notebooks.chapters(book, toc)
    ]


def problems(
    chapters: list[ChapterCoverage],
    every_objective: tuple[str, ...] = EVERY_OBJECTIVE,
    table: Mapping[str, Mapping[str, tuple]] | None = None,
    gaps: Mapping[str, frozenset] | None = None,
) -> list[str]:
    """Every disagreement between the table and the chapters, one sentence each (empty: none).

    ``table`` and ``gaps`` default to :data:`ASSESSES` and :data:`KNOWN_GAPS`.
    """
    table = ASSESSES if table is None else table
    gaps = KNOWN_GAPS if gaps is None else gaps
    found = []
    stems = {c.chapter.stem for c in chapters}
    for stem in table:
        if stem not in stems:
            found.append(
                f"{stem}: mapped in the table, but not a chapter of the table of contents."
            )
    for c in chapters:
        name = c.chapter.name
        for label in c.missing:
            found.append(
                f"{name}: the table maps {label!r}, which is not an exercise of the chapter."
            )
        for label in c.unmapped:
            found.append(
                f"{name}: the exercise {label!r} is not in the table; add it to ASSESSES in "
                "book/_tools/objectives.py with the numbers of the objectives it assesses."
            )
        for label, nums in c.bad_numbers.items():
            found.append(
                f"{name}: {label!r} is mapped to objective(s) {list(nums)}, but the chapter has "
                f"objectives 1 to {len(c.objectives)}."
            )
        for label in c.landed:
            found.append(
                f"{name}: {label!r} is now an exercise of the chapter; remove it from PENDING."
            )
        if c.chapter.stem in every_objective:
            allowed = gaps.get(c.chapter.stem, frozenset())
            for n in c.unassessed:
                if n not in allowed:
                    found.append(
                        f"{name}: no exercise assesses objective {n} ({c.objectives[n][:60]}...)."
                    )
            for n in sorted(allowed):
                if n in c.objectives and n not in c.unassessed:
                    found.append(
                        f"{name}: objective {n} now has an exercise; remove it from KNOWN_GAPS."
                    )
    return found


def check(
    chapters: list[ChapterCoverage] | None = None, **options
) -> list[ChapterCoverage]:
    """:func:`coverage`, after raising ``ValueError`` with every problem :func:`problems` finds."""
    chapters = coverage() if chapters is None else chapters
    found = problems(chapters, **options)
    if found:
        raise ValueError(
            "The exercises and the objectives disagree:\n- "
            + "\n- ".join(found)
        )
    return chapters
