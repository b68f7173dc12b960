"""The ledger rows of the other papers' equations: Orvieto et al. and Gu and Dao (the linear-recurrence
chapter), and additive attention (the composing chapter)."""

import nbformat
from _tools.ledger import SSM_SOURCES, _ssm_labels, attention_ledger, ssm_ledger


def test_the_cited_equations_have_code_chapters_and_tests():
    rows = {r.eq: r for r in ssm_ledger()}
    assert list(rows) == [eq for eq, _ in SSM_SOURCES]
    for eq in ("O7", "M2a", "M2b", "M4"):
        assert rows[eq].code and rows[eq].tests, eq
    assert "lrnn.lru.lru_forward" in rows["O7"].code and "test_lru.py" in rows["O7"].tests
    assert "lrnn.selective.selective_forward" in rows["M4"].code
    for eq in ("O4", "O7", "M2a", "M4", "M5"):
        assert rows[eq].chapters == ("11_back_to_the_ode",), eq
    assert all(r.source.startswith(("Orvieto", "Gu and Dao")) for r in rows.values())


def test_labels_and_tags(tmp_path):
    assert _ssm_labels("M2a-b and M4") == {"M2a", "M2b", "M4"} and _ssm_labels("O1, O3") == {"O1", "O3"}
    cell = nbformat.v4.new_markdown_cell("$$a \\tag{O7}$$ $$b \\tag{M2a-b}$$ $$c \\tag{7}$$")
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(tmp_path / "11_x.ipynb"))
    rows = {r.eq: r for r in ssm_ledger(book_dir=tmp_path)}
    assert rows["O7"].chapters == ("11_x",) and rows["M2b"].chapters == ("11_x",) and rows["M4"].chapters == ()


def test_the_attention_equations_have_code_chapters_and_tests(tmp_path):
    rows = {r.eq: r for r in attention_ledger()}
    assert list(rows) == [f"A{k}" for k in range(1, 10)]
    for r in rows.values():
        assert r.code == ("lrnn.seq2seq.AdditiveAttention",) and "test_seq2seq.py" in r.tests, r.eq
        assert r.chapters == ("10_composing_cells",), r.eq
    assert rows["A1"].source.startswith("Bahdanau") and rows["A9"].source.startswith("derived")
    # a chapter's citation counts, the ledger's own page does not
    for stem, text in (("10_x", "Eqs. A1-A3 and Eq. A7"), ("appendix_ledger", "Eqs. A1-A9")):
        cell = nbformat.v4.new_markdown_cell(text)
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(tmp_path / f"{stem}.ipynb"))
    rows = {r.eq: r for r in attention_ledger(book_dir=tmp_path)}
    assert [eq for eq, r in rows.items() if r.chapters] == ["A1", "A2", "A3", "A7"]
    assert rows["A2"].chapters == ("10_x",)
