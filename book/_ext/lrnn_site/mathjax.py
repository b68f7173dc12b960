"""MathJax as the pages need it: at the text's own size, and only the parts that typeset TeX.

* Size: MathJax's CommonHTML output scales its fonts to match the surrounding text's x-height
  (``matchFontHeight``); the theme's font has a large x-height, so every formula came out at
  about 127 % of the text and wider than it needs to be. Mathematics is set at the text's
  own em (``scale: 1``, no matching).
* Weight: instead of the combined ``tex-chtml.js`` (1.16 MB: every TeX package the combined
  file bundles, the contextual menu and its accessibility tools), the page loads MathJax's
  startup and loader, the TeX input core with the AMS package, the CommonHTML output and the
  hidden MathML copy that screen readers read (``a11y/assistive-mml``). A formula that uses a
  macro from another package (``\\boldsymbol``, ``\\cancel``, ...) loads that package on demand
  (``autoload``), from the same folder, so a page downloads only the packages it uses.
* Only pages with mathematics load it at all (:func:`.assets.page_assets`).
"""

from __future__ import annotations

#: The MathJax entry point, relative to ``_static`` (sphinx-mathjax-offline's copy).
STARTUP = "mathjax/startup.js"

#: The components the pages load (the loader pulls in ``core`` and ``[tex]/require``).
COMPONENTS = [
    "input/tex-base",
    "[tex]/ams",
    "[tex]/newcommand",
    "[tex]/noundefined",
    "[tex]/autoload",
    "output/chtml",
    "a11y/assistive-mml",
]

#: Files kept from sphinx-mathjax-offline's copy of MathJax, relative to ``_static/mathjax``:
#: the components above and what they load (TeX extensions on demand, the CHTML fonts).
KEEP = (
    "startup.js",
    "core.js",
    "input/tex-base.js",
    "input/tex/extensions",
    "output/chtml.js",
    "output/chtml/fonts/tex.js",
    "output/chtml/fonts/woff-v2",
    "a11y/assistive-mml.js",
)
#: Never loaded: every extension in one file (autoload loads them one by one).
DROP = ("input/tex/extensions/all-packages.js",)


def configure(app, config):
    """``config-inited``: point Sphinx's MathJax at the startup component and configure it."""
    config.mathjax_path = STARTUP
    mj = dict(config.mathjax3_config or {})
    loader = dict(mj.get("loader", {}))
    loader["load"] = list(dict.fromkeys(list(loader.get("load", [])) + COMPONENTS))
    mj["loader"] = loader
    tex = dict(mj.get("tex", {}))
    tex["packages"] = {"[+]": ["ams", "newcommand", "noundefined", "autoload"]}
    mj["tex"] = tex
    chtml = dict(mj.get("chtml", {}))
    chtml.update({"matchFontHeight": False, "scale": 1, "mtextInheritFont": False})
    mj["chtml"] = chtml
    config.mathjax3_config = mj
