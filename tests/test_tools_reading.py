"""The first reading: the measuring tool, and the chapters' main flow against the counts before the split."""

import pytest
from _tools import notebooks, reading
from test_tools_notebooks import code, md, write_nb

# Before the chapters marked their Deeper material (main flow = every Markdown cell then),
# counted by this tool: words and displayed equations of the main flow, asserts, exercises.
BEFORE = {
    "01_roots": (4052, 11, 35, 5),
    "02_unrolling": (6635, 17, 56, 8),
    "03_training_rnn": (4875, 17, 56, 7),
    "05_vanilla_lstm": (6154, 30, 92, 8),
}


def test_deeper_sections_and_folded_boxes_leave_the_main_flow():
    cells = [
        "# Title\n\nOne two three.\n\n$$\na = b\n$$",
        "## Deeper: a proof\n\nskipped words here\n\n### inside it\n\nstill skipped\n\n$$x$$",
        "## Back\n\nfour five\n\n:::{admonition} Folded\n:class: note dropdown\nhidden words\n:::\n\nsix",
        "```{exercise} E\n:label: ex-e\n\nseven eight\n```\n\n"
        "```{solution-start} ex-e\n:class: dropdown\n```\n\nnine ten",
        "more hidden\n\n```{solution-end}\n```\n\neleven",
    ]
    flow = reading.main_flow(cells)
    words = reading.words(flow)
    assert words == ["Title", "One", "two", "three.", "Back", "four", "five", "six", "seven", "eight", "eleven"]
    assert reading.equations(flow) == 1
    assert reading.equations("\n".join(cells)) == 2


def test_measure_counts_what_must_not_be_lost(tmp_path):
    path = write_nb(
        tmp_path / "ch.ipynb",
        [
            md("(sec-a)=\n## A\n\nSee {ref}`sec-b` and {numref}`Fig. %s <fig-x>`."),
            code("assert 1 == 1\nnp.testing.assert_allclose(1, 1)"),
            md("(sec-b)=\n## Deeper: B\n\n\\begin{align*}\nx &= 1\n\\end{align*}"),
        ],
    )
    m = reading.measure(path)
    assert m.asserts == 2 and m.labels == {"sec-a", "sec-b"} and m.references == {"sec-b", "fig-x"}
    assert m.deeper == ("Deeper: B",) and m.equations == 0 and m.all_equations == 1


@pytest.mark.parametrize("stem", sorted(BEFORE))
def test_first_reading_is_a_quarter_shorter_and_nothing_is_lost(stem):
    words, _, asserts, exercises = BEFORE[stem]
    m = reading.measure(notebooks.BOOK / f"{stem}.ipynb")
    assert m.words <= 0.75 * words, f"{stem}: main flow has {m.words} words, at most {0.75 * words:.0f} wanted"
    assert m.deeper, f"{stem} marks no Deeper section"
    assert m.asserts >= asserts and m.exercises == exercises
    assert set(m.references) <= set(m.labels) | _labels_elsewhere(), "a cross-reference lost its target"
    overview = notebooks.markdown(notebooks.BOOK / f"{stem}.ipynb")
    assert "**A first reading** can skip" in overview


def _labels_elsewhere():
    labels = set()
    for path in notebooks.BOOK.glob("*.ipynb"):
        labels |= reading.measure(path).labels
    for path in notebooks.BOOK.glob("*.md"):
        labels |= reading.labels_in(path.read_text())
    return labels
