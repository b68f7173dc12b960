"""backward="book": the numpy cells and the book's hand-derived backward passes as one autograd op.

For random parameters with every part nonzero (the pinholes; the Augmented LSTM's windows,
control input gate and a projection d_v != d_s), d_x != d_s, one to three layers, dropout
between them, a loss on the output sequence and on the last state, and a second chunk that
continues from the first one's last state: the gradients of every parameter, of the input and
of the initial state equal autograd's to 1e-9 in float64. ``torch.autograd.gradcheck`` checks
the op itself against central differences at tiny sizes.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lrnn

torch = pytest.importorskip("torch", reason="lrnn.torch needs torch (pip install 'lrnn[torch]')")
lt = pytest.importorskip("lrnn.torch")
from lrnn.torch.modules import BookCellFunction  # noqa: E402

GRAD_TOL = 1e-9
D_X, D_S, D_V = 3, 5, 4


def _gaussian(rng, params, scale=0.5):
    """``params`` with every entry redrawn from N(0, scale^2): no part left at zero."""
    fields = dataclasses.fields(params)
    return type(params)(**{f.name: scale * rng.standard_normal(np.shape(getattr(params, f.name))) for f in fields})


def _layers(rng, kind, L, num_layers):
    """Random numpy parameters for each layer of a stack: the first reads d_x, the others the output below."""
    if kind == "vanilla":
        return lt.VanillaLSTM, [_gaussian(rng, lrnn.LSTMParams.zeros(D_X if i == 0 else D_S, D_S))
                                for i in range(num_layers)]  # fmt: skip
    if kind == "augmented":
        return lt.AugmentedLSTM, [_gaussian(rng, lrnn.AugmentedLSTMParams.zeros(D_X if i == 0 else D_V, D_S, D_V, L))
                                  for i in range(num_layers)]  # fmt: skip
    return lt.GRU, [_gaussian(rng, lrnn.GRUParams.zeros(D_X if i == 0 else D_S, D_S)) for i in range(num_layers)]


def _run(module, x, state, weights, seed):
    """Two chunks, the second from the first's last state; E on both outputs and the last state."""
    torch.manual_seed(seed)  # the same dropout masks for both paths
    half = len(x) // 2
    out1, last1 = module(x[:half], state)
    out2, last2 = module(x[half:], last1)
    w_out1, w_out2, w_last = weights
    last2 = last2 if isinstance(last2, tuple) else (last2,)
    E = (w_out1 * out1).sum() + (w_out2 * out2).sum() + sum((w * t).sum() for w, t in zip(w_last, last2, strict=True))
    E.backward()
    return out2


CASES = [(kind, L, layers) for kind in ("vanilla", "gru") for layers in (1, 2, 3) for L in (1,)]
CASES += [("augmented", L, layers) for L in (1, 2, 3) for layers in (1, 2, 3)]


@pytest.mark.parametrize(("kind", "L", "num_layers"), CASES)
def test_book_gradients_equal_autograd(kind, L, num_layers):
    rng = np.random.default_rng(100 * num_layers + 10 * L + len(kind))
    cls, params = _layers(rng, kind, L, num_layers)
    N, B = 8, 3
    x0 = rng.standard_normal((N, B, D_X))
    ref = cls.from_lrnn(params, dropout=0.25)
    book = cls.from_lrnn(params, dropout=0.25, backward="book")
    assert all(layer.backward == "book" for layer in book.layers)
    _, last = ref(torch.as_tensor(x0))
    last = last if isinstance(last, tuple) else (last,)
    state0 = [0.5 * rng.standard_normal(t.shape) for t in last]
    d_out = ref.layers[-1].d_out
    weights = (torch.as_tensor(rng.standard_normal((N // 2, B, d_out))),
               torch.as_tensor(rng.standard_normal((N - N // 2, B, d_out))),
               [torch.as_tensor(rng.standard_normal(t.shape)) for t in last])  # fmt: skip
    grads = {}
    for name, module in (("autograd", ref), ("book", book)):
        x = torch.tensor(x0, requires_grad=True)
        state = [torch.tensor(s, requires_grad=True) for s in state0]
        out = _run(module, x, tuple(state) if len(state) > 1 else state[0], weights, seed=7)
        grads[name] = {"output": out.detach(), "x": x.grad, **{f"state[{i}]": s.grad for i, s in enumerate(state)}}
        grads[name].update({n: p.grad for n, p in module.named_parameters()})
    assert grads["book"].keys() == grads["autograd"].keys()
    for key, want in grads["autograd"].items():
        got = grads["book"][key]
        assert want is not None and got is not None, key
        scale = max(1.0, float(want.abs().max()))
        err = float((got - want).abs().max()) / scale
        assert err <= GRAD_TOL, f"{key}: book and autograd differ by {err:.1e} (scaled) > {GRAD_TOL:.0e}"


GRADCHECK = {
    "vanilla": lambda rng: _gaussian(rng, lrnn.LSTMParams.zeros(2, 3)),
    "augmented L=2, d_v=2": lambda rng: _gaussian(rng, lrnn.AugmentedLSTMParams.zeros(2, 3, 2, L=2)),
    "gru": lambda rng: _gaussian(rng, lrnn.GRUParams.zeros(2, 3)),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_the_op_passes_gradcheck(name):
    rng = np.random.default_rng(3)
    p = GRADCHECK[name](rng)
    x = torch.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    tr = p.forward(x.detach().numpy())
    state = [torch.tensor(0.5 * rng.standard_normal(a.shape), requires_grad=True) for a in tr.last_state]
    weights = [torch.tensor(getattr(p, f.name), requires_grad=True) for f in dataclasses.fields(p)]
    assert torch.autograd.gradcheck(
        lambda *t: BookCellFunction.apply(type(p), *t), (x, *state, *weights), eps=1e-6, atol=1e-8, rtol=1e-6
    )


def test_pinholes_off_keeps_them_at_zero():
    rng = np.random.default_rng(5)
    p = _gaussian(rng, lrnn.LSTMParams.zeros(D_X, D_S))
    p = dataclasses.replace(p, **{k: np.zeros((D_S, D_S)) for k in ("W_s_cu", "W_s_cs", "W_s_cr")})
    ref = lt.VanillaLSTM.from_lrnn(p, pinholes=False)
    book = lt.VanillaLSTM.from_lrnn(p, pinholes=False, backward="book")
    x = torch.as_tensor(rng.standard_normal((6, 2, D_X)))
    for module in (ref, book):
        out, (s, v) = module(x)
        (out.sum() + s.sum()).backward()
    assert not any(name.startswith("W_s_") for name, _ in book.named_parameters())
    for (name, a), (_, b) in zip(ref.named_parameters(), book.named_parameters(), strict=True):
        assert float((a.grad - b.grad).abs().max()) < 1e-10, name


def test_book_path_errors_are_clear():
    with pytest.raises(ValueError, match="backward = 'numpy', expected 'autograd'"):
        lt.GRU(3, 4, backward="numpy")
    module = lt.AugmentedLSTM(3, 4, d_v=2, L=2, backward="book", dtype=torch.float32)
    with pytest.raises(TypeError, match="float64 tensors on the CPU; x is torch.float32 on cpu"):
        module(torch.zeros(5, 2, 3))


@pytest.mark.parametrize("cls", ["VanillaLSTM", "AugmentedLSTM", "GRU"])
@pytest.mark.parametrize("shape", [(2, 6, 3), (6, 3)], ids=["batch_first", "unbatched"])
def test_book_path_in_every_layout(cls, shape):
    kw = {"num_layers": 2, "batch_first": True, "dtype": torch.float64}
    a, b = (getattr(lt, cls)(3, 4, backward=bw, generator=torch.Generator().manual_seed(0), **kw)
            for bw in ("autograd", "book"))  # fmt: skip
    x0 = torch.randn(shape, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    found = []
    for module in (a, b):
        x = x0.clone().requires_grad_()
        out, last = module(x)
        last = last if isinstance(last, tuple) else (last,)
        (out.sin().sum() + sum((t**2).sum() for t in last)).backward()
        found.append([x.grad, *(p.grad for p in module.parameters())])
    assert max(float((p - q).abs().max()) for p, q in zip(*found, strict=True)) < 1e-12
