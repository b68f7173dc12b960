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
from lrnn.viz.panels import DESKTOP_DPI, PHONE_DPI, PHONE_WIDTH, panel_axes  # noqa: E402


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
    inches = fig.get_size_inches()[0]
    show(fig)
    if shown == "plt.show":
        assert plain == [True] and displayed == [] and not (tmp_path / "phone").exists()
        return
    assert plain == [] and len(displayed) == 1
    png = displayed[0].data
    written = list((tmp_path / "phone").iterdir())
    assert [p.name for p in written] == [f"{hashlib.sha256(png).hexdigest()}.png"]
    with Image.open(written[0]) as im:  # the figure's one-column layout, at the phone width, drawn at 2x
        assert PHONE_WIDTH * PHONE_DPI * 0.9 < im.size[0] < PHONE_WIDTH * PHONE_DPI * 1.15
        assert round(im.info["dpi"][0]) == PHONE_DPI == 2 * fig.dpi, "shown at its size at 100 dpi"
    with Image.open(io.BytesIO(png)) as im:  # the figure itself as the inline backend draws it, at 2x
        assert round(im.info["dpi"][0]) == DESKTOP_DPI == 2 * fig.dpi
        assert 0.8 * inches * DESKTOP_DPI < im.size[0] <= inches * DESKTOP_DPI, "the figure's width, trimmed"
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
        assert im.size[0] < 3.2 * PHONE_DPI, "the phone version as drawn, not a one-column layout of fig"
        assert im.size[0] > 2.5 * PHONE_DPI and round(im.info["dpi"][0]) == PHONE_DPI, "at 2x"
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


# -- the one-column layout as a phone shows it: text sizes, legends off the data, panels of a fixed aspect --

MIN_TEXT_PX = 11  # as test_browser_layout.test_every_figure_reads_on_a_phone asks of the tick labels


def _latency_scatter():
    """Chapter 10's scatter of test error against inputs waited for: five series, an 8 pt legend and note."""
    rng = np.random.default_rng(0)
    fig, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    names = ["Vanilla LSTM", "Augmented, L = 2", "Augmented, L = 3", "Delayed Vanilla LSTM", "Bidirectional LSTM"]
    for k, (name, wait, err) in enumerate(zip(names, [0, 1, 2, 2.25, 9.5], [0.11, 0.055, 3e-4, 2e-3, 6e-4])):
        spread = np.exp(rng.normal(0, 0.4 if k > 1 else 0.02, 10))
        ax.semilogy(wait + (np.arange(10) - 5) * 0.03, err * spread, "o", ms=4, color=f"C{k}", label=name)
    ax.axhline(0.11, color="0.5", ls=":", lw=1)
    ax.set_ylim(top=0.33)
    ax.text(
        0.98, 0.11 * 1.15, "floor of every causal model", fontsize=8, ha="right", transform=ax.get_yaxis_transform()
    )
    ax.set_xlabel("inputs waited for after x[n], mean over the segment")
    ax.set_ylabel("test MSE (one dot per seed)")
    ax.legend(fontsize=8, loc="center right", title="model", title_fontsize=8)
    return fig


def _titled_pair():
    """Two panels with 9 pt titles and an 8 pt legend in each, and an 8 pt legend of the whole figure."""
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2), layout="constrained", sharey=True)
    for ax, title in zip(axes, ("untrained", "trained")):
        for k in range(2):
            ax.semilogy(np.arange(1, 9), np.arange(1, 9) ** (k + 1.0), "o-", ms=4, label=f"through path {k}")
        ax.set_title(f"with attention, {title}", fontsize=9)
        ax.legend(fontsize=8)
    fig.legend(*axes[0].get_legend_handles_labels(), ncols=2, loc="outside lower center", fontsize=8)
    return fig


def _labels_beyond():
    """A panel whose labels reach beyond its axes on the right (Chapter 7's sweep): a wider picture."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
    for ax in axes:
        ax.plot(np.arange(10) * 1000.0, label="a series")
        ax.text(1.02, 0.5, "a long label outside", transform=ax.transAxes, fontsize=8)
        ax.legend(fontsize=8, loc="lower right")
    return fig


def _drawn_texts(fig):
    """Every piece of text the figure draws, as (kind, text, box in pixels); tick labels within the view only."""
    from matplotlib.text import Text

    fig.draw_without_rendering()
    ticks, drawn = set(), []
    for ax in fig.axes:
        for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                for label in (tick.label1, tick.label2):
                    ticks.add(id(label))
                    if label.get_visible() and label.get_text() and min(lo, hi) <= tick.get_loc() <= max(lo, hi):
                        drawn.append(("tick", label))
    for text in fig.findobj(Text):
        if id(text) not in ticks and text.get_visible() and text.get_text().strip():
            drawn.append(("text", text))
    return [(kind, t, t.get_window_extent()) for kind, t in drawn]


def _shown_scale(fig, png):
    """The scale a phone shows the picture at: its CSS width (100 dpi) into PHONE_COLUMN_PX, never enlarged."""
    from lrnn.viz.panels import PHONE_COLUMN_PX

    with Image.open(io.BytesIO(png)) as im:
        css_width = im.size[0] * 100 / fig.dpi
    return min(1.0, PHONE_COLUMN_PX / css_width)


@pytest.mark.parametrize("make", [_latency_scatter, _titled_pair, _labels_beyond])
def test_one_column_text_legends_and_titles_included_reads_at_11_px_on_a_phone(make):
    """Legends (8 pt) and titles (9 pt) showed at 9-10 px on a phone, the tick labels at 13: in the phone
    layout every text, legends, titles and notes too, is at least MIN_TEXT_PX at the scale a 390 px phone
    shows the picture (in PHONE_COLUMN_PX, 326 px in dark mode; PHONE_TEXT points, more in a picture
    wider than 1.02 PHONE_WIDTH)."""
    fig = make()
    png = one_column(fig)
    scale = _shown_scale(fig, png)
    texts = _drawn_texts(fig)
    kinds = {t.get_text() for _, t, _ in texts}
    assert {"through path 0", "floor of every causal model", "a long label outside"} & kinds
    small = [(t.get_text(), round(t.get_fontsize() * 100 / 72 * scale, 1)) for _, t, _ in texts
             if t.get_fontsize() * 100 / 72 * scale < MIN_TEXT_PX]  # fmt: skip
    assert not small, (scale, small)
    for ax in [group[0] for group in panel_axes(fig) if group[0].get_label() != "legend"]:
        # an axis label no longer than its axis (broken at spaces where it was)
        assert ax.xaxis.label.get_window_extent().width <= ax.bbox.width * 1.02, ax.xaxis.label.get_text()
        assert ax.yaxis.label.get_window_extent().height <= ax.bbox.height * 1.02, ax.yaxis.label.get_text()


def test_one_column_keeps_legends_and_notes_off_the_data_and_text_off_text():
    """Chapter 10's scatter on a phone: its five-entry legend, in the panel at the right, covered the dots
    of the Bidirectional LSTM (and its note ran out of the panel): a legend that would cover data goes
    under its panel; no legend or text lies over a data point, and no two texts overlap."""
    fig = _latency_scatter()
    one_column(fig)
    texts = _drawn_texts(fig)
    (panel,) = [g[0] for g in panel_axes(fig) if g[0].get_label() != "legend"]
    points = np.concatenate([line.get_transform().transform(line.get_xydata()) for line in panel.lines[:5]])
    (legend,) = [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    covers = [legend.get_window_extent(), *[box for _, t, box in texts if t in panel.texts]]
    for box in covers:
        inside = (points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)
        assert not inside.any(), (box, points[inside])
    assert legend.get_window_extent().y1 <= panel.xaxis.label.get_window_extent().y0, "under the panel"
    (note,) = panel.texts
    assert panel.bbox.x0 <= note.get_window_extent().x0 and note.get_window_extent().x1 <= panel.bbox.x1
    for i, (_, a, box_a) in enumerate(texts):
        for _, b, box_b in texts[i + 1 :]:
            assert not box_a.overlaps(box_b), (a.get_text(), b.get_text())
    handles = legend.legend_handles
    assert legend.get_title().get_text() == "model", "its title kept"
    assert [t.get_text() for t in legend.texts] == [line.get_label() for line in panel.lines[:5]]
    assert [h.get_color() for h in handles] == [line.get_color() for line in panel.lines[:5]]


def test_one_column_moves_a_legend_off_a_note():
    """Chapter 7's Fig. 7.1 on a phone: its two-column legend, upper left, widened by the narrow layout,
    covered the annotation "answer at the last step" (the legend was moved only off data): a legend
    over a note goes under its panel too."""
    fig, ax = plt.subplots(figsize=(8, 2.6), layout="constrained")
    rng = np.random.default_rng(0)
    ax.bar(np.arange(50), rng.uniform(0, 1, 50), color="0.75", width=0.8, label="values $x_1[n]$")
    ax.bar([10, 40], [0.4, 0.6], color="C3", width=0.8, label="marked: $x_2[n] = 1$")
    ax.annotate("answer at the last step: 0.58", xy=(49, 0.5), xytext=(30, 1.08), arrowprops={"arrowstyle": "->"})
    ax.set(xlabel="step $n$", ylim=(0, 1.25), xlim=(-1, 50))
    ax.legend(loc="upper left", fontsize=8, ncols=2)
    one_column(fig)
    fig.draw_without_rendering()
    (note,) = ax.texts
    (legend,) = [a.get_legend() for a in fig.axes if a.get_legend()]
    assert not legend.get_window_extent().overlaps(note.get_window_extent()), "the note is not covered"
    assert legend.get_window_extent().y1 <= ax.xaxis.label.get_window_extent().y0, "under the panel"


def _region_panels(n=4, aspect="equal", size=(12, 3.2)):
    """Chapter 11's stability regions: n panels of equal aspect side by side, sharing y."""
    fig, axes = plt.subplots(1, n, figsize=size, layout="constrained", sharey=True)
    for ax in axes:
        ax.contourf(*np.meshgrid(np.linspace(-4, 2, 41), np.linspace(-3, 3, 41)), np.ones((41, 41)), levels=[0.5, 1.5])
        ax.set_title("backward Euler")
        ax.set_xlabel(r"$\mathrm{Re}\,z$")
        ax.set_aspect(aspect)
    axes[0].set_ylabel(r"$\mathrm{Im}\,z$")
    return fig, axes


def test_one_column_puts_panels_of_a_fixed_aspect_two_to_a_row():
    """Chapter 11's four square panels, one to a row, were a 263 px column 1051 px tall (each panel 2.6 in
    high, as wide): three or more panels of a fixed aspect that one to a row would leave narrower than 0.7
    of the width go two to a row, each at least 0.35 of the width, square still, y tick labels shown once
    a row."""
    fig, axes = _region_panels()
    png = one_column(fig)
    with Image.open(io.BytesIO(png)) as im:
        width, height = im.size
    boxes = [ax.get_position() for ax in axes]
    assert len({round(b.x0, 3) for b in boxes}) == 2 and len({round(b.y0, 3) for b in boxes}) == 2, "2 x 2"
    assert [round(b.y0, 3) for b in boxes] == sorted((round(b.y0, 3) for b in boxes), reverse=True), "in order"
    assert boxes[0].x0 < boxes[1].x0 and boxes[2].x0 < boxes[3].x0, "left to right, then the next row"
    assert PHONE_WIDTH * fig.dpi * 0.9 < width < PHONE_WIDTH * fig.dpi * 1.15 and height < 1.4 * width
    for ax in axes:
        w, h = ax.bbox.width, ax.bbox.height
        assert w >= 0.35 * width and h == pytest.approx(w, rel=0.02), (w, h, width)
    fig.canvas.draw()
    shown = [any(t.get_visible() and t.get_text() for t in ax.get_yticklabels()) for ax in axes]
    assert shown == [True, False, True, False], "the right panel shares its neighbour's y tick labels"
    # wide panels of a fixed aspect, free ones, or only two keep one to a row
    for fig, axes in (_region_panels(3, 0.3, (10, 2)), _region_panels(3, "auto"), _region_panels(2, size=(7, 3))):
        one_column(fig)
        assert len({round(ax.get_position().x0, 3) for ax in axes}) == 1


def test_one_column_draws_at_the_dpi_asked_with_the_same_layout():
    """``dpi=``: the same layout with twice the pixels at 200 dpi (its pHYs says so); a bad dpi is refused."""
    sizes = {}
    for dpi in (100, 200):
        fig, _ = plt.subplots(1, 3, figsize=(10, 3))
        fig.set_dpi(100)
        with Image.open(io.BytesIO(one_column(fig, dpi=dpi))) as im:
            sizes[dpi] = im.size
            assert round(im.info["dpi"][0]) == dpi
        plt.close(fig)
    assert all(abs(sizes[200][i] - 2 * sizes[100][i]) <= 4 for i in (0, 1)), sizes
    fig, _ = plt.subplots(1, 2)
    for bad in (0, -100, "200"):
        with pytest.raises(ValueError, match="dpi"):
            one_column(fig, dpi=bad)
    plt.close(fig)
