"""lrnn.experiments: the one way to the committed results, in the repository and beside an installed wheel."""

import json
import re
import types
from pathlib import Path

import pytest

from lrnn import experiments
from lrnn.experiments import RESULTS, result, source

ROOT = Path(__file__).resolve().parents[1]


def test_every_declared_result_is_committed_in_the_repository():
    assert source() == ROOT, "make env installs lrnn from the repository (pip install -e .)"
    for name, files in RESULTS.items():
        for file in files:
            assert result(name, file) == ROOT / "experiments" / name / file


def test_the_chapters_read_declared_results_only():
    """Every ``result(name, file)`` a notebook calls is declared (so the runnable book ships it)."""
    calls = set()
    for nb in (ROOT / "book").glob("*.ipynb"):
        code = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code")
        calls |= {(nb.name, *m) for m in re.findall(r'result\(\s*"(\w+)",\s*f?"([^"]+)"', code)}
    assert {name for _, name, _ in calls} == set(RESULTS), "Chapters 6 to 9 read each experiment"
    for nb, name, file in calls:
        if "{" not in file:  # an f-string (Chapter 8's models) is checked when the chapter runs
            assert file in RESULTS[name], (nb, name, file)


def test_bad_names_get_a_clear_error():
    with pytest.raises(ValueError, match=r"name = 'lookahed', expected an experiment .*lookahead, memory, jsb"):
        result("lookahed", "results.json")
    with pytest.raises(ValueError, match=r"file = 'results/summary.csv' is not a result .* results/runs.json"):
        result("memory", "results/summary.csv")


def _installed_from(monkeypatch, url):
    """Pretend lrnn was installed from ``url`` (None: from an index, no direct_url.json)."""
    record = None if url is None else json.dumps({"url": url, "archive_info": {}})
    dist = types.SimpleNamespace(read_text=lambda name: record if name == "direct_url.json" else None)
    stray = types.SimpleNamespace(read_text=lambda name: None)  # an lrnn.egg-info of a build in the working folder
    monkeypatch.setattr(experiments.metadata, "distributions", lambda name: [stray, dist])


def test_beside_the_wheel_it_was_installed_from(tmp_path, monkeypatch):
    """The runnable book: the wheel lies beside the notebooks and experiments/, wherever the kernel runs."""
    book = tmp_path / "lrnn book"  # a space, quoted in the URL
    (book / "experiments" / "memory" / "results").mkdir(parents=True)
    (book / "experiments" / "memory" / "results" / "runs.json").write_text("{}")
    _installed_from(monkeypatch, (book / "lrnn-0.1.0-py3-none-any.whl").as_uri())
    monkeypatch.chdir(tmp_path)  # another working folder
    assert source() == book
    assert result("memory", "results/runs.json") == book / "experiments" / "memory" / "results" / "runs.json"
    with pytest.raises(FileNotFoundError, match=r"jsb/results.json not found.*runnable book ships them"):
        result("jsb", "results.json")


def test_without_a_recorded_origin_the_error_says_how_to_install(monkeypatch):
    _installed_from(monkeypatch, None)
    with pytest.raises(FileNotFoundError, match=r"not installed from a folder or a wheel file.*pip install -e \."):
        result("lookahead", "results.json")
