"""Numbered references read each page's doctree once.

Sphinx 7.4 resolves a numbered reference (``{numref}``, and the proofs' and exercises' numbered
links) by unpickling the whole doctree of the page it points to, once for every reference: the
book's 200-odd references to its figures, proofs and exercises unpickled a chapter's doctree
(outputs and all) that many times, a fifth of the site build. While a numbered reference is
resolved, :func:`setup` hands Sphinx's resolver a copy of each page's doctree read once in the
build; the resolver only looks the target node up in it and reads its number, never changes it.
The doctrees a page is written from are still read afresh, as Sphinx reads them.
"""

from __future__ import annotations

import functools

from sphinx.domains.std import StandardDomain

_read: dict[int, dict[str, object]] = {}  # id(env) -> {docname: doctree}, for one build


def _numref_reads_each_doctree_once(resolve):
    @functools.wraps(resolve)
    def wrapper(self, env, *args, **kwargs):
        read = _read.setdefault(id(env), {})
        get_doctree = env.get_doctree

        def once(docname):
            if docname not in read:
                read[docname] = get_doctree(docname)
            return read[docname]

        env.get_doctree = once  # an attribute of this environment, for this call only
        try:
            return resolve(self, env, *args, **kwargs)
        finally:
            del env.get_doctree

    wrapper.lrnn_reads_once = True
    return wrapper


def _forget(app, exception):
    _read.pop(id(app.env), None)


def setup(app):
    if not getattr(StandardDomain._resolve_numref_xref, "lrnn_reads_once", False):
        StandardDomain._resolve_numref_xref = _numref_reads_each_doctree_once(StandardDomain._resolve_numref_xref)
    app.connect("build-finished", _forget)
