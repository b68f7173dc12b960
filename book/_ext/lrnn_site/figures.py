"""Figures wider than the text column use the page's right margin too.

A notebook output whose image, at its natural size, is wider than the text column gets the
theme's ``full-width`` class: from 992 px on it spans 136 % of the column (the page contents
list folds away while it is in view, as for the explorers), so a diagram's labels are shown
closer to their natural size; on a phone nothing changes. The natural width is read from the
image file: an SVG's ``width`` (pt or px), a PNG's header.

A figure of several panels shown by ``lrnn.viz.show`` is followed, on the site, by the same panels
in one column (a PNG with the text key ``lrnn:layout``): that image gets the class
``lrnn-phone-figure`` and the one before it ``lrnn-desktop-figure``, and the stylesheet shows one
of the two by the width of the screen. Both load lazily, so that a browser fetches only the one
it shows.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from docutils import nodes

#: The text column at desktop widths, in CSS px (688 px at 1280 px).
COLUMN_PX = 700


def natural_width(path: Path) -> float | None:
    """Width in CSS px of an SVG or PNG file as a browser shows it unscaled, or None."""
    try:
        if path.suffix == ".svg":
            head = path.read_text(encoding="utf-8", errors="replace")[:4000]
            m = re.search(r"<svg\b[^>]*?\swidth=\"([\d.]+)(pt|px)?\"", head)
            if m:
                return float(m.group(1)) * (4 / 3 if m.group(2) == "pt" else 1)
        elif path.suffix == ".png":
            with path.open("rb") as f:
                head = f.read(24)
            if head[:8] == b"\x89PNG\r\n\x1a\n":
                return float(struct.unpack(">I", head[16:20])[0])
    except OSError:
        return None
    return None


#: The PNG text key, and its value, of a one-column layout (``lrnn.viz.panels.MARK``).
PHONE_MARK = (b"lrnn:layout", b"one-column")


def phone_layout(path: Path) -> bool:
    """Whether the PNG at ``path`` is a figure's one-column layout for phones (its tEXt chunk says so)."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if path.suffix != ".png" or data[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    at = 8
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if kind == b"tEXt" and data[at + 8 : at + 8 + size].split(b"\0", 1) == list(PHONE_MARK):
            return True
        if kind in (b"IDAT", b"IEND"):  # text chunks of interest come before the image data
            return False
        at += 12 + size
    return False


def pair_layouts(app, doctree, docname):
    """``doctree-resolved``: a one-column layout and the figure before it, in one cell, become a pair."""
    src = Path(app.srcdir)
    for box in doctree.findall(nodes.container):
        if "cell_output" not in box.get("classes", []):
            continue
        previous = None
        for image in box.findall(nodes.image):
            if previous is not None and phone_layout((src / image["uri"]).resolve()):
                previous["classes"].append("lrnn-desktop-figure")
                image["classes"].append("lrnn-phone-figure")
                for each in (previous, image):  # a browser fetches the one it shows, not the one it hides
                    each["loading"] = "lazy"
            previous = image


def widen(app, doctree, docname):
    """``doctree-resolved``: mark notebook outputs whose image is wider than the column."""
    src = Path(app.srcdir)
    for box in doctree.findall(nodes.container):
        if "cell_output" not in box.get("classes", []) or "full-width" in box["classes"]:
            continue
        for image in box.findall(nodes.image):
            width = natural_width((src / image["uri"]).resolve())
            if width and width > COLUMN_PX:
                box["classes"].append("full-width")
                break
