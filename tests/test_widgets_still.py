import base64

import numpy as np

from lrnn.widgets.explorer import Control, Explorer
from lrnn.widgets.still import print_edition, still_bundle, still_caption, still_png
from lrnn.widgets.view import Panel, Series, View


def compute(a, kind):
    x = np.linspace(0, 1, 5)
    return View(panels=(Panel(series=(Series(x, a * x, "y"),), title=kind),), text=f"The slope is {a:g}.")


def tiny(caption="Raise a and the line steepens."):
    return Explorer(
        "A *tiny* explorer_one",
        (Control("a", "slope a", (1.0, 2.0, 3.0), 2.0), Control("kind", "kind", ("linear", "square"), "linear")),
        compute,
        caption=caption,
    )


def test_print_edition_follows_the_environment(monkeypatch):
    monkeypatch.delenv("LRNN_PRINT_EDITION", raising=False)
    assert not print_edition()
    monkeypatch.setenv("LRNN_PRINT_EDITION", "0")
    assert not print_edition()
    monkeypatch.setenv("LRNN_PRINT_EDITION", "1")
    assert print_edition()


def test_caption_names_the_default_view_and_what_the_controls_change():
    caption = still_caption(tiny())
    assert caption.startswith("A *tiny* explorer_one, at slope a = 2 and kind = “linear”.")
    assert "The slope is 2." in caption
    assert "controls set slope a (from 1 to 3); kind (“linear” or “square”)." in caption
    assert caption.endswith("Raise a and the line steepens.")
    assert still_caption(tiny(caption="")).endswith("“square”).")


def test_png_is_the_default_view():
    png = still_png(tiny(), dpi=50)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == round(4.6 * 50)  # one panel, 4.6 inches wide


def test_bundle_has_the_still_and_its_caption_as_markdown():
    bundle = still_bundle(tiny())
    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"
    md = bundle["text/markdown"]
    assert md.startswith(r"**A \*tiny\* explorer\_one**, at slope a = 2")  # Markdown characters escaped


def test_explorer_adds_the_still_only_for_the_pdf(monkeypatch):
    monkeypatch.setenv("LRNN_STATIC_SITE", "1")
    monkeypatch.delenv("LRNN_PRINT_EDITION", raising=False)
    assert set(tiny()._repr_mimebundle_()) == {"text/plain", "text/html"}
    monkeypatch.setenv("LRNN_PRINT_EDITION", "1")
    assert set(tiny()._repr_mimebundle_()) == {"text/plain", "text/html", "image/png", "text/markdown"}
