"""The book's own tooling (not part of :mod:`lrnn`).

- :mod:`_tools.notebooks`: the one reader of the book's notebooks and table of contents
  (cells, Markdown text, chapters, titles, objectives, exercises and their solutions);
- :mod:`_tools.objectives`: which exercises assess which learning objectives (the table the
  objectives page shows and checks);
- :mod:`_tools.ledger`: the equation ledger of the appendix;
- :mod:`_tools.student_edition`: the sources of the student edition (solutions removed);
- :mod:`_tools.editions`: a Sphinx extension for the PDF edition and the site's PDF download.

The chapters import these as ``_tools.<module>`` (a notebook runs in ``book/``), the tests
with ``book/`` on ``sys.path`` (``tests/conftest.py``).
"""
