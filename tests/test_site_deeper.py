"""Deeper sections (book/_ext/lrnn_site/deeper.py) on a small project: boxed in HTML and in LaTeX."""

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imsave
from sphinx.application import Sphinx

EXT = Path(__file__).resolve().parents[1] / "book" / "_ext"
sys.path.insert(0, str(EXT))  # lrnn_site.deeper, for its LaTeX
INDEX = """Book
====

Main text before the box.

Deeper: what a first reading skips
----------------------------------

Skipped words, a figure, a code listing longer than a page and an equation.

.. figure:: dot.png
   :name: fig-dot

   A captioned figure inside the box.

.. code-block:: python

   x = 1
   y0 = 0  # a listing longer than a page, as in the chapters
   y1 = 1  # a listing longer than a page, as in the chapters
   y2 = 2  # a listing longer than a page, as in the chapters
   y3 = 3  # a listing longer than a page, as in the chapters
   y4 = 4  # a listing longer than a page, as in the chapters
   y5 = 5  # a listing longer than a page, as in the chapters
   y6 = 6  # a listing longer than a page, as in the chapters
   y7 = 7  # a listing longer than a page, as in the chapters
   y8 = 8  # a listing longer than a page, as in the chapters
   y9 = 9  # a listing longer than a page, as in the chapters
   y10 = 10  # a listing longer than a page, as in the chapters
   y11 = 11  # a listing longer than a page, as in the chapters
   y12 = 12  # a listing longer than a page, as in the chapters
   y13 = 13  # a listing longer than a page, as in the chapters
   y14 = 14  # a listing longer than a page, as in the chapters
   y15 = 15  # a listing longer than a page, as in the chapters
   y16 = 16  # a listing longer than a page, as in the chapters
   y17 = 17  # a listing longer than a page, as in the chapters
   y18 = 18  # a listing longer than a page, as in the chapters
   y19 = 19  # a listing longer than a page, as in the chapters
   y20 = 20  # a listing longer than a page, as in the chapters
   y21 = 21  # a listing longer than a page, as in the chapters
   y22 = 22  # a listing longer than a page, as in the chapters
   y23 = 23  # a listing longer than a page, as in the chapters
   y24 = 24  # a listing longer than a page, as in the chapters
   y25 = 25  # a listing longer than a page, as in the chapters
   y26 = 26  # a listing longer than a page, as in the chapters
   y27 = 27  # a listing longer than a page, as in the chapters
   y28 = 28  # a listing longer than a page, as in the chapters
   y29 = 29  # a listing longer than a page, as in the chapters
   y30 = 30  # a listing longer than a page, as in the chapters
   y31 = 31  # a listing longer than a page, as in the chapters
   y32 = 32  # a listing longer than a page, as in the chapters
   y33 = 33  # a listing longer than a page, as in the chapters
   y34 = 34  # a listing longer than a page, as in the chapters
   y35 = 35  # a listing longer than a page, as in the chapters
   y36 = 36  # a listing longer than a page, as in the chapters
   y37 = 37  # a listing longer than a page, as in the chapters
   y38 = 38  # a listing longer than a page, as in the chapters
   y39 = 39  # a listing longer than a page, as in the chapters
   y40 = 40  # a listing longer than a page, as in the chapters
   y41 = 41  # a listing longer than a page, as in the chapters
   y42 = 42  # a listing longer than a page, as in the chapters
   y43 = 43  # a listing longer than a page, as in the chapters
   y44 = 44  # a listing longer than a page, as in the chapters
   y45 = 45  # a listing longer than a page, as in the chapters
   y46 = 46  # a listing longer than a page, as in the chapters
   y47 = 47  # a listing longer than a page, as in the chapters
   y48 = 48  # a listing longer than a page, as in the chapters
   y49 = 49  # a listing longer than a page, as in the chapters
   y50 = 50  # a listing longer than a page, as in the chapters
   y51 = 51  # a listing longer than a page, as in the chapters
   y52 = 52  # a listing longer than a page, as in the chapters
   y53 = 53  # a listing longer than a page, as in the chapters
   y54 = 54  # a listing longer than a page, as in the chapters
   y55 = 55  # a listing longer than a page, as in the chapters
   y56 = 56  # a listing longer than a page, as in the chapters
   y57 = 57  # a listing longer than a page, as in the chapters
   y58 = 58  # a listing longer than a page, as in the chapters
   y59 = 59  # a listing longer than a page, as in the chapters
   y60 = 60  # a listing longer than a page, as in the chapters
   y61 = 61  # a listing longer than a page, as in the chapters
   y62 = 62  # a listing longer than a page, as in the chapters
   y63 = 63  # a listing longer than a page, as in the chapters
   y64 = 64  # a listing longer than a page, as in the chapters
   y65 = 65  # a listing longer than a page, as in the chapters
   y66 = 66  # a listing longer than a page, as in the chapters
   y67 = 67  # a listing longer than a page, as in the chapters
   y68 = 68  # a listing longer than a page, as in the chapters
   y69 = 69  # a listing longer than a page, as in the chapters
   y70 = 70  # a listing longer than a page, as in the chapters
   y71 = 71  # a listing longer than a page, as in the chapters
   y72 = 72  # a listing longer than a page, as in the chapters
   y73 = 73  # a listing longer than a page, as in the chapters
   y74 = 74  # a listing longer than a page, as in the chapters
   y75 = 75  # a listing longer than a page, as in the chapters
   y76 = 76  # a listing longer than a page, as in the chapters
   y77 = 77  # a listing longer than a page, as in the chapters
   y78 = 78  # a listing longer than a page, as in the chapters
   y79 = 79  # a listing longer than a page, as in the chapters

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


def test_latex_rules_the_body_in_and_out(tmp_path):
    from lrnn_site.deeper import LATEX_BEGIN, LATEX_END

    out = build(tmp_path, "latex")
    tex = (out / "book.tex").read_text(encoding="utf-8")
    assert tex.count(LATEX_BEGIN) == 2 and tex.count(LATEX_END) == 2
    body = tex.split(LATEX_BEGIN)[1].split(LATEX_END)[0]
    assert "A captioned figure inside the box" in body and "y79" in body and "Back to the main text" not in body
    assert "framed" not in LATEX_BEGIN.lower()  # a frame cannot break a listing taller than a page


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
    assert text.count(label) == 2 and text.count("end of the Deeper section") == 2
    assert text.index(label) < text.index("A captioned figure") < text.index("end of the Deeper section")
    assert text.index("end of the Deeper section") < text.rindex("Back to the main text")
