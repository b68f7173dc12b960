"""The Vanilla LSTM, the Augmented LSTM and Chung's GRU as ``torch.nn.Module`` stacks.

Each cell is a *layer* module whose ``forward`` runs one layer over a whole sequence,
one line per equation, tagged with the paper's number exactly as the numpy step functions
(:func:`lrnn.lstm.lstm_step`, :func:`lrnn.augmented.augmented_step`, :mod:`lrnn.gru`)
are. The input products ``W_x_* x[n]`` do not depend on the recurrence, so each layer
computes them for all ``N`` steps before its time loop (one product per node, on its own
line); the loop then does the recurrent products and the element-wise work. A *stack*
(:class:`VanillaLSTM`, :class:`AugmentedLSTM`, :class:`GRU`) chains layers as
``nn.LSTM(num_layers=...)`` does, each reading the output sequence of the one below,
with optional dropout between them.

Shapes follow ``nn.LSTM``: input ``(N, B, d_x)`` (``batch_first=True``: ``(B, N, d_x)``;
an unbatched sequence ``(N, d_x)``). ``forward(x, state=None)`` returns
``(output, last_state)``: ``output`` is the top layer's output sequence (``v`` for the
LSTMs, ``s`` for the GRU), and ``last_state`` has the structure of the numpy cell's
``trace.last_state``, the pair ``(s, v)`` for the LSTMs and the state ``s`` alone for the
GRU, each tensor with a leading layer axis as PyTorch's ``h_n``: ``(num_layers, B, d)``
(``(num_layers, d)`` unbatched). Pass it back as ``state`` to continue a sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

import numpy as np
import torch
from torch import nn

from ..augmented import AugmentedLSTMParams, augmented_forward
from ..augmented_bptt import augmented_backward
from ..gru import GRUParams, gru_forward
from ..gru_bptt import gru_backward
from ..lstm import LSTMParams, lstm_forward
from ..lstm_bptt import lstm_backward

__all__ = [
    "VanillaLSTMLayer",
    "AugmentedLSTMLayer",
    "GRULayer",
    "VanillaLSTM",
    "AugmentedLSTM",
    "GRU",
    "context_window",
    "BookCellFunction",
]

G_c = torch.sigmoid  # Eq. 121, the control (gate) warping function
G_d = torch.tanh  # Eq. 122, the data warping function


def context_window(W: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The external input context window of Eq. 188, ``xi[n] = sum_l W[l] x[n+l]``, for every step.

    Parameters
    ----------
    W : torch.Tensor, shape (L, d_s, d_x)
        The taps; tap ``l`` multiplies ``x[n+l]``.
    x : torch.Tensor, shape (N, B, d_x)

    Returns
    -------
    torch.Tensor, shape (N, B, d_s)
        Inputs past the segment end count as zero (P10), as in :func:`lrnn.augmented.context_window`.
    """
    N, L = x.shape[0], W.shape[0]
    x_padded = torch.nn.functional.pad(x, (0, 0, 0, 0, 0, L - 1))  # x[n + l] = 0 for n + l >= N (P10)
    return sum(x_padded[l : l + N] @ W[l].T for l in range(L))


class _Layer(nn.Module):
    """What the three layers share: parameters named after the numpy fields, and exact conversion."""

    params_class: type  # the numpy parameter class whose fields name this layer's parameters
    frozen: tuple = ()  # fields held at zero as buffers, not trained (the pinholes of pinholes=False)

    def _register(self, shapes: dict, factory: dict) -> None:
        for name in (f.name for f in fields(self.params_class)):
            tensor = torch.empty(shapes[name], **factory)
            if name in self.frozen:
                self.register_buffer(name, tensor.zero_())
            else:
                self.register_parameter(name, nn.Parameter(tensor))

    @torch.no_grad()
    def _reset(self, fan_in: dict, rng: torch.Generator | None) -> None:
        """Weights ``N(0, 1 / fan_in)`` and biases ``N(0, 0.1^2)``: the draws of the numpy ``init``."""
        for name, p in self.named_parameters(recurse=False):
            std = 0.1 if name.startswith("b_") else float(fan_in[name[:3]]) ** -0.5
            p.normal_(0.0, std, generator=rng)

    @classmethod
    def from_lrnn(cls, params, **kwargs):
        """A layer holding exactly ``params`` (a numpy parameter object), in float64 unless ``dtype`` is given."""
        if not isinstance(params, cls.params_class):
            raise TypeError(
                f"params has type {type(params).__name__}, expected {cls.params_class.__name__}; "
                f"build one with {cls.params_class.__name__}.init(...) or load a committed model."
            )
        kwargs.setdefault("dtype", torch.float64)
        layer = cls(**cls._sizes(params), **kwargs)
        with torch.no_grad():
            for name in (f.name for f in fields(cls.params_class)):
                value = torch.as_tensor(np.asarray(getattr(params, name)))
                if name in layer.frozen and torch.any(value != 0):
                    raise ValueError(
                        f"params.{name} is nonzero but this layer was asked to hold it at zero "
                        "(pinholes=False); convert with pinholes=True."
                    )
                getattr(layer, name).copy_(value)
        return layer

    def to_lrnn(self):
        """The numpy parameter object with this layer's values (float64, on the CPU)."""
        return self.params_class(
            **{f.name: getattr(self, f.name).detach().cpu().double().numpy() for f in fields(self.params_class)}
        )


class VanillaLSTMLayer(_Layer):
    """One layer of Sherstinsky's Vanilla LSTM (Eqs. 126-136), parameters named as :class:`lrnn.LSTMParams`.

    Parameters
    ----------
    d_x, d_s : int
        Input and state sizes.
    pinholes : bool, default True
        False holds the three state-to-gate matrices ``W_s_cu, W_s_cs, W_s_cr`` at zero (as
        buffers, not trained): PyTorch's ``nn.LSTM``.
    backward : {"autograd", "book"}, default "autograd"
        ``"book"`` runs the forward pass and the book's hand-derived backward pass
        (:func:`lrnn.lstm_forward`, :func:`lrnn.lstm_backward`, Eqs. 126-172) in numpy as one
        autograd op (:class:`BookCellFunction`), on the CPU in float64: gradients for the
        weights, the input, the initial state and through the last state, as autograd's.
    generator : torch.Generator, optional
        Source of the initial draws.
    device, dtype
        As for any ``torch.nn`` module.
    """

    params_class = LSTMParams

    def __init__(self, d_x: int, d_s: int, *, pinholes: bool = True, backward: str = "autograd", generator=None,
                 device=None, dtype=None):  # fmt: skip
        super().__init__()
        self.d_x, self.d_s, self.d_out, self.backward = d_x, d_s, d_s, _backward(backward)
        self.frozen = () if pinholes else ("W_s_cu", "W_s_cs", "W_s_cr")
        shapes = {f.name: _lstm_shape(f.name, d_x, d_s) for f in fields(LSTMParams)}
        self._register(shapes, {"device": device, "dtype": dtype})
        self._reset({"W_x": d_x, "W_s": d_s, "W_v": d_s}, generator)

    @staticmethod
    def _sizes(params: LSTMParams) -> dict:
        return {"d_x": params.d_x, "d_s": params.d_s}

    def zero_state(self, B: int, like: torch.Tensor) -> tuple:
        """``(s[-1], v[-1]) = (0, 0)``, shape ``(B, d_s)`` each (P5)."""
        zero = like.new_zeros(B, self.d_s)
        return zero, zero

    def forward(self, x: torch.Tensor, state: tuple) -> tuple:
        """Run the layer over ``x`` (N, B, d_x) from ``state = (s[-1], v[-1])``; return ``(v, (s[N-1], v[N-1]))``."""
        if self.backward == "book":
            return _book(self, x, state)
        s, v = state
        x_cu = x @ self.W_x_cu.T  # Eq. 126: the input terms, all N steps at once
        x_cs = x @ self.W_x_cs.T  # Eq. 127
        x_cr = x @ self.W_x_cr.T  # Eq. 128
        x_du = x @ self.W_x_du.T  # Eq. 129
        values = []
        for n in range(len(x)):
            a_cu = x_cu[n] + s @ self.W_s_cu.T + v @ self.W_v_cu.T + self.b_cu  # Eq. 126
            a_cs = x_cs[n] + s @ self.W_s_cs.T + v @ self.W_v_cs.T + self.b_cs  # Eq. 127
            a_du = x_du[n] + v @ self.W_v_du.T + self.b_du  # Eq. 129
            u = G_d(a_du)  # Eq. 130
            g_cu = G_c(a_cu)  # Eq. 131
            g_cs = G_c(a_cs)  # Eq. 132
            s = g_cs * s + g_cu * u  # Eq. 134
            a_cr = x_cr[n] + s @ self.W_s_cr.T + v @ self.W_v_cr.T + self.b_cr  # Eq. 128: the current s[n]
            g_cr = G_c(a_cr)  # Eq. 133
            r = G_d(s)  # Eq. 135
            v = g_cr * r  # Eq. 136
            values.append(v)
        return torch.stack(values), (s, v)


# The numpy cell behind each layer's backward="book": its parameter class, forward and backward pass.
BOOK_CELLS = {
    LSTMParams: (lstm_forward, lstm_backward),  # Eqs. 126-136 and 137-172
    AugmentedLSTMParams: (augmented_forward, augmented_backward),  # Eqs. 196-214 and 216-250
    GRUParams: (gru_forward, gru_backward),  # Eqs. G1-G4 and G9-G13
}


class BookCellFunction(torch.autograd.Function):
    """A numpy cell and the book's own backward pass as one autograd op (``backward="book"``).

    ``apply(params_class, x, *state, *weights)``: ``x`` of shape ``(N, B, d_x)``, the initial
    state ``(s[-1], v[-1])`` (the GRU: ``s[-1]`` alone) and the weights in the field order of
    ``params_class`` (:class:`lrnn.LSTMParams`, :class:`lrnn.AugmentedLSTMParams` or
    :class:`lrnn.GRUParams`), all float64 on the CPU. The forward pass is the numpy cell's
    (:func:`lrnn.lstm_forward`, :func:`lrnn.augmented_forward`, :func:`lrnn.gru_forward`);
    it returns the output sequence and the parts of the last state, ``(v, s[N-1], v[N-1])``
    (the GRU: ``(s, s[N-1])``).

    The backward pass is the book's (:func:`lrnn.lstm_backward`, :func:`lrnn.augmented_backward`,
    :func:`lrnn.gru_backward`): the gradients arriving on the output sequence are its
    ``dE_dout``, those arriving on the last state start its recursion (``dE_dlast``, the
    terminal condition of P5), and it returns the gradients of ``x`` and of the initial state
    (``return_inputs=True``) with those of every weight. So the op composes as any other:
    under a second layer, after dropout, with a loss on the last state, in a stateful loop.
    First derivatives only (``once_differentiable``): for second derivatives use ``backward="autograd"``.
    """

    @staticmethod
    def forward(ctx, params_class, x, *tensors):
        forward, _ = BOOK_CELLS[params_class]
        names = [f.name for f in fields(params_class)]
        k = len(tensors) - len(names)  # the initial state's parts
        state = [t.detach().numpy() for t in tensors[:k]]
        params = params_class(**{n: w.detach().numpy() for n, w in zip(names, tensors[k:], strict=True)})
        trace = forward(params, x.detach().numpy(), *state)
        ctx.params, ctx.trace = params, trace
        return torch.from_numpy(trace.output), *(torch.from_numpy(a.copy()) for a in trace.last_state)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, dE_dout, *dE_dlast):
        _, backward = BOOK_CELLS[type(ctx.params)]
        trace = ctx.trace
        dE = np.zeros_like(trace.output) if dE_dout is None else dE_dout.numpy()
        last = tuple(np.zeros_like(a) if g is None else g.numpy() for g, a in zip(dE_dlast, trace.last_state))
        grads, _, dE_dx, dE_dstate = backward(ctx.params, trace, dE, return_inputs=True, dE_dlast=last)
        weights = (torch.from_numpy(np.ascontiguousarray(getattr(grads, f.name))) for f in fields(ctx.params))
        return None, torch.from_numpy(dE_dx), *(torch.from_numpy(g) for g in dE_dstate), *weights


def _book(layer: _Layer, x: torch.Tensor, state: tuple) -> tuple:
    """Run ``layer`` as :class:`BookCellFunction`: its numpy cell forward, the book's backward pass."""
    names = [f.name for f in fields(layer.params_class)]
    weights = [getattr(layer, n) for n in names]
    named = {"x": x, **{f"state[{i}]": t for i, t in enumerate(state)}, **dict(zip(names, weights, strict=True))}
    for name, t in named.items():
        if t.device.type != "cpu" or t.dtype != torch.float64:
            raise TypeError(
                f"backward='book' runs the numpy cell, which needs float64 tensors on the CPU; {name} is "
                f"{t.dtype} on {t.device}. Convert the module and its input with .double().cpu(), or use "
                "backward='autograd' (any dtype and device)."
            )
    out, *last = BookCellFunction.apply(layer.params_class, x, *state, *weights)
    return out, tuple(last)


class AugmentedLSTMLayer(_Layer):
    """One layer of the Augmented LSTM (Eqs. 196-214), parameters named as :class:`lrnn.AugmentedLSTMParams`.

    Parameters
    ----------
    d_x, d_s : int
        Input and state sizes.
    d_v : int, optional
        Size of the value ``v`` after the recurrent projection ``W_q_dr`` (Eq. 214); ``d_s`` by default.
    L : int, default 1
        Width of the external input context window (Eq. 188): step ``n`` sees ``x[n] ... x[n+L-1]``.
    backward : {"autograd", "book"}, default "autograd"
        ``"book"``: the numpy cell and its hand-derived backward pass (:func:`lrnn.augmented_backward`,
        Eqs. 216-250) as one autograd op, float64 on the CPU (see :class:`VanillaLSTMLayer`).
    generator, device, dtype
        As for :class:`VanillaLSTMLayer`.
    """

    params_class = AugmentedLSTMParams

    def __init__(self, d_x: int, d_s: int, d_v: int | None = None, L: int = 1, *, backward: str = "autograd",
                 generator=None, device=None, dtype=None):  # fmt: skip
        super().__init__()
        d_v = d_s if d_v is None else d_v
        self.d_x, self.d_s, self.d_v, self.L, self.d_out = d_x, d_s, d_v, L, d_v
        self.backward = _backward(backward)
        shapes = {f.name: _augmented_shape(f.name, d_x, d_s, d_v, L) for f in fields(AugmentedLSTMParams)}
        self._register(shapes, {"device": device, "dtype": dtype})
        self._reset({"W_x": L * d_x, "W_s": d_s, "W_v": d_v, "W_q": d_s}, generator)

    @staticmethod
    def _sizes(params: AugmentedLSTMParams) -> dict:
        return {"d_x": params.d_x, "d_s": params.d_s, "d_v": params.d_v, "L": params.L}

    def zero_state(self, B: int, like: torch.Tensor) -> tuple:
        """``(s[-1], v[-1]) = (0, 0)``, shapes ``(B, d_s)`` and ``(B, d_v)`` (P5)."""
        return like.new_zeros(B, self.d_s), like.new_zeros(B, self.d_v)

    def forward(self, x: torch.Tensor, state: tuple) -> tuple:
        """Run the layer over ``x`` (N, B, d_x) from ``state = (s[-1], v[-1])``; return ``(v, (s[N-1], v[N-1]))``."""
        if self.backward == "book":
            return _book(self, x, state)
        s, v = state
        xi_cu = context_window(self.W_x_cu, x)  # Eq. 196: the windowed inputs, all N steps at once
        xi_cs = context_window(self.W_x_cs, x)  # Eq. 199
        xi_cr = context_window(self.W_x_cr, x)  # Eq. 202
        xi_cx = context_window(self.W_x_cx, x)  # Eq. 205
        xi_du = context_window(self.W_x_du, x)  # Eq. 208
        values = []
        for n in range(len(x)):
            a_cu = xi_cu[n] + s @ self.W_s_cu.T + v @ self.W_v_cu.T + self.b_cu  # Eq. 197
            a_cs = xi_cs[n] + s @ self.W_s_cs.T + v @ self.W_v_cs.T + self.b_cs  # Eq. 200
            a_cx = xi_cx[n] + s @ self.W_s_cx.T + v @ self.W_v_cx.T + self.b_cx  # Eq. 206
            g_cx = G_c(a_cx)  # Eq. 207
            a_du = g_cx * xi_du[n] + v @ self.W_v_du.T + self.b_du  # Eq. 209
            u = G_d(a_du)  # Eq. 210
            g_cu = G_c(a_cu)  # Eq. 198
            g_cs = G_c(a_cs)  # Eq. 201
            s = g_cs * s + g_cu * u  # Eq. 211
            a_cr = xi_cr[n] + s @ self.W_s_cr.T + v @ self.W_v_cr.T + self.b_cr  # Eq. 203: the current s[n]
            g_cr = G_c(a_cr)  # Eq. 204
            r = G_d(s)  # Eq. 212
            q = g_cr * r  # Eq. 213
            v = q @ self.W_q_dr.T  # Eq. 214
            values.append(v)
        return torch.stack(values), (s, v)


class GRULayer(_Layer):
    """One layer of the GRU in Chung et al.'s convention (Eqs. G1-G4), parameters named as :class:`lrnn.GRUParams`.

    PyTorch's ``nn.GRU`` is the other convention (Eqs. G5-G8, :class:`lrnn.TorchGRUParams`).

    Parameters
    ----------
    d_x, d_s : int
        Input and state sizes.
    backward : {"autograd", "book"}, default "autograd"
        ``"book"``: the numpy cell and its hand-derived backward pass (:func:`lrnn.gru_backward`)
        as one autograd op, float64 on the CPU (see :class:`VanillaLSTMLayer`).
    generator, device, dtype
        As for :class:`VanillaLSTMLayer`. Weights start as the LSTMs' do, ``N(0, 1 / fan_in)``.
    """

    params_class = GRUParams

    def __init__(self, d_x: int, d_s: int, *, backward: str = "autograd", generator=None, device=None, dtype=None):
        super().__init__()
        self.d_x, self.d_s, self.d_out, self.backward = d_x, d_s, d_s, _backward(backward)
        shapes = {f.name: _lstm_shape(f.name, d_x, d_s) for f in fields(GRUParams)}
        self._register(shapes, {"device": device, "dtype": dtype})
        self._reset({"W_x": d_x, "W_s": d_s}, generator)

    @staticmethod
    def _sizes(params: GRUParams) -> dict:
        if type(params) is not GRUParams:
            raise TypeError(
                f"params has type {type(params).__name__}, expected GRUParams (Chung's convention); "
                "for TorchGRUParams use torch.nn.GRU with lrnn.interop's state-dict conversion."
            )
        return {"d_x": params.d_x, "d_s": params.d_s}

    def zero_state(self, B: int, like: torch.Tensor) -> tuple:
        """``(s[-1],) = (0,)``, shape ``(B, d_s)``."""
        return (like.new_zeros(B, self.d_s),)

    def forward(self, x: torch.Tensor, state: tuple) -> tuple:
        """Run the layer over ``x`` (N, B, d_x) from ``state = (s[-1],)``; return ``(s, (s[N-1],))``."""
        if self.backward == "book":
            return _book(self, x, state)
        (s,) = state
        x_r = x @ self.W_x_r.T  # Eq. G1: the input terms, all N steps at once
        x_z = x @ self.W_x_z.T  # Eq. G2
        x_u = x @ self.W_x_u.T  # Eq. G3
        states = []
        for n in range(len(x)):
            g_r = G_c(x_r[n] + s @ self.W_s_r.T + self.b_r)  # Eq. G1: reset gate
            g_z = G_c(x_z[n] + s @ self.W_s_z.T + self.b_z)  # Eq. G2: update gate
            u = G_d(x_u[n] + (g_r * s) @ self.W_s_u.T + self.b_u)  # Eq. G3: the reset acts before the product
            s = (1.0 - g_z) * s + g_z * u  # Eq. G4: g_z is the share of new content
            states.append(s)
        return torch.stack(states), (s,)


def _lstm_shape(name: str, d_x: int, d_s: int) -> tuple:
    return {"W_x": (d_s, d_x), "W_s": (d_s, d_s), "W_v": (d_s, d_s)}.get(name[:3], (d_s,))


def _augmented_shape(name: str, d_x: int, d_s: int, d_v: int, L: int) -> tuple:
    return {"W_x": (L, d_s, d_x), "W_s": (d_s, d_s), "W_v": (d_s, d_v), "W_q": (d_v, d_s)}.get(name[:3], (d_s,))


class _Stack(nn.Module):
    """Layers chained as ``nn.LSTM(num_layers=...)`` chains them; see the module docstring for shapes."""

    layer_class: type
    single_state: bool = False  # the GRU's last_state is the state itself, not a pair

    def __init__(self, layers: list, *, dropout: float = 0.0, batch_first: bool = False):
        super().__init__()
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"dropout = {dropout!r}, expected a probability in [0, 1).")
        self.layers = nn.ModuleList(layers)
        self.dropout = nn.Dropout(float(dropout))
        self.batch_first = bool(batch_first)

    @property
    def num_layers(self) -> int:
        """Number of layers."""
        return len(self.layers)

    def forward(self, x: torch.Tensor, state=None):
        """Run every layer over ``x``; return ``(output, last_state)`` (shapes in the module docstring)."""
        if x.dim() not in (2, 3):
            raise ValueError(
                f"x has shape {tuple(x.shape)}, expected (N, B, d_x) (batch_first: (B, N, d_x)) or (N, d_x)."
            )
        unbatched = x.dim() == 2
        x = x.unsqueeze(1) if unbatched else (x.transpose(0, 1) if self.batch_first else x)
        if x.shape[-1] != self.layers[0].d_x:
            raise ValueError(f"x has {x.shape[-1]} features per step, expected d_x = {self.layers[0].d_x}.")
        weight = next(self.parameters())
        if x.dtype != weight.dtype or x.device != weight.device:
            raise TypeError(
                f"x is {x.dtype} on {x.device}, the parameters {weight.dtype} on {weight.device}: "
                "move one to the other, e.g. x.to(next(module.parameters()))."
            )
        states = self._split_state(state, x, unbatched)
        last = []
        for i, (layer, state_i) in enumerate(zip(self.layers, states, strict=True)):
            if i > 0:
                x = self.dropout(x)  # between layers only, as nn.LSTM's dropout
            x, state_i = layer(x, state_i)
            last.append(state_i)
        joined = tuple(torch.stack(parts) for parts in zip(*last, strict=True))  # (num_layers, B, d) each
        if unbatched:
            x, joined = x[:, 0], tuple(t[:, 0] for t in joined)
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, (joined[0] if self.single_state else joined)

    def _split_state(self, state, x: torch.Tensor, unbatched: bool) -> list:
        B = x.shape[1]
        if state is None:
            return [layer.zero_state(B, x) for layer in self.layers]
        parts = (state,) if self.single_state else tuple(state)
        zeros = self.layers[0].zero_state(B, x)
        if len(parts) != len(zeros):
            what = "a tensor s" if self.single_state else "a pair (s, v)"
            raise TypeError(f"state has {len(parts)} parts, expected {what} such as a previous call's last_state.")
        if unbatched:
            parts = tuple(t.unsqueeze(1) for t in parts)
        return [tuple(t[i] for t in parts) for i in range(self.num_layers)]

    @classmethod
    def from_lrnn(cls, params, *, dropout: float = 0.0, batch_first: bool = False, **kwargs):
        """A stack holding exactly ``params``: one numpy parameter object, or a sequence of them (one per layer).

        ``kwargs`` go to each layer's ``from_lrnn`` (``dtype``, float64 by default; ``device``).
        """
        seq = list(params) if isinstance(params, Sequence) else [params]
        layers = [cls.layer_class.from_lrnn(p, **kwargs) for p in seq]
        for i, (below, above) in enumerate(zip(layers, layers[1:], strict=False), start=1):
            if above.d_x != below.d_out:
                raise ValueError(f"params[{i}] has d_x = {above.d_x}, expected the output size of params[{i - 1}], "
                                 f"{below.d_out}: each layer reads the one below.")  # fmt: skip
            if (above.d_s, above.d_out) != (layers[0].d_s, layers[0].d_out):
                raise ValueError(f"params[{i}] has d_s = {above.d_s} and output size {above.d_out}, expected "
                                 f"{layers[0].d_s} and {layers[0].d_out} as params[0]: the layers of a stack have "
                                 "one size, as in nn.LSTM (chain separate modules for different sizes).")  # fmt: skip
        stack = cls.__new__(cls)
        _Stack.__init__(stack, layers, dropout=dropout, batch_first=batch_first)
        return stack

    def to_lrnn(self):
        """The numpy parameters: one object for one layer, else a list with one per layer."""
        params = [layer.to_lrnn() for layer in self.layers]
        return params[0] if len(params) == 1 else params


class VanillaLSTM(_Stack):
    """Sherstinsky's Vanilla LSTM (Eqs. 126-136) with full-matrix pinholes, ``num_layers`` deep.

    Parameters
    ----------
    d_x, d_s : int
        Input size and state (= output) size of every layer.
    num_layers : int, default 1
    dropout : float, default 0.0
        Dropout on each layer's output sequence except the last, in training mode.
    batch_first : bool, default False
    pinholes : bool, default True
        False: no state-to-gate weights, which is ``nn.LSTM``.
    backward : {"autograd", "book"}, default "autograd"
        ``"book"``: every layer runs the numpy cell with the book's hand-derived backward pass
        (see :class:`VanillaLSTMLayer`); float64 on the CPU.
    generator, device, dtype
        For the initial draws and the parameters' placement.

    Examples
    --------
    >>> import torch
    >>> lstm = VanillaLSTM(3, 5, num_layers=2, generator=torch.Generator().manual_seed(0))
    >>> out, (s, v) = lstm(torch.zeros(7, 4, 3))
    >>> tuple(out.shape), tuple(s.shape), lstm.layers[0].W_s_cr.shape
    ((7, 4, 5), (2, 4, 5), torch.Size([5, 5]))
    """

    layer_class = VanillaLSTMLayer

    def __init__(self, d_x: int, d_s: int, num_layers: int = 1, *, dropout: float = 0.0, batch_first: bool = False,
                 pinholes: bool = True, backward: str = "autograd", generator=None, device=None,
                 dtype=None):  # fmt: skip
        kw = {"pinholes": pinholes, "backward": backward, "generator": generator, "device": device, "dtype": dtype}
        layers = [VanillaLSTMLayer(d_x if i == 0 else d_s, d_s, **kw) for i in range(_count(num_layers))]
        super().__init__(layers, dropout=dropout, batch_first=batch_first)


class AugmentedLSTM(_Stack):
    """Sherstinsky's Augmented LSTM (Eqs. 196-214), ``num_layers`` deep.

    Parameters
    ----------
    d_x, d_s : int
        Input size and state size of every layer.
    d_v : int, optional
        Output size of every layer after the recurrent projection; ``d_s`` by default.
    L : int, default 1
        Context-window width of every layer.
    num_layers, dropout, batch_first, backward, generator, device, dtype
        As for :class:`VanillaLSTM`.

    Examples
    --------
    >>> import torch
    >>> aug = AugmentedLSTM(3, 6, d_v=4, L=3, generator=torch.Generator().manual_seed(0))
    >>> out, (s, v) = aug(torch.zeros(7, 2, 3))
    >>> tuple(out.shape), tuple(s.shape), tuple(aug.layers[0].W_x_cx.shape)
    ((7, 2, 4), (1, 2, 6), (3, 6, 3))
    """

    layer_class = AugmentedLSTMLayer

    def __init__(self, d_x: int, d_s: int, d_v: int | None = None, L: int = 1, num_layers: int = 1, *,
                 dropout: float = 0.0, batch_first: bool = False, backward: str = "autograd", generator=None,
                 device=None, dtype=None):  # fmt: skip
        d_v = d_s if d_v is None else d_v
        kw = {"backward": backward, "generator": generator, "device": device, "dtype": dtype}
        layers = [AugmentedLSTMLayer(d_x if i == 0 else d_v, d_s, d_v, L, **kw) for i in range(_count(num_layers))]
        super().__init__(layers, dropout=dropout, batch_first=batch_first)


class GRU(_Stack):
    """The GRU in Chung et al.'s convention (Eqs. G1-G4), ``num_layers`` deep; ``last_state`` is ``s`` alone.

    Parameters
    ----------
    d_x, d_s : int
    num_layers, dropout, batch_first, backward, generator, device, dtype
        As for :class:`VanillaLSTM`.

    Examples
    --------
    >>> import torch
    >>> gru = GRU(3, 5, generator=torch.Generator().manual_seed(0))
    >>> out, s = gru(torch.zeros(7, 4, 3))
    >>> tuple(out.shape), tuple(s.shape)
    ((7, 4, 5), (1, 4, 5))
    """

    layer_class = GRULayer
    single_state = True

    def __init__(self, d_x: int, d_s: int, num_layers: int = 1, *, dropout: float = 0.0, batch_first: bool = False,
                 backward: str = "autograd", generator=None, device=None, dtype=None):  # fmt: skip
        kw = {"backward": backward, "generator": generator, "device": device, "dtype": dtype}
        layers = [GRULayer(d_x if i == 0 else d_s, d_s, **kw) for i in range(_count(num_layers))]
        super().__init__(layers, dropout=dropout, batch_first=batch_first)


def _backward(backward) -> str:
    if backward not in ("autograd", "book"):
        raise ValueError(
            f"backward = {backward!r}, expected 'autograd' (any dtype and device) or 'book' (the book's "
            "hand-derived backward pass, float64 on the CPU)."
        )
    return backward


def _count(num_layers) -> int:
    if isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers < 1:
        raise ValueError(f"num_layers = {num_layers!r}, expected a positive int.")
    return num_layers
