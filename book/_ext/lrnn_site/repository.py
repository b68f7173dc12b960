"""Where the code lives: the repository's address, from ``repository.url`` in ``_config.yml``.

Jupyter Book passes that setting to Sphinx as ``html_theme_options["repository_url"]``. A page
that tells readers to clone the repository says so with

* the role ``{repository}`the repository``` : the text, followed by the address as a link when
  one is configured, the text alone when none is;
* the directive ``{clone}`` : a console block with ``git clone <address>`` and ``cd <folder>``
  when an address is configured, nothing at all when none is.

So the site never shows an empty link or a placeholder address.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


def repository_url(config) -> str:
    """The configured repository address (``""`` when unset), without a trailing ``.git`` or slash."""
    options = getattr(config, "html_theme_options", None) or {}
    url = str(options.get("repository_url") or "").strip()
    return re.sub(r"(\.git)?/*$", "", url)


def clone_folder(url: str) -> str:
    """The folder ``git clone url`` creates: the last part of the address."""
    return url.rstrip("/").rsplit("/", 1)[-1] or "repository"


def repository_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    config = inliner.document.settings.env.config
    url = repository_url(config)
    out = [nodes.Text(text)]
    if url:
        out += [nodes.Text(" ("), nodes.reference(url, url, refuri=url, classes=["lrnn-repository"]), nodes.Text(")")]
    return out, []


class Clone(SphinxDirective):
    """A ``git clone`` console block for the configured repository, or nothing."""

    has_content = False

    def run(self):
        url = repository_url(self.config)
        if not url:
            return []
        code = f"$ git clone {url}\n$ cd {clone_folder(url)}"
        block = nodes.literal_block(code, code, language="console", classes=["lrnn-clone"])
        self.set_source_info(block)
        return [block]


def setup(app):
    app.add_role("repository", repository_role)
    app.add_directive("clone", Clone)
