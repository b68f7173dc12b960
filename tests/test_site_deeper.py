"""Deeper sections (book/_ext/lrnn_site/deeper.py) on a small project: boxed in HTML and in LaTeX."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imsave
from sphinx.application import Sphinx

EXT = Path(__file__).resolve().parents[1] / "book" / "_ext"
INDEX = """Book
====

Main text before the box.

Deeper: what a first reading skips
----------------------------------

Skipped words, a figure that must not float out of the box, code and an equation.

.. figure:: dot.png
   :name: fig-dot

   A captioned figure inside the box.

.. code-block:: python

   x = 1

.. math::

   a = b

Back to the main text
---------------------

More text; see :ref:`the box <deeper-box>`.

.. _deeper-box:

Deeper: a second box
--------------------

Second box text.
"""


def build(tmp_path, builder):
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "index.rst").write_text(INDEX, encoding="utf-8")
    imsave(src / "dot.png", np.zeros((4, 4)))
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(EXT)!r})\nproject = 'Book'\nextensions = ['lrnn_site.deeper']\n"
        "latex_engine = 'xelatex'\nlatex_documents = [('index', 'book.tex', 'Book', 'A', 'manual')]\n",
        encoding="utf-8",
    )
    out = tmp_path / builder
    warnings = io.StringIO()
    Sphinx(
        str(src), str(src), str(out), str(tmp_path / f"doctrees-{builder}"), builder, status=None, warning=warnings
    ).build()
    problems = [w for w in warnings.getvalue().splitlines() if w.strip() and "already registered" not in w]
    assert not problems, problems  # a second Sphinx in one process re-registers its own nodes: not ours
    return out


def test_html_boxes_each_deeper_section_with_a_note(tmp_path):
    html = (build(tmp_path, "html") / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<section[^>]*class="[^"]*\blrnn-deeper\b', html)) == 2
    assert html.count("lrnn-deeper-note") == 2 and "A first reading can skip this section" in html
    main = html.split("Back to the main text")[1].split("Deeper: a second box")[0]
    assert "lrnn-deeper-note" not in main  # the box ends where the main text resumes


def test_latex_wraps_the_body_in_a_box_that_keeps_figures_in_place(tmp_path):
    out = build(tmp_path, "latex")
    tex = (out / "book.tex").read_text(encoding="utf-8")
    assert tex.count("\\begin{lrnndeeper}") == 2 and tex.count("\\end{lrnndeeper}") == 2
    body = tex.split("\\begin{lrnndeeper}")[1].split("\\end{lrnndeeper}")[0]
    assert "A captioned figure inside the box" in body and "Back to the main text" not in body
    assert "\\renewenvironment{figure}" in tex  # no float inside the framed box


@pytest.mark.pdf
def test_latex_box_compiles_and_prints_in_order(tmp_path):
    out = build(tmp_path, "latex")
    if not (shutil.which("xelatex") and shutil.which("latexmk") and shutil.which("pdftotext")):
        pytest.skip("no xelatex/latexmk/pdftotext: the LaTeX was checked, not compiled")
    run = subprocess.run(
        ["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error", "book.tex"],
        cwd=out, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]
    log = (out / "book.log").read_text(errors="replace")
    assert "Float(s) lost" not in log
    text = subprocess.run(["pdftotext", str(out / "book.pdf"), "-"], capture_output=True, text=True).stdout
    label = "A first reading can skip this section."
    assert text.count(label) == 2 and "A captioned figure inside the box" in text
    assert text.index(label) < text.index("A captioned figure") < text.rindex("Back to the main text")
