from _tools.ledger import chapter_tags, code_tags, ledger, section_of


def test_sections_cover_all_equations():
    assert [section_of(e) for e in (1, 33, 34, 77, 78, 93, 94, 117, 118, 182, 183, 250)] == [
        "II",
        "II",
        "III",
        "III",
        "IV",
        "IV",
        "V",
        "V",
        "VI",
        "VI",
        "VII",
        "VII",
    ]


def test_known_equations_are_found():
    code = code_tags()
    assert "lrnn.rnn.rnn_forward" in code[32]
    assert "lrnn.ode.discretize" in code[25]
    assert "lrnn.rnn_bptt.rnn_backward" in code[82]
    assert "lrnn.symbolic.roots.derive_canonical_rnn" in code_tags(symbolic=True)[24]


def test_chapter_tags(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("$$x \\tag{30-31}$$ and $$y \\tag{14}$$")])
    nbformat.write(nb, str(tmp_path / "01_x.ipynb"))
    assert chapter_tags(tmp_path) == {14: {"01_x"}, 30: {"01_x"}, 31: {"01_x"}}


def test_rows_link_code_to_tests():
    rows = {r.eq: r for r in ledger()}
    assert len(rows) == 250
    assert "test_rnn_bptt.py" in rows[82].tests and "01_roots" in rows[30].chapters
