import matplotlib.pyplot as plt

from lrnn import viz, widgets
from lrnn.widgets.draw import draw_view


def test_canonical_cell_figure():
    fig, ax = viz.draw_canonical_cell()
    labels = " ".join(t.get_text() for t in ax.texts)
    for sym in ("W_r", "W_s", "W_x", r"\vec r[n-1]", r"\vec s[n]", r"\tanh"):
        assert sym in labels
    plt.close(fig)


def test_draw_view_one_axes_per_panel():
    view = widgets.discretization_view(dT=0.4, gain=2.0)
    fig, axes = draw_view(view)
    assert len(axes) == len(view.panels) == 2
    assert axes[1].get_aspect() == 1.0
    plt.close(fig)


def test_unit_step_and_sample_figure():
    import numpy as np
    import pytest

    fig, axes = viz.draw_unit_step_and_sample()
    assert len(axes) == 2 and "(a)" in axes[0].get_title() and "(b)" in axes[1].get_title()
    n = np.arange(-11, 12)
    for ax, want in zip(axes, ((n >= 0).astype(float), (n == 0).astype(float))):
        heads = ax.lines[0]
        np.testing.assert_array_equal(heads.get_xdata(), n)
        np.testing.assert_array_equal(heads.get_ydata(), want)
    plt.close(fig)
    with pytest.raises(ValueError, match="non-integer"):
        viz.draw_unit_step_and_sample([0.5, 1.0])


def test_unrolled_rnn_figure():
    import pytest

    for steps in (1, 4, 6):
        fig, ax = viz.draw_unrolled_rnn(steps=steps)
        labels = [t.get_text() for t in ax.texts]
        cells = [t for t in labels if t.startswith("RNN Cell")]
        assert cells == [f"RNN Cell\n(Step {k})" for k in range(steps)]
        for k in (-1, steps - 1):
            assert rf"$\vec r[{k}]$" in labels and rf"$\vec s[{k}]$" in labels
        assert all(rf"$\vec x[{k}]$" in labels for k in range(steps))
        assert rf"$\vec x[{steps}]$" not in labels
        plt.close(fig)
    for bad in (0, -2, 2.5, True):
        with pytest.raises(ValueError, match="steps"):
            viz.draw_unrolled_rnn(steps=bad)


def test_gated_cell_figures_add_one_change_each():
    import pytest

    seen = {}
    for stage in (4, 5, 6):
        fig, ax = viz.draw_gated_cell(stage)
        labels = " ".join(t.get_text() for t in ax.texts)
        for sym in ("W_r", "W_x", r"\vec s[n-1]", r"\vec s[n]", r"\vec g_{cs}[n]", r"\vec g_{cu}[n]", r"\tanh"):
            assert sym in labels, (stage, sym)
        assert "W_s" not in labels  # W_s = I (Eq. 100): the box is gone
        seen[stage] = labels
        plt.close(fig)
    assert r"\vec r[n-1]" in seen[4] and r"\vec g_{cr}" not in seen[4]
    assert r"\vec v[n-1]" in seen[5] and r"\vec g_{cr}[n]" in seen[5] and r"\vec v[n]" in seen[5]
    assert r"\vec u[n]" in seen[6] and r"\vec a_{du}[n]" in seen[6] and r"\vec u[n]" not in seen[5]
    for bad in (1, 7, "6"):
        with pytest.raises(ValueError, match="4, 5 or 6"):
            viz.draw_gated_cell(bad)


# -- Ch. 5: Figs. 7-9 -----------------------------------------------------------------------------


def test_vanilla_lstm_cell_has_every_weight_of_eq_123():
    fig, ax = viz.draw_vanilla_lstm_cell()
    labels = " ".join(t.get_text() for t in ax.texts)
    for node in ("cu", "cs", "cr", "du"):
        assert rf"W_{{x_{{{node}}}}}" in labels and rf"W_{{v_{{{node}}}}}" in labels, node
        assert rf"\vec a_{{{node}}}" in labels
    assert all(rf"W_{{s_{{{n}}}}}" in labels for n in ("cu", "cs", "cr"))
    assert r"W_{s_{du}}" not in labels  # the data update node has no state term (P4)
    for sig in (r"\vec v[n-1]", r"\vec s[n-1]", r"\vec x[n]", r"\vec s[n]", r"\vec v[n]", r"\vec u[n]", r"\vec r[n]"):
        assert sig in labels, sig
    assert "Control Readout" not in labels  # the group boxes belong to Fig. 9 only
    plt.close(fig)


def test_fig9_adds_four_dashed_groups():
    from matplotlib.patches import Rectangle

    fig, ax = viz.draw_vanilla_lstm_cell(groups=True)
    labels = " ".join(t.get_text().replace("\n", " ") for t in ax.texts)
    for group in ("Data Update Candidate", "Control Update", "Control State", "Control Readout"):
        assert group in labels
    dashed = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_linestyle() != "solid"]
    assert len(dashed) == 4
    plt.close(fig)


def test_unrolled_lstm_figure():
    import pytest

    fig, ax = viz.draw_unrolled_lstm()
    labels = " ".join(t.get_text() for t in ax.texts)
    for k in range(4):
        assert f"(Step {k})" in labels and rf"\vec x[{k}]" in labels and rf"\vec v[{k}]" in labels
    assert r"\vec s[-1]=0" in labels and r"\vec s[3]" in labels and "(Step 4)" not in labels
    plt.close(fig)
    fig, ax = viz.draw_unrolled_lstm(2)
    assert "(Step 1)" in " ".join(t.get_text() for t in ax.texts)
    plt.close(fig)
    for bad in (0, 9, 2.0, True):
        with pytest.raises(ValueError, match="from 1 to 8"):
            viz.draw_unrolled_lstm(bad)


def test_bptt_graph_shows_forward_and_backward_paths():
    import pytest

    fig, ax = viz.draw_bptt_graph(steps=3)
    labels = " ".join(t.get_text() for t in ax.texts)
    for sym in (r"\vec s[2]", r"\vec r[0]", "E_1", r"\vec\psi[0]", r"\vec\chi[2]", r"W_r^T\vec\psi[1]"):
        assert sym in labels, sym
    assert r"\psi[3]=\vec 0" in labels, "the terminal condition of Eq. 85"
    plt.close(fig)
    with pytest.raises(ValueError, match="steps = 0"):
        viz.draw_bptt_graph(steps=0)


def test_augmented_lstm_cell_figure():
    fig, ax = viz.draw_augmented_lstm_cell()
    labels = [t.get_text() for t in ax.texts]
    for name in ("cu", "cs", "cr", "cx", "du"):  # five columns, each fed by its own windowed input
        assert rf"$\vec\xi_{{x_{{{name}}}}}[n]$" in labels and rf"$W_{{v_{{{name}}}}}$" in labels
        assert rf"$\vec a_{{{name}}}$" in labels
    for name in ("cu", "cs", "cr", "cx"):  # the gates see the state; du does not (Eq. 209)
        assert rf"$W_{{s_{{{name}}}}}$" in labels
    assert r"$W_{s_{du}}$" not in labels and r"$\vec x[n]$" not in labels
    outputs = (r"$\vec g_{cx}[n]$", r"$\vec q[n]$", r"$W_{q_{dr}}$", r"$\vec v[n]$", r"$\vec s[n-1]$")
    for sym in outputs + (r"$\vec v[n-1]$",):
        assert sym in labels, sym
    plt.close(fig)


def test_context_windows_figure():
    import pytest

    for L in (1, 4, 6):
        fig, (ax, ax_t) = viz.draw_context_windows(L=L)
        labels = [t.get_text() for t in ax.texts]
        for name in ("cu", "cs", "cr", "cx", "du"):
            assert rf"$W_{{x_{{{name}}}}}[n]$" in labels and rf"$\vec\xi_{{x_{{{name}}}}}[n]$" in labels
        taps = [t.get_text() for t in ax_t.texts if t.get_text().startswith("$W[")]
        assert taps == [f"$W[{l}]$" for l in range(L)] * 2  # two example steps, L taps each
        assert f"{L - 1}" in ax_t.get_title()
        plt.close(fig)
    for bad in (0, 9, 2.0, True):
        with pytest.raises(ValueError, match="expected an integer from 1 to 8"):
            viz.draw_context_windows(L=bad)


def test_diagrams_are_svg_with_text_as_outlines():
    fig, _ = viz.draw_vanilla_lstm_cell(groups=True)
    svg = fig._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<text" not in svg, "text drawn as paths"
    fig2, _ = viz.draw_unit_step_and_sample()
    assert fig2._repr_svg_().count("<svg") == 1


def test_labels_clear_the_group_boxes_and_gate_arrows():
    """Fig. 9: no label crosses a dashed group border ("s[n-1]"), and no gate arrow runs through its label."""
    from matplotlib.patches import Rectangle
    from matplotlib.text import Annotation

    fig, ax = viz.draw_vanilla_lstm_cell(groups=True)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    labels = [t for t in ax.texts if not isinstance(t, Annotation) and t.get_text().strip()]
    borders = [p.get_window_extent(r) for p in ax.patches if isinstance(p, Rectangle) and p.get_linestyle() != "-"]
    assert len(borders) == 4
    for t in labels:
        b = t.get_window_extent(r)
        for box in borders:
            inside = box.x0 <= b.x0 and b.x1 <= box.x1 and box.y0 <= b.y0 and b.y1 <= box.y1
            assert inside or not b.overlaps(box), f"label {t.get_text()!r} crosses a dashed border"
    arrows = [a.arrow_patch.get_window_extent(r) for a in ax.texts if isinstance(a, Annotation) and a.arrow_patch]
    for t in labels:
        if "g_" in t.get_text():
            b = t.get_window_extent(r)
            assert not any(b.overlaps(a) and a.width < 3 for a in arrows), f"an arrow runs through {t.get_text()!r}"


# -- readable on the site ---------------------------------------------------------------------------

# The site shows a figure at its natural size up to the column it may use: at 1280 px a figure
# wider than the text column spans the page's right margin too (book/_ext/lrnn_site/figures.py),
# 936 px, less the 6 px padding of the dark theme's light card on each side.
SHOWN_PX = 924
BODY_PX = 16


def _chapter_figures():
    """The diagrams as the chapters draw them, with the smallest label size each must reach."""
    return [
        ("canonical cell", lambda: viz.draw_canonical_cell(), BODY_PX),
        ("unit step and sample", lambda: viz.draw_unit_step_and_sample(), BODY_PX),
        ("unrolled RNN", lambda: viz.draw_unrolled_rnn(steps=4), BODY_PX),
        ("BPTT graph", lambda: viz.draw_bptt_graph(steps=3), BODY_PX),
        *[(f"Fig. {s}", lambda s=s: viz.draw_gated_cell(s), BODY_PX) for s in (4, 5, 6)],
        ("Fig. 7", lambda: viz.draw_vanilla_lstm_cell(), BODY_PX),
        ("Fig. 9", lambda: viz.draw_vanilla_lstm_cell(groups=True), BODY_PX),
        ("Fig. 8", lambda: viz.draw_unrolled_lstm(4), BODY_PX),
        ("Fig. 10b", lambda: viz.draw_context_windows(L=4), BODY_PX),
        # Five columns and the readout in one row: at the column's width its labels reach 13 px
        # (body text when the reader clicks to enlarge it).
        ("Fig. 10a", lambda: viz.draw_augmented_lstm_cell(), 13),
    ]


def test_diagram_labels_are_body_text_size_where_the_site_shows_them():
    """Every label of every diagram, drawn with the book's matplotlib style and scaled to the
    width the site shows it at 1280 px, is at least ``minimum`` CSS px tall (its font size)."""
    from pathlib import Path

    import matplotlib

    rc = Path(__file__).resolve().parents[1] / "book" / "matplotlibrc"
    small = []
    with matplotlib.rc_context(fname=str(rc)):
        for name, draw, minimum in _chapter_figures():
            fig = draw()[0]
            renderer = fig.canvas.get_renderer()
            natural = fig.get_tightbbox(renderer).width * 96  # CSS px: the SVG is in pt, 72 per inch
            scale = min(1.0, SHOWN_PX / natural)
            for ax in fig.axes:
                texts = ax.texts + [ax.title]
                if ax.axison:
                    texts += [ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()]
                for t in texts:
                    px = t.get_fontsize() * 4 / 3 * scale
                    if t.get_text().strip() and t.get_visible() and px < minimum - 1e-9:
                        small.append((name, t.get_text(), round(px, 1)))
            plt.close(fig)
    assert not small, f"labels smaller than required where the site shows them: {small[:8]}"


def test_gates_at_work_figure():
    import numpy as np
    import pytest

    from lrnn.gate_example import gate_example

    ex = gate_example()
    fig, ax = viz.draw_gates_at_work(ex.trace, ex.labels)
    texts = [t.get_text() for t in ax.texts]
    assert len(ax.patches) == 7 * len(ex.x)
    assert "read" in texts and texts.count("write") == 2
    v_read = ex.trace.v[ex.step_of("read"), 0]
    assert f"{v_read:.2f}".replace("-", "\N{MINUS SIGN}") in texts  # the value shown is the computed one
    plt.close(fig)
    signals = {k: getattr(ex.trace, k) for k in ("g_cu", "u", "g_cs", "s", "g_cr", "v")}
    with pytest.raises(ValueError, match="no 'x'"):
        viz.draw_gates_at_work(signals)
    with pytest.raises(ValueError, match="labels has 2 entries"):
        viz.draw_gates_at_work({**signals, "x": ex.x}, labels=("a", "b"))
    with pytest.raises(ValueError, match="the number of steps"):
        viz.draw_gates_at_work({k: np.zeros((13, 1)) for k in (*signals, "x")})


def test_coloured_text_wrapped_for_a_phone_keeps_each_characters_colour():
    """``wrap``: a long line goes on in the next row (no return arrow there); each character keeps its colour."""
    import numpy as np
    import pytest

    text, values = "abcdefg\nhi", np.linspace(-1.0, 1.0, 10)
    fig, ax = viz.draw_coloured_text(text, values)
    wrapped_fig, wrapped = viz.draw_coloured_text(text, values, wrap=3)
    assert [t.get_text() for t in ax.texts] == [t.get_text() for t in wrapped.texts] == list("abcdefg\u21b5hi")
    assert [tuple(p.get_facecolor()) for p in ax.patches] == [tuple(p.get_facecolor()) for p in wrapped.patches]
    rows = [-round(t.get_position()[1] + 0.5) for t in wrapped.texts]
    assert rows == [0, 0, 0, 1, 1, 1, 2, 2, 3, 3], "abc / def / g and the arrow / hi"
    assert tuple(wrapped.get_xlim()) == (0, 3) and tuple(wrapped.get_ylim()) == (-4, 0)
    for bad in (0, -2, 2.5):
        with pytest.raises(ValueError, match="wrap"):
            viz.draw_coloured_text(text, values, wrap=bad)
    plt.close(fig)
    plt.close(wrapped_fig)


def test_coloured_text_wrapped_for_a_phone_breaks_rows_at_spaces_not_inside_words():
    """Chapter 9's rows for a phone: each row ends at a space or where its line ends, never inside a word
    (rows of 38 characters had cut words in two); only a word too long for a row fills it."""
    import numpy as np

    text = (
        "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n"
        "Antidisestablishmentarianism overflows a row."
    )
    values = np.linspace(-1.0, 1.0, len(text))
    for wrap in (5, 8, 12, 38):
        fig, ax = viz.draw_coloured_text(text, values, wrap=wrap)
        rows: dict[int, str] = {}
        for t in ax.texts:
            rows.setdefault(-round(t.get_position()[1] + 0.5), "")
            rows[-round(t.get_position()[1] + 0.5)] += t.get_text()
        rows = [rows[r] for r in sorted(rows)]
        assert "".join(rows) == text.replace("\n", "\u21b5\n").replace("\n", ""), "every character, in order"
        assert max(map(len, rows)) <= wrap
        words = set(text.replace("\n", " ").split(" "))
        for row, after in zip(rows, rows[1:]):
            if row.endswith((" ", "\u21b5")) or after.startswith(" "):
                continue
            # a row ends inside a word only when that word is longer than a row and fills it
            word = row.split(" ")[-1] + after.split(" ")[0].rstrip("\u21b5")
            assert (
                len(row) == wrap and " " not in row.lstrip(" ") and any(len(w) >= wrap and word in w for w in words)
            ), (
                wrap,
                row,
                after,
            )
        plt.close(fig)
    line = "to be, or not to be"
    assert [line[i:j] for i, j in viz.wrap_rows(line, 8)] == ["to be, ", "or not ", "to be"]
    assert viz.wrap_rows("", 3) == [(0, 0)] and viz.wrap_rows("abc", None) == [(0, 3)]
