"""How outputs should look where they will be shown (not a paper concept).

The book's site is built with ``LRNN_STATIC_SITE=1``: no kernel will ever serve a
widget there, so explorers emit only their kernel-free face and progress bars only
their final state. The PDF edition is built with ``LRNN_PRINT_EDITION=1`` as well: a page
cannot move a slider or play a sound, so explorers add a still and sounds a line saying
what plays. Elsewhere (JupyterLab, a terminal) outputs are live.
"""

from __future__ import annotations

import os

__all__ = ["static_site", "print_edition"]


def static_site() -> bool:
    """True while the book's static site is being built (``LRNN_STATIC_SITE=1``)."""
    return os.environ.get("LRNN_STATIC_SITE", "") not in ("", "0")


def print_edition() -> bool:
    """True while the book's PDF edition is being built (``LRNN_PRINT_EDITION=1``)."""
    return os.environ.get("LRNN_PRINT_EDITION", "") not in ("", "0")
