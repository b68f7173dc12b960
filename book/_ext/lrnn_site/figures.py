"""Figures wider than the text column use the page's right margin too.

A notebook output whose image, at its natural size, is wider than the text column gets the
theme's ``full-width`` class: from 992 px on it spans 136 % of the column (the page contents
list folds away while it is in view, as for the explorers), so a diagram's labels are shown
closer to their natural size; on a phone nothing changes. The natural width is read from the
image file: an SVG's ``width`` (pt or px), a PNG's pixels at 100 dpi (:func:`css_size`).

A figure shown by ``lrnn.viz.show`` (every plot of the chapters) has a layout for phones, drawn
while the notebook ran into the folder ``LRNN_PHONE_FIGURES`` under the SHA-256 of the shown PNG
(which is also the name myst-nb gives the notebook's image). :func:`add_phone_layouts` puts it
into the page right after that image, as an image of class ``lrnn-phone-figure`` with the same
alt text, and gives the first the class ``lrnn-desktop-figure``: the stylesheet shows one of the
two by the width of the screen. Both load lazily, so that a browser fetches only the one it shows.
(The diagrams, SVG, have none: on a phone they pan sideways at a readable size, lrnn_layout.js.)
"""

from __future__ import annotations

import hashlib
import html
import os
import re
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
            size = css_size(path)
            return float(size[0]) if size else None
    except OSError:
        return None
    return None


def css_size(path: Path) -> tuple[int, int] | None:
    """A PNG's size in CSS px at matplotlib's 100 dpi, from its header and pHYs chunk (a figure
    drawn at 2x, 200 dpi, is shown at half its pixels, sharp on a phone's dense screen)."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            dpi = float(im.info.get("dpi", (100, 100))[0]) or 100.0
            return round(im.size[0] * 100 / dpi), round(im.size[1] * 100 / dpi)
    except OSError:
        return None


def add_phone_layouts(app, doctree, docname):
    """``doctree-resolved`` (HTML): after each image with a one-column layout, that layout, for phones."""
    folder = os.environ.get("LRNN_PHONE_FIGURES", "")
    if app.builder.format != "html" or not folder or not Path(folder).is_dir():
        return
    images = Path(app.outdir) / "_images"
    for box in doctree.findall(nodes.container):
        if "cell_output" not in box.get("classes", []):
            continue
        for image in list(box.findall(nodes.image)):
            phone = Path(folder) / f"{Path(image['uri']).stem}.png"
            if not phone.is_file() or "lrnn-desktop-figure" in image["classes"]:
                continue
            data = phone.read_bytes()
            name = f"{hashlib.sha256(data).hexdigest()}.png"
            images.mkdir(parents=True, exist_ok=True)
            (images / name).write_bytes(data)
            image["classes"].append("lrnn-desktop-figure")
            image["loading"] = "lazy"  # a browser fetches the one it shows, not the one it hides
            depth = "../" * docname.count("/")
            alt = html.escape(image.get("alt", ""), quote=True)
            size = css_size(phone)
            dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
            tag = f'<img alt="{alt}" class="lrnn-phone-figure" loading="lazy"{dims} src="{depth}_images/{name}" />'
            image.parent.insert(image.parent.index(image) + 1, nodes.raw("", tag, format="html"))


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
