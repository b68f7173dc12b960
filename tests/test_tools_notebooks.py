import pytest
from _tools import notebooks


def md(s):
    return {"cell_type": "markdown", "metadata": {}, "source": s}


def code(s):
    return {"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}


def write_nb(path, cells):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.from_dict({**c, "id": f"c{i}"}) for i, c in enumerate(cells)]
    nbformat.write(nb, str(path))
    return path


def test_toc_order_and_numbered_chapters(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: intro\nparts:\n"
        "  - caption: A\n    chapters:\n      - file: guide\n"
        "  - caption: B\n    numbered: true\n    chapters:\n      - file: 01_x\n        sections:\n"
        "          - file: 01_x_more\n      - file: 02_y\n"
    )
    assert notebooks.toc_files(toc) == ["intro", "guide", "01_x", "01_x_more", "02_y"]
    assert [p.name for p in notebooks.chapters(tmp_path, toc)] == ["01_x.ipynb", "01_x_more.ipynb", "02_y.ipynb"]


def test_book_chapters_are_the_numbered_part():
    stems = [p.stem for p in notebooks.chapters()]
    assert stems[:3] == ["01_roots", "02_unrolling", "03_training_rnn"]
    assert all(p.exists() for p in notebooks.chapters())


def test_exercises_statements_and_solutions_across_cells(tmp_path):
    nb = write_nb(
        tmp_path / "n.ipynb",
        [
            md("(ch-x)=\n# Title X\n\n**Paper:** Sec. II\n\n**After this chapter you can:**\n\n1. one\n:::"),
            md(
                "```{exercise} Do it (coding)\n:label: ex-a\n:class: x\n\nWrite f; check with "
                "`lrnn.exercises.check_f(f)`.\n```\n\n```{solution-start} ex-a\n:class: dropdown\n```\nHint."
            ),
            code("def f():\n    return 1\nprint(lrnn.exercises.check_f(f))"),
            md("```{solution-end}\n```\n\n```{exercise} Think\n:label: ex-b\nWhy?\n```"),
            md("```{exercise} Train it\n:label: ex-c\nCheck with `lrnn.exercises.topic.check_g({1: 2})`.\n```"),
        ],
    )
    a, b, c = notebooks.exercises(nb)
    assert (a.label, a.title, a.self_checks, a.cell) == ("ex-a", "Do it (coding)", ("check_f",), 1)
    assert a.statement.startswith("Write f") and "Hint." in a.solution and "return 1" in a.solution
    assert (b.label, b.statement, b.solution, b.self_checks) == ("ex-b", "Why?", None, ())
    assert c.self_checks == ("check_g",), "a check named by its submodule counts too"
    assert notebooks.title(nb) == "Title X"
    assert notebooks.overview(nb) == notebooks.Overview("Sec. II", "1. one")


def test_solution_parts_split_a_cell_and_reject_an_open_solution():
    cells = [md("before\n```{solution-start} s\n```\ninside\n```{solution-end}\n```\nafter"), code("x = 1")]
    parts = list(notebooks.solution_parts(cells))
    assert [(i, label) for i, _, label in parts] == [(0, None), (0, "s"), (0, None), (1, None)]
    assert parts[0][1] == "before\n" and parts[2][1] == "after" and "inside" in parts[1][1]
    with pytest.raises(ValueError, match="no solution-end"):
        list(notebooks.solution_parts([md("```{solution-start} s\n```\n"), code("y = 2")]))


def test_bad_chapter_openings_are_named(tmp_path):
    nb = write_nb(tmp_path / "bad.ipynb", [md("no title here")])
    with pytest.raises(ValueError, match="bad.ipynb.*'# Title'"):
        notebooks.title(nb)
    with pytest.raises(ValueError, match="Paper"):
        notebooks.overview(nb)
