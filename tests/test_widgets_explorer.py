import json
import re

import numpy as np
import pytest

from lrnn.widgets.explorer import Control, Explorer, Panel, Series, View


def tiny_compute(a, kind):
    x = np.linspace(0, 1, 5)
    y = a * x if kind == "linear" else a * x**2
    return View(panels=(Panel(series=(Series(x, y, "y"),), title=kind),), text=f"a={a} {kind}")


def tiny():
    return Explorer(
        "tiny",
        (Control("a", "a", (1.0, 2.0, 3.0), 2.0), Control("kind", "kind", ("linear", "square"), "linear")),
        tiny_compute,
    )


def test_grid_and_corners():
    ex = tiny()
    assert len(ex.grid()) == 6
    texts = sorted(v.text for v in ex.corners())
    assert texts == ["a=1.0 linear", "a=1.0 square", "a=3.0 linear", "a=3.0 square"]


def test_static_data_is_row_major_and_rounded():
    data = tiny().static_data()
    assert [c["default"] for c in data["controls"]] == [1, 0]
    assert data["frames"][2 * 2 + 1]["text"] == "a=3.0 square"  # index = i_a * len(kind) + i_kind
    assert data["frames"][0]["panels"][0]["series"][0]["y"] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_static_html_is_self_contained():
    html = tiny().static_html()
    assert "lrnnExplorer(" in html and 'data-lrnn-explorer="static"' in html
    assert not re.search(r"""(src|href)=["']?https?://""", html)
    payload = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, re.S).group(1)
    assert json.loads(payload)["title"] == "tiny"


def test_mimebundle_carries_both_faces():
    bundle = tiny()._repr_mimebundle_()
    assert "text/html" in bundle and "application/vnd.jupyter.widget-view+json" in bundle


def test_site_build_emits_static_face_only(monkeypatch):
    monkeypatch.setenv("LRNN_STATIC_SITE", "1")
    assert set(tiny()._repr_mimebundle_()) == {"text/plain", "text/html"}


def test_live_widget_recomputes_on_change():
    box = tiny().live()
    slider = box.children[1].children[0]
    image, text = box.children[2], box.children[3]
    assert "a=2.0 linear" in text.value
    png = bytes(image.value)
    assert png.startswith(b"\x89PNG")
    slider.value = 3.0
    assert "a=3.0 linear" in text.value
    assert bytes(image.value) != png, "the figure is redrawn"


def test_control_default_must_be_on_grid():
    with pytest.raises(ValueError, match="default 5 is not in values"):
        Control("a", "a", (1, 2), 5)
