"""The book's own Sphinx extension: links, numbering, lean assets and the runnable download.

Registered in ``_config.yml`` (``sphinx.local_extensions``). Each module's docstring states
its conventions:

* :mod:`.crossref`: "Eq. N" and "P<n>" in prose become links to the displayed equation or
  the errata row;
* :mod:`.numbering`: the paper's numbering for propositions and remarks, a proof index by
  title, author-year bibliography labels;
* :mod:`.figures`: figures wider than the text column use the right margin too;
* :mod:`.deeper`: sections titled "Deeper: ..." (what a first reading can skip) in a box;
* :mod:`.mathjax`: MathJax at the text's size, its TeX core and the packages a page uses;
* :mod:`.glossary`: index entries that map the common names to the paper's, on the sections
  that introduce them, and the table of both on the index page;
* :mod:`.preview`: an "Eq. N" or "P<n>" link shows its equation or erratum in a popover;
* :mod:`.audio`: sounds served as compressed files that load on demand, not inlined;
* :mod:`.repository`: the repository's address, where a page mentions cloning, when configured;
* :mod:`.pages`: the front page's window title names the book once;
* :mod:`.assets`: no Thebe, MathJax only where there is mathematics, a subset icon font,
  no source maps or unused MathJax bundles;
* the runnable book (``lrnn_runnable_zip``): after the build, the notebooks, a wheel of
  ``lrnn``, the committed results the chapters read and the pinned requirements in one zip at
  the site's root (``book/_tools/runnable_book.py``); a page that the zip leaves out (it
  imports the book's tooling, so runs only in the repository) offers no ``.ipynb`` download.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
from pathlib import Path

from . import (
    assets,
    audio,
    crossref,
    deeper,
    doctrees,
    figures,
    glossary,
    mathjax,
    numbering,
    pages,
    preview,
    repository,
)


@functools.cache
def _runnable_book():
    """``book/_tools/runnable_book.py``, loaded from its file (``_tools`` is not a package on the path here)."""
    path = Path(__file__).resolve().parents[2] / "_tools" / "runnable_book.py"
    spec = importlib.util.spec_from_file_location("lrnn_runnable_book", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def _runnable_zip(app, exception):
    """The runnable book into the site: built here, or, when ``LRNN_RUNNABLE_ZIP`` names one built
    from these sources (``make test`` builds it first, runs it, then this site), that very file."""
    name = app.config.lrnn_runnable_zip
    if exception is not None or app.builder.format != "html" or not name:
        return
    built = os.environ.get("LRNN_RUNNABLE_ZIP", "")
    if built:
        if not Path(built).is_file():
            raise FileNotFoundError(f"LRNN_RUNNABLE_ZIP is {built!r}, which is no file: `make runnable` builds it")
        shutil.copyfile(built, Path(app.outdir) / name)
        return
    _runnable_book().build_zip(Path(app.srcdir), Path(app.outdir) / name)


def _notebook_download(app, pagename, templatename, context, doctree):
    """A notebook page that the runnable book leaves out offers no ``.ipynb``: it would not run there."""
    source = Path(app.srcdir) / f"{pagename}.ipynb"
    if not app.config.lrnn_runnable_zip or not source.is_file() or _runnable_book().runnable(source):
        return
    for group in context.get("header_buttons", ()):
        if group.get("label") == "download-buttons":
            group["buttons"] = [b for b in group["buttons"] if not str(b.get("url", "")).endswith(".ipynb")]


def _config_inited(app, config):
    config.html_search_scorer = str(Path(__file__).with_name("scorer.js"))
    mathjax.configure(app, config)


def setup(app):
    app.add_config_value("lrnn_equation_appendix", "appendix_equations", "env")
    app.add_config_value("lrnn_errata_page", "appendix_errata", "env")
    app.add_config_value("lrnn_paper_numbered", ["proposition", "remark", "example"], "env")
    app.add_config_value("lrnn_runnable_zip", "lrnn-book.zip", "html")

    assets.disable_thebe(app)
    numbering.register_author_year_style()
    import sphinx_proof.domain

    sphinx_proof.domain.ProofIndex.generate = numbering.proof_index_generate

    app.connect("config-inited", _config_inited)
    app.connect("doctree-read", crossref.collect)
    app.connect("doctree-read", numbering.record_titles)
    app.connect("env-purge-doc", crossref.purge)
    app.connect("env-merge-info", crossref.merge)
    app.connect("env-get-updated", numbering.renumber, priority=900)
    app.connect("doctree-resolved", crossref.link_mentions)
    app.connect("doctree-resolved", figures.widen)
    app.connect("doctree-resolved", figures.add_phone_layouts)
    app.connect("doctree-resolved", deeper.mark)
    app.connect("html-page-context", assets.page_assets, priority=900)
    app.connect("html-page-context", _notebook_download, priority=600)  # after sphinx-book-theme's (501)
    app.connect("build-finished", _runnable_zip)
    app.connect("build-finished", assets.finish, priority=900)
    glossary.setup(app)
    doctrees.setup(app)
    repository.setup(app)
    preview.setup(app)
    audio.setup(app)
    pages.setup(app)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
