import matplotlib.pyplot as plt

from lrnn import viz, widgets


def test_canonical_cell_figure():
    fig, ax = viz.draw_canonical_cell()
    labels = " ".join(t.get_text() for t in ax.texts)
    for sym in ("W_r", "W_s", "W_x", r"\vec r[n-1]", r"\vec s[n]", r"\tanh"):
        assert sym in labels
    plt.close(fig)


def test_draw_view_one_axes_per_panel():
    view = widgets.discretization_view(dT=0.4, gain=2.0)
    fig, axes = viz.draw_view(view)
    assert len(axes) == len(view.panels) == 2
    assert axes[1].get_aspect() == 1.0
    plt.close(fig)
