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


def test_every_pass_equation_is_exercised_by_a_test():
    # the forward and backward passes (the ledger page lists them without the tests)
    rows = {r.eq: r for r in ledger()}
    passes = [*range(23, 34), *range(73, 91), *range(126, 173), *range(196, 251)]
    untested = [e for e in passes if (rows[e].code or rows[e].symbolic) and not rows[e].tests]
    assert not untested, f"no test exercises the code of Eqs. {untested}"


def test_table_html_per_equation_and_print_list_per_run():
    from _tools.ledger import LedgerRow, LedgerTable

    rows = [LedgerRow(e, "II") for e in range(1, 34)]
    rows[13] = LedgerRow(14, "II", ("lrnn.ode.integrate",), (), ("01_roots",), ("test_ode.py",))
    table = LedgerTable(rows)
    html = table._repr_html_()
    assert html.count("<tr><td>") == 33 and "<code>lrnn.ode.integrate</code>" in html
    md = table._repr_markdown_()
    assert "- **Eqs. 1-13.** no code or chapter." in md
    assert "- **Eq. 14.** numpy: `lrnn.ode.integrate`; chapters: 01_roots." in md
    assert "- **Eqs. 15-33.**" in md and "<" not in md


def test_ledger_of_a_copy_of_the_sources(tmp_path):
    import shutil

    from _tools import notebooks

    shutil.copy(notebooks.BOOK / "01_roots.ipynb", tmp_path)
    rows = {r.eq: r for r in ledger(book_dir=tmp_path)}
    assert rows[30].chapters == ("01_roots",) and "lrnn.rnn.rnn_forward" in rows[32].code
    assert not rows[126].chapters and rows[126].code
