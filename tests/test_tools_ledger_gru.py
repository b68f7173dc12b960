"""The GRU rows of the equation ledger (Eqs. G1-G19): every equation has a source, code and a test."""

import nbformat
from _tools.ledger import GRU_SOURCES, gru_ledger


def test_every_gru_equation_has_its_source_code_and_tests():
    rows = gru_ledger()
    assert [r.eq for r in rows] == [f"G{k}" for k in range(1, 20)]
    assert sum(hi - lo + 1 for lo, hi, _ in GRU_SOURCES) == 19
    for r in rows:
        assert r.source and r.code and r.tests, r
    by_eq = {r.eq: r for r in rows}
    assert "lrnn.gru.gru_step" in by_eq["G4"].code and "lrnn.gru.gru_step" in by_eq["G8"].code
    assert "lrnn.gru_bptt.gru_bptt_signals" in by_eq["G9"].code and "lrnn.gru_bptt.gru_backward" in by_eq["G19"].code
    for r in rows:  # the ledger cites public names only: a reader can look each one up
        assert not any(part.startswith("_") for name in r.code + r.symbolic for part in name.split(".")), r
    assert "test_gru_bptt.py" in by_eq["G12"].tests and "test_symbolic_gru.py" in by_eq["G12"].tests
    assert by_eq["G1"].source.startswith("Chung") and by_eq["G5"].source.startswith("PyTorch")


def test_chapter_tags_of_the_gru(tmp_path):
    cell = nbformat.v4.new_markdown_cell("$$a \\tag{G1}$$ $$b \\tag{G5-G8}$$ $$c \\tag{12}$$")
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(tmp_path / "07_x.ipynb"))
    rows = {r.eq: r for r in gru_ledger(book_dir=tmp_path)}
    assert rows["G1"].chapters == ("07_x",) and rows["G6"].chapters == ("07_x",)
    assert rows["G2"].chapters == () and rows["G12"].chapters == ()
