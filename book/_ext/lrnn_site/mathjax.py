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
  (``autoload``), from the same folder, so a page downloads only the packages it uses; only
  the packages (:data:`TEX_PACKAGES`) and fonts (:data:`FONTS`) that the pages use are shipped.
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

#: TeX packages the pages load: the components above, ``require`` (which the loader pulls in) and
#: those ``autoload`` loads for a macro the pages use (``\\boldsymbol``). A page that uses another
#: package's macro asks for a file not shipped: the browser tests fail on its 404.
TEX_PACKAGES = ("ams", "autoload", "boldsymbol", "newcommand", "noundefined", "require")
#: CommonHTML fonts the pages' formulas are set in (read in Chromium from every page, the hidden
#: solutions among them: tests/test_browser_layout.py checks each page's against this list); the
#: Fraktur, script, sans-serif and bold families are not used.
FONTS = (
    "AMS-Regular",
    "Calligraphic-Regular",
    "Main-Italic",
    "Main-Regular",
    "Math-BoldItalic",
    "Math-Italic",
    "Size1-Regular",
    "Size2-Regular",
    "Size3-Regular",
    "Size4-Regular",
    "Typewriter-Regular",
    "Vector-Regular",
    "Zero",
)
#: Files kept from sphinx-mathjax-offline's copy of MathJax, relative to ``_static/mathjax``:
#: the components above and what they load (TeX packages on demand, the CHTML fonts).
KEEP = (
    "startup.js",
    "core.js",
    "input/tex-base.js",
    *(f"input/tex/extensions/{name}.js" for name in TEX_PACKAGES),
    "output/chtml.js",
    "output/chtml/fonts/tex.js",
    *(f"output/chtml/fonts/woff-v2/MathJax_{name}.woff" for name in FONTS),
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
