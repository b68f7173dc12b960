import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("student_edition", ROOT / "book" / "_tools" / "student_edition.py")
student_edition = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student_edition)


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
    out = student_edition.strip_solutions(cells)
    text = "\n".join(c["source"] for c in out)
    assert "Do A." in text and "Do B." in text and "kept = 1" in text and "intro" in text
    assert "secret" not in text.lower() and "solution" not in text


def test_real_chapters_lose_every_solution(tmp_path):
    n = student_edition.write_student_sources(ROOT / "book", tmp_path / "src")
    assert n >= 1
    for nb in (tmp_path / "src").glob("*.ipynb"):
        original = json.loads((ROOT / "book" / nb.name).read_text())
        text = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"])
        assert "{solution" not in text
        assert text.count("{exercise}") == "\n".join("".join(c["source"]) for c in original["cells"]).count(
            "{exercise}"
        )
