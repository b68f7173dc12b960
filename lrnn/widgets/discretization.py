"""Ch. 1 explorer: the continuous additive model against its sampled canonical RNN (Sec. II)."""

from __future__ import annotations

import numpy as np

from ..ode import bump, discretize, example_model, integrate, sample_rnn
from .explorer import Control, Explorer
from .view import Panel, Series, View, sci

__all__ = ["discretization_view", "discretization_explorer"]

_T_END = 12.0
_CIRCLE = np.exp(1j * np.linspace(0.0, 2.0 * np.pi, 97))


def _versus_one(rho: float) -> str:
    """``rho`` compared with 1, printed with enough digits that rounding never contradicts the comparison.

    Examples
    --------
    >>> _versus_one(0.9478), _versus_one(0.99847), _versus_one(1.00025)
    ('0.95 < 1', '0.998 < 1', '1.0003 > 1')
    """
    if rho == 1.0:
        return "1 = 1"
    for digits in range(2, 17):
        shown = f"{rho:.{digits}f}"
        if float(shown) != 1.0:  # rounding moves a number towards 1, never across it
            break
    return f"{shown} {'<' if rho < 1.0 else '>'} 1"


def discretization_view(dT: float = 0.2, gain: float = 1.0) -> View:
    """Compute behind :func:`discretization_explorer` for one setting.

    Parameters
    ----------
    dT : float
        Sampling step (and delay, tau0 = dT) of the canonical RNN, Eqs. 15-29.
    gain : float
        Scale of the readout feedback ``B`` of :func:`lrnn.ode.example_model`.

    Returns
    -------
    View
        Left: ``s_1(t)`` of the continuous system and the RNN samples. Right: the
        eigenvalues of ``W_s + W_r`` against the unit circle.
    """
    model = example_model(gain)
    t_end = dT * round(_T_END / dT)
    sub = max(1, round(dT / 0.01))  # fine step h = dT / sub, about 0.01
    t_c, s_c = integrate(model, [0.0, 0.0], bump, t_end, h=dT / sub, tau0=dT)
    t_d, s_d = sample_rnn(model, dT, [0.0, 0.0], bump, t_end)
    err = float(np.abs(s_d - s_c[::sub]).max())
    p = discretize(model, dT)
    mu = np.linalg.eigvals(p.W_s + p.W_r)
    rho = float(np.abs(mu).max())
    keep = slice(None, None, max(1, len(t_c) // 240))  # a smooth curve needs no more than ~240 points
    left = Panel(
        series=(
            Series(t_c[keep], s_c[keep, 0], "continuous, Eq. 14", "line", 0),
            Series(t_d, s_d[:, 0], "canonical RNN, Eq. 30", "markers", 1),
        ),
        title="state component s_{1}(t)",
        xlabel="time t",
        ylabel="s_{1}(t)",
    )
    right = Panel(
        series=(
            Series(_CIRCLE.real, _CIRCLE.imag, "unit circle", "dashed", 7),
            Series(mu.real, mu.imag, "eigenvalues μ of W_{s} + W_{r}", "markers", 3),
        ),
        title="small-signal eigenvalues",
        xlabel="Re μ",
        ylabel="Im μ",
        equal=True,
        xlim=(-1.6, 1.6),
        ylim=(-1.6, 1.6),
    )
    if rho < 1:
        fate = f"max |μ| = {_versus_one(rho)}: small signals decay back to rest after the input bump."
    else:
        fate = (
            f"max |μ| = {_versus_one(rho)}: small signals grow until tanh saturates; the state stays bounded "
            "but keeps oscillating, so small phase errors of the RNN accumulate."
        )
    text = f"ΔT = {dT:g}: the RNN samples miss the continuous state by at most {sci(err)}. {fate}"
    return View(panels=(left, right), text=text, values={"max_error": err, "spectral_radius": rho})


def discretization_explorer() -> Explorer:
    """Ch. 1 explorer: sampling step and feedback gain of the additive model.

    Examples
    --------
    >>> ex = discretization_explorer()
    >>> [c.name for c in ex.controls]
    ['dT', 'gain']
    """
    return Explorer(
        title="From the differential equation to the canonical RNN",
        controls=(
            Control(
                "dT", "step ΔT", (0.05, 0.1, 0.2, 0.4, 0.8), 0.2, live_values=(0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8)
            ),
            Control("gain", "feedback gain", (0.5, 1.0, 1.5, 2.0, 2.5), 1.0),
        ),
        compute=discretization_view,
        caption="The curve is the continuous system with the delay τ_{0} = ΔT, the markers its canonical RNN. "
        "Shrink ΔT and the markers close in on the curve. Raise the gain and the eigenvalues of W_{s} + W_{r} "
        "leave the unit circle at a threshold that depends on the step: about 1.39 at ΔT = 0.2 and 1.14 at "
        "ΔT = 0.8, approaching the delay-free 5/3 only as ΔT shrinks. Beyond it the response grows, then saturates.",
    )


# -- Ch. 3: vanishing and exploding gradients (Sec. IV, Eqs. 91-93) ----------------------------
