import json
import re

import numpy as np
import pytest

from lrnn.widgets.explorer import Control, Explorer
from lrnn.widgets.view import Panel, Series, View


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
    plain = lambda v: re.sub(r"<[^>]+>", "", v)
    assert "a=2.0 linear" in plain(text.value)
    png = bytes(image.value)
    assert png.startswith(b"\x89PNG")
    slider.value = 3.0
    assert "a=3.0 linear" in plain(text.value)
    assert bytes(image.value) != png, "the figure is redrawn"


def test_control_default_must_be_on_grid():
    with pytest.raises(ValueError, match="default 5 is not in values"):
        Control("a", "a", (1, 2), 5)


def test_control_kinds_follow_the_values():
    assert Control("a", "a", (1, 2, 3), 2).kind == "slider"
    assert Control("a", "a", (1, 2), 2).kind == "buttons", "a two-value control is a toggle"
    family = Control("m", "matrix", ("symmetric", "Gaussian", "orthogonal", "non-normal"), "Gaussian")
    assert family.kind == "buttons", "named choices are segmented buttons"
    assert Control("a", "a", (1, 2, 3), 2, widget="buttons").kind == "buttons"
    with pytest.raises(ValueError, match="widget = 'knob'"):
        Control("a", "a", (1, 2), 1, widget="knob")


def test_an_alias_stores_a_frame_once_and_keeps_each_points_sentence():
    """With ``alias``, the static face stores the frames of the points that are their own alias
    (in grid order) and, for every grid point, its frame or ``[frame, its own sentence]``."""

    def compute(a, kind):
        shown = min(a, 2.0)  # a = 3 shows the panels of a = 2, under a sentence of its own
        view = tiny_compute(shown, kind)
        return View(panels=view.panels, text=f"a={a} shows a={shown} {kind}")

    controls = tiny().controls
    ex = Explorer("t", controls, compute, alias=lambda a, kind: {"a": min(a, 2.0), "kind": kind})
    data = ex.static_data()
    assert [f["text"] for f in data["frames"]] == [
        "a=1.0 shows a=1.0 linear",
        "a=1.0 shows a=1.0 square",
        "a=2.0 shows a=2.0 linear",
        "a=2.0 shows a=2.0 square",
    ]
    assert data["index"] == [0, 1, 2, 3, [2, "a=3.0 shows a=2.0 linear"], [3, "a=3.0 shows a=2.0 square"]]
    whole = Explorer("t", controls, compute).static_data()
    for k, e in enumerate(data["index"]):  # each point draws what the explorer without alias draws
        f, text = (data["frames"][e], None) if isinstance(e, int) else (data["frames"][e[0]], e[1])
        assert f["panels"] == whole["frames"][k]["panels"] and (text or f["text"]) == whole["frames"][k]["text"]
    assert "index" not in whole and len(whole["frames"]) == 6
    page = ex.static_html()
    assert '"index":[0,1,2,3,[2,' in page
    bad = Explorer("t", controls, compute, alias=lambda a, kind: {"a": 4.0, "kind": kind})
    with pytest.raises(ValueError, match=r"expected a point of the grid whose alias is itself"):
        bad.static_data()
    loop = Explorer("t", controls, compute, alias=lambda a, kind: {"a": {1.0: 2.0, 2.0: 1.0}.get(a, a), "kind": kind})
    with pytest.raises(ValueError, match=r"alias\(1.0, 'linear'\) = \(2.0, 'linear'\)"):
        loop.static_data()


def test_static_face_carries_widget_kinds_theme_and_layout():
    ex = Explorer(
        "t",
        (Control("a", "a", (1.0, 2.0, 3.0), 2.0), Control("m", "m", ("x", "y", "z"), "y")),
        lambda a, m: View(panels=(Panel(series=(Series([0, 1], [0, a]),), ylabel="y"),), text=m),
    )
    data = ex.static_data()
    assert [c["widget"] for c in data["controls"]] == ["slider", "buttons"]
    page = ex.static_html()
    assert "<style>" in page and "--lx-bg" in page and 'html[data-theme="dark"]' in page
    assert 'class="lrnn-explorer full-width"' in page


def test_numbers_and_markup_for_readers():
    from lrnn.widgets.view import plain_text, rich_html, sci

    assert sci(1.26e-23) == "1.3×10⁻²³" and sci(0.0842) == "0.084" and sci(-2e-5, 1) == "−2×10⁻⁵"
    assert rich_html("g_{cs} = 0.5") == 'g<sub>cs</sub> = <span style="white-space:nowrap">0.5</span>'
    assert plain_text("W_{r}^{T}") == "W_r^T"


def test_rich_text_keeps_apostrophes_and_escapes_markup():
    from lrnn.widgets.view import rich_html

    assert (
        rich_html("the cell's state <b> & 3")
        == 'the cell\'s state &lt;b&gt; &amp; <span style="white-space:nowrap">3</span>'
    )


def test_the_page_carries_frames_as_differences_from_the_first():
    """The static face stores frame 0 in full and the others as what differs from it; undone they are
    the frames again, on the book's explorers and on a list whose length or keys change."""
    from lrnn.widgets.explorer import frame_deltas, frames_from_deltas

    frames = tiny().static_data()["frames"]
    deltas = frame_deltas(frames)
    assert frames_from_deltas(deltas) == frames
    assert len(json.dumps(deltas)) < len(json.dumps(frames))
    odd = [{"a": [{"x": 1}], "b": 1}, {"a": [{"x": 1}, {"x": 2}], "b": 1}, {"a": {"y": 1}}]
    odd.append({"a": [{"x": 1, "z": 0}], "b": 2})
    assert frames_from_deltas(frame_deltas(odd)) == odd
    assert frame_deltas(odd)[1:] == [
        {"a": [{"x": 1}, {"x": 2}]},
        {"$set": {"a": {"y": 1}}},
        {"a": {"$list": [{"$set": {"x": 1, "z": 0}}]}, "b": 2},
    ]
    page = tiny().static_html()
    assert '"deltas":true' in page and "function patch(base, delta)" in page
