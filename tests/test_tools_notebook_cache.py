"""book/_tools/notebook_cache.py: the runnable book's runs, cached for the site build under the book's own hash."""

import nbformat
import pytest
from _tools import notebook_cache
from jupyter_cache import get_cache


def _book(tmp_path):
    book, ran = tmp_path / "book", tmp_path / "ran"
    book.mkdir(), ran.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A"), nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("x + 1")])  # fmt: skip
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, book / "a.ipynb")
    return book, ran, nb


def _executed(nb, outputs=None):
    """``nb`` as nbconvert leaves it: execution counts, outputs and nbclient's timings in the metadata."""
    nb = nbformat.reads(nbformat.writes(nb), 4)  # a copy
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = i + 1
        cell.metadata["execution"] = {"iopub.status.idle": "2026-12-07T06:00:00Z"}
        cell.outputs = (outputs or {}).get(i, [])
    return nb


def test_a_run_is_found_under_the_books_own_notebook(tmp_path):
    book, ran, nb = _book(tmp_path)
    result = nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=2)
    nbformat.write(_executed(nb, {1: [result]}), ran / "a.ipynb")
    assert notebook_cache.fill(tmp_path / "cache", ran, book) == ["a.ipynb"]
    cache = get_cache(str(tmp_path / "cache"))
    _, merged = cache.merge_match_into_notebook(nbformat.read(book / "a.ipynb", as_version=4))
    assert merged.cells[2].outputs[0]["data"]["text/plain"] == "2"


@pytest.mark.parametrize("fault", ["other code", "not run", "an error", "no namesake", "nothing ran"])
def test_a_run_that_is_not_the_books_or_did_not_finish_is_refused(tmp_path, fault):
    book, ran, nb = _book(tmp_path)
    done = _executed(nb)
    if fault == "other code":
        done.cells[1].source = "x = 2"
    elif fault == "not run":
        done.cells[2].execution_count = None
    elif fault == "an error":
        done.cells[2].outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="", traceback=[])]
    if fault != "nothing ran":
        nbformat.write(done, ran / ("b.ipynb" if fault == "no namesake" else "a.ipynb"))
    with pytest.raises(ValueError):
        notebook_cache.fill(tmp_path / "cache", ran, book)
    assert notebook_cache.main([str(tmp_path / "cache"), str(ran), str(book)]) == 1


def test_a_cell_meant_to_raise_may_end_in_its_error(tmp_path):
    book, ran, nb = _book(tmp_path)
    nb.cells[2].metadata["tags"] = ["raises-exception"]
    nbformat.write(nb, book / "a.ipynb")
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="", traceback=[])
    nbformat.write(_executed(nb, {1: [error]}), ran / "a.ipynb")
    assert notebook_cache.fill(tmp_path / "cache", ran, book) == ["a.ipynb"]
