"""Hygiene of the committed chapters (nbval runs them; see pyproject.toml and the Makefile)."""

import re

import pytest
from _tools import notebooks

NOTEBOOKS = sorted(notebooks.BOOK.glob("*.ipynb"))
CHAPTERS = notebooks.chapters()
TOC = notebooks.toc_files()


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_stripped(nb):
    if notebooks.keeps_outputs(nb):  # shown as committed; tests/test_torch_page.py re-runs and compares it
        assert all(c.get("execution_count") for c in notebooks.cells(nb, "code")), f"{nb.name}: run it and commit"
        return
    for c in notebooks.cells(nb, "code"):
        assert c.get("outputs") == [] and c.get("execution_count") is None, f"{nb.name}: strip outputs"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_chapter_skeleton(nb):
    cs = notebooks.cells(nb)
    text = notebooks.text(nb)
    assert re.match(r"\(ch-[\w-]+\)=\n# ", cs[0].source), "title with a label first"
    assert "Paper:" in text and "After this chapter you can" in text, "overview with objectives"
    assert notebooks.overview(nb).objectives.startswith("1. "), "numbered objectives"
    assert "default_rng(" in cs[1].source, "one imports cell with a seeded rng"
    exercises = notebooks.exercises(nb)
    assert len(exercises) >= 3 and all(ex.solution for ex in exercises), "exercises, each with its solution"
    assert text.count("{solution-start}") == len(exercises), "no solution without its exercise"
    assert ":class: dropdown" in text, "solutions hidden until opened"
    asserts = sum("assert" in c.source for c in cs if c.cell_type == "code")
    assert asserts >= 5, "claims are checked by assert cells"
    for c in cs:
        if c.cell_type == "code" and "hide-input" in c.metadata.get("tags", []):
            meta = c.metadata.get("mystnb", {})
            assert meta.get("figure", {}).get("caption") and meta.get("image", {}).get("alt"), "figure caption and alt"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_in_toc(nb):
    assert nb.stem in TOC


def test_notebooks_do_not_define_package_functions():
    for nb in NOTEBOOKS:
        src = "\n".join(c.source for c in notebooks.cells(nb, "code"))
        assert "def rnn_forward" not in src and "def discretize" not in src


# How the book is built lives in tests/ and benchmarks/, never on a page.
BUILD_TALK = re.compile(
    r"perf_counter|static face|both faces|latency_ms|used to write this book|while writing"
    r"|ms per|milliseconds|page size|build machine",
    re.IGNORECASE,
)
PAGES = NOTEBOOKS + sorted(notebooks.BOOK.glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_page_talks_about_how_the_book_is_built(page):
    text = page.read_text(encoding="utf-8")
    found = sorted({m.group(0).lower() for m in BUILD_TALK.finditer(text)})
    assert not found, f"{page.name}: {found}; keep build and timing talk in tests/ and benchmarks/"
