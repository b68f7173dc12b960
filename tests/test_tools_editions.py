"""The Sphinx extension for the editions (book/_tools/editions.py), on small projects."""

import base64
import io
import json
import re

import numpy as np
from matplotlib.image import imsave
from sphinx.application import Sphinx


def png() -> str:
    buf = io.BytesIO()
    imsave(buf, np.zeros((2, 2)), format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def build(tmp_path, files, builder="latex", conf=""):
    src = tmp_path / "src"
    src.mkdir()
    for name, text in files.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "conf.py").write_text(
        "project = 'Book'\nextensions = ['myst_nb', '_tools.editions']\nnb_execution_mode = 'off'\n"
        "latex_documents = [('index', 'book.tex', 'Book', 'A', 'manual')]\n" + conf,
        encoding="utf-8",
    )
    out = tmp_path / "out"
    warnings = io.StringIO()
    app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), builder, status=None, warning=warnings)
    app.build()
    assert "ERROR" not in warnings.getvalue(), warnings.getvalue()
    return out


def test_tags_leave_the_split_for_the_equation(tmp_path):
    index = "Book\n====\n\n.. math::\n   :label: eq-a\n\n   x = y \\tag{30-31}\n\n.. math::\n\n   a = b \\tag{5}\n"
    tex = (build(tmp_path, {"index.rst": index}) / "book.tex").read_text()
    assert "\\begin{equation}\\label{equation:index:eq-a}\n\\begin{split}x = y\\end{split}\\tag{30-31}" in tex
    assert "\\begin{equation*}\n\\begin{split}a = b\\end{split}\\tag{5}\n\\end{equation*}" in tex
    assert not any("\\tag" in block for block in re.findall(r"\\begin\{split\}(.*?)\\end\{split\}", tex, re.S))


def test_layout_intro_chapter_parts_numbering_and_appendix(tmp_path):
    index = (
        "Book\n====\n\nIntro text.\n\n"
        ".. toctree::\n   :caption: Getting started\n\n   guide\n\n"
        ".. toctree::\n   :caption: The paper\n   :numbered:\n\n   ch1\n\n"
        ".. toctree::\n   :caption: Appendices\n\n   app\n"
    )
    files = {
        "index.rst": index,
        "guide.rst": "Guide\n=====\n\ng\n",
        "ch1.rst": "One\n===\n\no\n",
        "app.rst": "App\n===\n\na\n",
    }
    tex = (build(tmp_path, files, conf="lrnn_appendix_part = 'Appendices'\n") / "book.tex").read_text()
    body = tex[tex.index("\\begin{document}") :]
    order = [
        "\\setcounter{secnumdepth}{-1}",
        "\\chapter{Introduction}",
        "Intro text.",
        "\\part{Getting started}",
        "\\chapter{Guide}",
        "\\setcounter{secnumdepth}{1}",
        "\\part{The paper}",
        "\\chapter{One}",
        "\\appendix",
        "\\part{Appendices}",
        "\\chapter{App}",
    ]
    positions = [body.index(s) for s in order]
    assert positions == sorted(positions)


def test_long_tables_get_widths_and_a_smaller_size(tmp_path):
    rows = "\n".join(f"| {i} | {'word ' * 12} |" for i in range(40))
    index = f"# Book\n\n| n | text |\n|---|---|\n{rows}\n"
    tex = (build(tmp_path, {"index.md": index}) / "book.tex").read_text()
    assert "\\begingroup\\small" in tex and "\\begin{longtable}" in tex
    spec = re.search(r"\\begin\{longtable\}(\[[a-z]\])?\{([^\n]*)\}", tex).group(2)
    assert "\\X{6}{" in spec and "\\X{40}{" in spec


def notebook(cells):
    return json.dumps(
        {
            "cells": cells,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def code_cell(i, source, outputs=(), tags=()):
    return {
        "cell_type": "code",
        "id": f"c{i}",
        "metadata": {"tags": list(tags)},
        "source": source,
        "outputs": list(outputs),
        "execution_count": 1,
    }


def test_a_still_with_its_caption_becomes_a_figure_and_folded_code_is_not_printed(tmp_path):
    still = {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "image/png": png(),
            "text/markdown": "**A title**, at x = 1. What the controls do.",
            "text/plain": "<x>",
        },
    }
    cells = [
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# Book"},
        code_cell(1, "explorer", [still]),
        code_cell(2, "folded_plotting_code()", tags=["hide-input"]),
        code_cell(3, "shown_code()"),
        code_cell(4, "measured_value()", [printed("the answer 0.377")], tags=["hide-output"]),
    ]
    tex = (build(tmp_path, {"index.ipynb": notebook(cells)}) / "book.tex").read_text()
    figure = tex[tex.index("\\begin{figure}") : tex.index("\\end{figure}")]
    assert "\\sphinxincludegraphics" in figure
    assert "\\caption{\\sphinxstylestrong{A title}, at x = 1. What the controls do.}" in figure
    assert "shown\\PYGZus{}code" in tex and "folded" not in tex
    assert "measured\\PYGZus{}value" in tex and "the answer 0.377" not in tex  # printed after its question


def printed(text):
    return {"output_type": "stream", "name": "stdout", "text": text + "\n"}


def test_site_download_menu_links_the_pdf_when_it_exists(tmp_path):
    files = {"index.md": "# Book\n\ntext\n", "book.pdf": "%PDF-1.4 fake"}
    conf = "html_theme = 'sphinx_book_theme'\nlrnn_pdf = 'book.pdf'\n"
    html = (build(tmp_path, files, "html", conf) / "index.html").read_text()
    assert 'href="book.pdf"' in html and "window.print" not in html
    assert (tmp_path / "out" / "book.pdf").read_text() == "%PDF-1.4 fake"


def test_site_keeps_the_print_dialog_without_a_pdf(tmp_path):
    conf = "html_theme = 'sphinx_book_theme'\nlrnn_pdf = 'missing.pdf'\n"
    html = (build(tmp_path, {"index.md": "# Book\n\ntext\n"}, "html", conf) / "index.html").read_text()
    assert "window.print" in html and not (tmp_path / "out" / "missing.pdf").exists()


def test_references_to_exercises_of_another_chapter_print_their_number(tmp_path):
    files = {
        "index.md": "# Book\n\nSee {ref}`ex-a`.\n\n```{toctree}\nch\n```\n",
        "ch.md": "# Chapter\n\n```{exercise} Do it\n:label: ex-a\n\nText.\n```\n",
    }
    conf = "extensions.append('sphinx_exercise')\nnumfig = True\n"
    tex = (build(tmp_path, files, conf=conf) / "book.tex").read_text()
    assert "\\hyperref[exercise:ex-a]{Exercise 1}" in tex and "\\label{exercise:ex-a}" in tex
    assert "\\ref{\\detokenize{ch:ex-a}}" not in tex
