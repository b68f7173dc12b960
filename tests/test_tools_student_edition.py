import re

import nbformat
import yaml
from _tools import notebooks
from _tools.student_edition import EDITION, strip_solutions, write_student_sources

import lrnn.exercises

ROOT = notebooks.BOOK.parent


def md(s):
    return {"cell_type": "markdown", "metadata": {}, "source": s}


def code(s):
    return {"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}


def test_strip_keeps_exercises_and_drops_solutions():
    cells = [
        md("intro"),
        md("```{exercise} A\n:label: a\nDo A.\n```\n\n```{solution-start} a\n:class: dropdown\n```\nSecret text."),
        code("secret_code()"),
        md("More secret.\n```{solution-end}\n```\n\n```{exercise} B\n:label: b\nDo B.\n```"),
        code("kept = 1"),
    ]
    out = strip_solutions(cells)
    text = "\n".join(c["source"] for c in out)
    assert "Do A." in text and "Do B." in text and "kept = 1" in text and "intro" in text
    assert "secret" not in text.lower() and "solution" not in text


def test_copy_keeps_the_layout_and_retitles(tmp_path):
    pdf = tmp_path / "student" / "book-student.pdf"
    n = write_student_sources(ROOT / "book", tmp_path / "src", pdf=pdf)
    assert n == len(list((ROOT / "book").glob("*.ipynb")))
    src = tmp_path / "src"
    assert (src / "_toc.yml").read_text() == (ROOT / "_toc.yml").read_text()
    assert (src / "book" / "_tools" / "notebooks.py").exists() and not list(src.rglob("__pycache__"))
    cfg = yaml.safe_load((src / "_config.yml").read_text())
    original = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cfg["title"] == f"{original['title']}: {EDITION}"
    assert cfg["latex"]["latex_documents"]["targetname"].endswith("-student.tex")
    assert (src / "book" / cfg["sphinx"]["config"]["lrnn_pdf"]).resolve() == pdf.resolve()
    assert cfg["execute"] == original["execute"] and cfg["parse"] == original["parse"]


def test_real_chapters_lose_every_solution_and_keep_statements_and_self_checks(tmp_path):
    write_student_sources(ROOT / "book", tmp_path / "src")
    for chapter in notebooks.chapters():
        student = tmp_path / "src" / "book" / chapter.name
        cells = notebooks.cells(student)
        text = "\n".join(c.source for c in cells if not c.get("id", "").startswith("self-check-"))
        assert "{solution" not in notebooks.text(student)
        original = notebooks.exercises(chapter)
        kept = notebooks.exercises(student)
        assert [(e.label, e.statement) for e in kept] == [(e.label, e.statement) for e in original]
        assert all(e.solution is None for e in kept)
        for ex in original:  # no line of a solution's code survives
            for line in ex.solution.splitlines():
                if len(line.strip()) > 30 and line.strip() not in notebooks.text(chapter).split(ex.solution)[0]:
                    assert line.strip() not in text, (chapter.name, ex.label, line)
        for ex in kept:
            if ex.self_checks:
                scaffold = cells[[c.get("id") for c in cells].index(f"self-check-{ex.label}")]
                assert scaffold.cell_type == "code"
                for name in ex.self_checks:  # by the name lrnn.exercises re-exports, ready to uncomment
                    assert re.search(rf"^# print\(lrnn\.exercises\.{name}\(", scaffold.source, re.M)
                    assert name in lrnn.exercises.__all__, name
        nbformat.validate(notebooks.read(student))


def test_config_files_have_no_repeated_keys():
    """YAML keeps the last of two equal keys without a word: a second `local_extensions` once
    silently dropped the site's extension. Both configuration files must say each key once."""

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        keys = [loader.construct_object(k) for k, _ in node.value]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        assert not repeated, f"{node.start_mark}: keys given twice: {repeated}"
        return loader.construct_mapping(node)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    for name in ("_config.yml", "_toc.yml"):
        assert yaml.load((ROOT / name).read_text(), Loader=Strict)
