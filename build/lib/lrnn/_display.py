"""How outputs should look where they will be shown (not a paper concept).

The book's site is built with ``LRNN_STATIC_SITE=1``: no kernel will ever serve a
widget there, so explorers emit only their kernel-free face and progress bars only
their final state. Elsewhere (JupyterLab, a terminal) outputs are live.
"""

from __future__ import annotations

import os

__all__ = ["static_site"]


def static_site() -> bool:
    """True while the book's static site is being built (``LRNN_STATIC_SITE=1``)."""
    return os.environ.get("LRNN_STATIC_SITE", "") not in ("", "0")
