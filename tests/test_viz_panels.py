"""lrnn.viz.panels: a figure laid out again in one column at a phone's width, and the site's pairing."""

import importlib
import io
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from lrnn.viz import one_column, show  # noqa: E402
from lrnn.viz.panels import PHONE_WIDTH, panel_axes  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _grid(rows=2, cols=4, **kw):
    fig, axes = plt.subplots(rows, cols, figsize=(12, 5.6), layout="constrained", **kw)
    for ax in axes.flat:
        ax.plot(np.arange(10) ** 2)
    return fig, axes


def test_panels_are_grid_places_with_their_twins_not_colour_bars():
    fig, axes = _grid(2, 2)
    twin = axes[1, 0].twinx()
    fig.colorbar(axes[0, 0].imshow(np.eye(3)), ax=axes)
    found = panel_axes(fig)
    assert [len(p) for p in found] == [1, 1, 2, 1]
    assert found[2] == [axes[1, 0], twin]
    mosaic, ax = plt.subplot_mosaic([["a", "a"], ["b", "c"]])
    assert [p[0] for p in panel_axes(mosaic)] == [ax["a"], ax["b"], ax["c"]]


@pytest.mark.parametrize("shape", [(2, 4), (1, 3), (4, 1)])
def test_one_column_stacks_every_panel_at_the_phone_width(shape):
    fig, axes = _grid(*shape, sharex=True, sharey=True)
    png = one_column(fig)
    boxes = [ax.get_position() for ax in axes.flat]
    assert len({round(b.x0, 6) for b in boxes}) == 1, "one column"
    tops = [b.y1 for b in boxes]
    assert tops == sorted(tops, reverse=True), "in the order they were made, the first on top"
    assert all(b1.y0 >= b2.y1 for b1, b2 in zip(boxes, boxes[1:])), "no two overlap"
    with Image.open(io.BytesIO(png)) as im:
        width, height = im.size
    dpi = fig.dpi
    assert PHONE_WIDTH * dpi * 0.9 < width < PHONE_WIDTH * dpi * 1.15, (width, "trimmed like inline figures")
    assert height > len(boxes) * 1.5 * dpi, "each panel keeps a readable height"
    # a shared axis hid the tick labels beside or above a neighbour; in one column every panel shows them
    for ax in axes.flat:
        fig.canvas.draw()
        assert any(t.get_visible() and t.get_text() for t in ax.get_yticklabels()), "y tick labels"
        assert any(t.get_visible() and t.get_text() for t in ax.get_xticklabels()), "x tick labels"


def test_one_column_keeps_a_twin_on_its_panel_and_its_labels_on_the_right():
    fig, axes = _grid(1, 2)
    twin = axes[0].twinx()
    twin.plot([3, 1, 2], color="C1")
    one_column(fig)
    assert twin.get_position().bounds == pytest.approx(axes[0].get_position().bounds)
    fig.canvas.draw()
    assert twin.yaxis.get_ticks_position() == "right" and axes[0].yaxis.get_ticks_position() == "left"


def test_one_column_draws_a_single_panel_again_at_the_phone_width():
    fig, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    ax.plot(np.arange(10) ** 2)
    with Image.open(io.BytesIO(one_column(fig))) as im:
        width, height = im.size
    assert PHONE_WIDTH * fig.dpi * 0.9 < width < PHONE_WIDTH * fig.dpi * 1.15, width
    assert 1.8 * fig.dpi <= height <= 2.6 * fig.dpi * 1.1, "the panel's aspect, within the height bounds"


def test_one_column_keeps_labels_beyond_the_axes_and_a_wide_legend_within_the_phone_width():
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    for k, ax in enumerate(axes):
        for j in range(3):
            ax.plot(np.arange(10) * j, label=f"a long legend entry number {j} of panel {k}")
    axes[1].text(1.02, 0.5, "a label here", transform=axes[1].transAxes)  # as Chapter 10's scatter has
    fig.legend(*axes[0].get_legend_handles_labels(), ncols=3, loc="outside lower center")
    with Image.open(io.BytesIO(one_column(fig))) as im:
        width = im.size[0]
    assert width <= (PHONE_WIDTH * 1.03 + 0.2) * fig.dpi, (width, "labels and legend within the phone width")
    legend = fig.legends[0]
    assert legend._ncols == 1 and [t.get_text() for t in legend.texts] == [line.get_label() for line in axes[0].lines]
    assert [h.get_color() for h in legend.legend_handles] == [line.get_color() for line in axes[0].lines]


def test_one_column_refuses_a_figure_without_panels_a_bad_width_and_a_non_figure():
    fig = plt.figure()
    fig.add_axes((0.1, 0.1, 0.8, 0.8))  # placed by hand, not in a grid: no panel
    with pytest.raises(ValueError, match="no panel"):
        one_column(fig)
    fig, _ = _grid(1, 2)
    for width in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="width"):
            one_column(fig, width=width)
    with pytest.raises(TypeError, match="fig has type"):
        one_column("figure")
    with pytest.raises(TypeError, match="fig has type"):
        show(3)


class _Shown(list):
    def __call__(self, obj):
        self.append(obj)


@pytest.mark.parametrize(
    ("site", "printed", "folder", "rows", "shown"),
    [
        ("", "", True, 2, "plt.show"),
        ("1", "", True, 2, "phone"),
        ("1", "1", True, 2, "plt.show"),
        ("1", "", False, 2, "plt.show"),
        ("1", "", True, 1, "phone"),
        ("1", "", True, 0, "plt.show"),
    ],
)
def test_show_draws_the_one_column_layout_only_for_the_site(monkeypatch, tmp_path, site, printed, folder, rows, shown):
    """JupyterLab and the PDF: plt.show(). The site: the figure as a PNG, and its one-column layout written
    under the PNG's SHA-256 into LRNN_PHONE_FIGURES (one panel too; not a figure without panels)."""
    import hashlib

    monkeypatch.setenv("LRNN_STATIC_SITE", site)
    monkeypatch.setenv("LRNN_PRINT_EDITION", printed)
    monkeypatch.setenv("LRNN_PHONE_FIGURES", str(tmp_path / "phone") if folder else "")
    displayed, plain = _Shown(), []
    monkeypatch.setattr("IPython.display.display", displayed)
    monkeypatch.setattr(plt, "show", lambda: plain.append(True))
    if rows:
        fig, _ = plt.subplots(rows, 1)
    else:
        fig = plt.figure()
        fig.add_axes((0.1, 0.1, 0.8, 0.8))
    show(fig)
    if shown == "plt.show":
        assert plain == [True] and displayed == [] and not (tmp_path / "phone").exists()
        return
    assert plain == [] and len(displayed) == 1
    png = displayed[0].data
    written = list((tmp_path / "phone").iterdir())
    assert [p.name for p in written] == [f"{hashlib.sha256(png).hexdigest()}.png"]
    with Image.open(written[0]) as im:  # the figure's one-column layout, at the phone width
        assert PHONE_WIDTH * fig.dpi * 0.9 < im.size[0] < PHONE_WIDTH * fig.dpi * 1.15
    assert not plt.fignum_exists(fig.number), "closed, so that the cell's end does not show it again"


def test_show_writes_a_phone_version_given_and_leaves_diagrams_to_plt_show(monkeypatch, tmp_path):
    """``phone=``: that figure, drawn as it is, is the phone layout; a diagram (shown as SVG) is not paired."""
    import hashlib

    from lrnn.viz import draw_canonical_cell

    monkeypatch.setenv("LRNN_STATIC_SITE", "1")
    monkeypatch.setenv("LRNN_PRINT_EDITION", "")
    monkeypatch.setenv("LRNN_PHONE_FIGURES", str(tmp_path))
    displayed, plain = _Shown(), []
    monkeypatch.setattr("IPython.display.display", displayed)
    monkeypatch.setattr(plt, "show", lambda: plain.append(True))
    fig, _ = plt.subplots(2, 1, figsize=(9, 5))
    small, _ = plt.subplots(figsize=(3.0, 2.0))
    show(fig, phone=small)
    (written,) = tmp_path.iterdir()
    assert written.name == f"{hashlib.sha256(displayed[0].data).hexdigest()}.png"
    with Image.open(written) as im:
        assert im.size[0] < 3.2 * small.dpi, "the phone version as drawn, not a one-column layout of fig"
    assert not plt.fignum_exists(small.number) and not plt.fignum_exists(fig.number)
    with pytest.raises(TypeError, match="phone has type"):
        show(plt.figure(), phone="small")
    diagram, _ = draw_canonical_cell()
    show(diagram)
    assert plain == [True] and len(displayed) == 1 and len(list(tmp_path.iterdir())) == 1


def test_the_site_puts_the_one_column_layout_after_its_figure(tmp_path, monkeypatch):
    """book/_ext/lrnn_site/figures.py: an image whose name has a layout in LRNN_PHONE_FIGURES is followed by it."""
    import types

    from docutils import nodes
    from docutils.utils import new_document

    monkeypatch.syspath_prepend(str(__import__("pathlib").Path(__file__).parents[1] / "book" / "_ext"))
    figures = importlib.import_module("lrnn_site.figures")
    (tmp_path / "phone").mkdir()
    (tmp_path / "phone" / "abc.png").write_bytes(b"\x89PNG layout")
    monkeypatch.setenv("LRNN_PHONE_FIGURES", str(tmp_path / "phone"))

    def cell(*names):
        box = nodes.container(classes=["cell_output"])
        box += [nodes.image(uri=f"../_build/jupyter_execute/{name}", alt="Two panels.") for name in names]
        return box

    doc = new_document("page")
    doc += [cell("abc.png"), cell("other.png")]
    app = types.SimpleNamespace(
        srcdir=str(tmp_path), outdir=str(tmp_path / "html"), builder=types.SimpleNamespace(format="html")
    )
    figures.add_phone_layouts(app, doc, "chapter")
    first, second = [list(box.children) for box in doc.children]
    assert first[0]["classes"] == ["lrnn-desktop-figure"] and first[0]["loading"] == "lazy"
    assert isinstance(first[1], nodes.raw) and 'class="lrnn-phone-figure"' in first[1].astext()
    assert 'alt="Two panels."' in first[1].astext() and 'loading="lazy"' in first[1].astext()
    name = first[1].astext().split('src="_images/')[1].split('"')[0]
    assert (tmp_path / "html" / "_images" / name).read_bytes() == b"\x89PNG layout"
    assert len(second) == 1 and second[0]["classes"] == [], "an image without a layout is left as it is"
    figures.add_phone_layouts(app, doc, "chapter")
    assert len(list(doc.children[0].children)) == 2, "run twice, added once"
    app.builder.format = "latex"
    doc2 = new_document("page")
    doc2 += [cell("abc.png")]
    figures.add_phone_layouts(app, doc2, "chapter")
    assert len(list(doc2.children[0].children)) == 1, "not in the PDF"
    sys.modules.pop("lrnn_site.figures", None)


def test_the_site_sizes_a_phone_layout_at_100_dpi(tmp_path, monkeypatch):
    """figures.css_size: a layout drawn at 200 dpi (2x) is shown at half its pixels; at 100 dpi, as drawn."""
    monkeypatch.syspath_prepend(str(__import__("pathlib").Path(__file__).parents[1] / "book" / "_ext"))
    figures = importlib.import_module("lrnn_site.figures")
    fig, ax = plt.subplots(figsize=(4.2, 2.0))
    for dpi in (100, 200):
        fig.savefig(tmp_path / f"{dpi}.png", dpi=dpi)
        assert figures.css_size(tmp_path / f"{dpi}.png") == (420, 200), dpi
    (tmp_path / "bad.png").write_bytes(b"\x89PNG not really")
    assert figures.css_size(tmp_path / "bad.png") is None
    sys.modules.pop("lrnn_site.figures", None)
