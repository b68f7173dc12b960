"""lrnn.torch: the paper's cells as PyTorch modules, checked against the book's numpy cells.

Forward passes must equal the numpy forward passes to 1e-12 and autograd's gradients the
book's hand-derived backward passes (lstm_backward, augmented_backward, gru_backward) to 1e-9,
in float64, for random parameters with every part nonzero (pinholes, context-window taps,
control input gate, projection). The tests skip, with a reason, where torch is not installed;
the first two run everywhere.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from dataclasses import fields

import numpy as np
import pytest

import lrnn


def test_import_lrnn_does_not_import_torch():
    code = "import sys, lrnn; sys.exit(1 if 'torch' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_import_without_torch_says_how_to_install():
    code = (
        "import sys; sys.modules['torch'] = None\ntry:\n    import lrnn.torch\nexcept ImportError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'lrnn[torch]'" in out and "torch==" in out, out


torch = pytest.importorskip("torch", reason="lrnn.torch needs torch (pip install 'lrnn[torch]')")
lt = pytest.importorskip("lrnn.torch")

FORWARD_TOL, GRAD_TOL = 1e-12, 1e-9


def _close(actual, expected, tol, what):
    actual = actual.detach().cpu().double().numpy() if isinstance(actual, torch.Tensor) else np.asarray(actual)
    scale = max(1.0, float(np.abs(expected).max()))
    err = float(np.abs(actual - expected).max()) / scale
    assert err <= tol, f"{what}: max error {err:.2e} (scaled) > {tol:.0e}"


def _vanilla(rng, d_x, d_s):
    return lrnn.LSTMParams.init(rng, d_x, d_s)  # pinholes on: every W_s_* nonzero


def _augmented(rng, d_x, d_s, d_v, L):
    p = lrnn.AugmentedLSTMParams.init(rng, d_x, d_s, d_v, L)
    assert all(np.abs(getattr(p, f.name)).min() > 0 for f in fields(p))  # every part nonzero
    return p


def _gru(rng, d_x, d_s):
    p = lrnn.GRUParams.init(rng, d_x, d_s)
    return lrnn.GRUParams(**{f.name: getattr(p, f.name) + 0.1 * rng.standard_normal(getattr(p, f.name).shape)
                             for f in fields(p)})  # fmt: skip  # nonzero biases too


def _numpy_pass(params, x, w):
    """Output, last state and gradients of E = sum(w * output) from the numpy cell."""
    trace = params.forward(x)
    grads = params.backward(trace, w)
    return trace.output, trace.last_state, grads


def _torch_pass(module, x, w):
    out, last = module(torch.as_tensor(x))
    (out * torch.as_tensor(w)).sum().backward()
    return out, last


CASES = [(1, 1), (2, 3), (7, 2), (12, 1)]  # (N, B)


@pytest.mark.parametrize(("N", "B"), CASES)
def test_vanilla_lstm_equals_the_book(N, B):
    rng = np.random.default_rng(N * 10 + B)
    p = _vanilla(rng, d_x=3, d_s=5)
    x, w = rng.standard_normal((N, B, 3)), rng.standard_normal((N, B, 5))
    v, (s_last, v_last), grads = _numpy_pass(p, x, w)
    module = lt.VanillaLSTM.from_lrnn(p)
    out, (s, v_t) = _torch_pass(module, x, w)
    _close(out, v, FORWARD_TOL, "v")
    _close(s[0], s_last, FORWARD_TOL, "s[N-1]")
    _close(v_t[0], v_last, FORWARD_TOL, "v[N-1]")
    for f in fields(p):
        _close(getattr(module.layers[0], f.name).grad, getattr(grads, f.name), GRAD_TOL, f"dE/d{f.name}")


@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize(("N", "B"), [(1, 2), (2, 1), (9, 3)])
def test_augmented_lstm_equals_the_book(L, N, B):
    rng = np.random.default_rng(100 * L + 10 * N + B)
    p = _augmented(rng, d_x=3, d_s=5, d_v=4, L=L)
    x, w = rng.standard_normal((N, B, 3)), rng.standard_normal((N, B, 4))
    v, (s_last, v_last), grads = _numpy_pass(p, x, w)
    module = lt.AugmentedLSTM.from_lrnn(p)
    out, (s, v_t) = _torch_pass(module, x, w)
    _close(out, v, FORWARD_TOL, "v")
    _close(s[0], s_last, FORWARD_TOL, "s[N-1]")
    _close(v_t[0], v_last, FORWARD_TOL, "v[N-1]")
    for f in fields(p):
        _close(getattr(module.layers[0], f.name).grad, getattr(grads, f.name), GRAD_TOL, f"dE/d{f.name}")


@pytest.mark.parametrize(("N", "B"), CASES)
def test_gru_equals_the_book(N, B):
    rng = np.random.default_rng(7 * N + B)
    p = _gru(rng, d_x=4, d_s=3)
    x, w = rng.standard_normal((N, B, 4)), rng.standard_normal((N, B, 3))
    s_seq, (s_last,), grads = _numpy_pass(p, x, w)
    module = lt.GRU.from_lrnn(p)
    out, s = _torch_pass(module, x, w)
    _close(out, s_seq, FORWARD_TOL, "s")
    _close(s[0], s_last, FORWARD_TOL, "s[N-1]")
    for f in fields(p):
        _close(getattr(module.layers[0], f.name).grad, getattr(grads, f.name), GRAD_TOL, f"dE/d{f.name}")


def test_layers_chain_as_the_numpy_cells_do():
    rng = np.random.default_rng(3)
    p1, p2, p3 = _augmented(rng, 3, 5, 4, 2), _augmented(rng, 4, 5, 4, 3), _augmented(rng, 4, 5, 4, 1)
    x = rng.standard_normal((6, 2, 3))
    h = x
    for p in (p1, p2, p3):
        h = lrnn.augmented_forward(p, h).v
    out, (s, v) = lt.AugmentedLSTM.from_lrnn([p1, p2, p3])(torch.as_tensor(x))
    _close(out, h, FORWARD_TOL, "top layer's v")
    assert s.shape == (3, 2, 5) and v.shape == (3, 2, 4)  # one entry per layer, as nn.LSTM's h_n
    with pytest.raises(ValueError, match="one size"):
        lt.AugmentedLSTM.from_lrnn([p1, _augmented(rng, 4, 6, 4, 1)])
    with pytest.raises(ValueError, match="reads the one below"):
        lt.AugmentedLSTM.from_lrnn([p1, _augmented(rng, 3, 5, 4, 1)])
    lstm = lt.VanillaLSTM.from_lrnn([_vanilla(rng, 3, 4), _vanilla(rng, 4, 4)])
    assert lstm.num_layers == 2 and len(lstm.to_lrnn()) == 2


def test_conversion_is_exact_both_ways():
    rng = np.random.default_rng(5)
    for p in (_vanilla(rng, 2, 3), _augmented(rng, 2, 3, 2, 3), _gru(rng, 2, 3)):
        module = {lrnn.LSTMParams: lt.VanillaLSTM, lrnn.AugmentedLSTMParams: lt.AugmentedLSTM}.get(type(p), lt.GRU)
        back = module.from_lrnn(p).to_lrnn()
        assert type(back) is type(p)
        for f in fields(p):
            np.testing.assert_array_equal(getattr(back, f.name), getattr(p, f.name))
    names = {n for n, _ in lt.AugmentedLSTM(2, 3, L=2).named_parameters()}
    assert names == {f"layers.0.{f.name}" for f in fields(lrnn.AugmentedLSTMParams)}


def test_layouts_and_state_continuation_agree():
    rng = np.random.default_rng(11)
    module = lt.VanillaLSTM.from_lrnn([_vanilla(rng, 3, 4), _vanilla(rng, 4, 4)])
    x = torch.as_tensor(rng.standard_normal((8, 2, 3)))
    out, state = module(x)
    head, state_head = module(x[:5])
    tail, state_tail = module(x[5:], state_head)  # continue from the last state
    _close(torch.cat([head, tail]), out.detach().numpy(), FORWARD_TOL, "continued output")
    _close(state_tail[0], state[0].detach().numpy(), FORWARD_TOL, "continued state")
    module.batch_first = True
    out_bf, _ = module(x.transpose(0, 1))
    _close(out_bf.transpose(0, 1), out.detach().numpy(), 0.0, "batch_first")
    module.batch_first = False
    one, (s1, v1) = module(x[:, 0])  # unbatched (N, d_x)
    _close(one, out[:, 0].detach().numpy(), FORWARD_TOL, "unbatched")
    assert s1.shape == (2, 4)
    gru_out, s = lt.GRU(3, 4, num_layers=2, dtype=torch.float64)(x)
    assert isinstance(s, torch.Tensor) and s.shape == (2, 2, 4)


def test_pinholes_off_is_nn_lstm():
    rng = np.random.default_rng(2)
    module = lt.VanillaLSTM(3, 4, pinholes=False, dtype=torch.float64)
    assert {n for n, _ in module.named_parameters()} == {
        f"layers.0.{f.name}" for f in fields(lrnn.LSTMParams) if not f.name.startswith("W_s")
    }
    sd = lrnn.interop.lstm_params_to_torch(module.to_lrnn())
    ref = torch.nn.LSTM(3, 4, dtype=torch.float64)
    ref.load_state_dict({k: torch.as_tensor(v) for k, v in sd.items()})
    x = torch.as_tensor(rng.standard_normal((5, 2, 3)))
    _close(module(x)[0], ref(x)[0].detach().numpy(), FORWARD_TOL, "against nn.LSTM")
    with pytest.raises(ValueError, match="pinholes=True"):
        lt.VanillaLSTM.from_lrnn(_vanilla(rng, 3, 4), pinholes=False)


def test_dropout_acts_between_layers_in_training_only():
    module = lt.GRU(3, 4, num_layers=2, dropout=0.5, generator=torch.Generator().manual_seed(0))
    x = torch.randn(6, 2, 3, generator=torch.Generator().manual_seed(1))
    module.eval()
    a, b = module(x)[0], module(x)[0]
    assert torch.equal(a, b)
    module.train()
    torch.manual_seed(0)
    assert not torch.equal(module(x)[0], a)


def test_float32_and_device_follow_the_module():
    module = lt.AugmentedLSTM(3, 4, d_v=2, L=2, dtype=torch.float32)
    out, (s, v) = module(torch.zeros(4, 1, 3))
    assert out.dtype == torch.float32 and s.dtype == torch.float32


def test_bad_input_gets_a_clear_error():
    module = lt.VanillaLSTM(3, 4)
    with pytest.raises(ValueError, match="expected d_x = 3"):
        module(torch.zeros(5, 2, 7))
    with pytest.raises(ValueError, match=r"expected \(N, B, d_x\)"):
        module(torch.zeros(5))
    with pytest.raises(TypeError, match="pair"):
        module(torch.zeros(5, 2, 3), (torch.zeros(1, 2, 4),))
    with pytest.raises(TypeError, match="float64 on cpu, the parameters torch.float32"):
        module(torch.zeros(5, 2, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="num_layers"):
        lt.GRU(3, 4, num_layers=0)
    with pytest.raises(ValueError, match="dropout"):
        lt.GRU(3, 4, dropout=1.0)
    with pytest.raises(TypeError, match="expected LSTMParams"):
        lt.VanillaLSTM.from_lrnn(lrnn.GRUParams.zeros(2, 3))
    with pytest.raises(TypeError, match="Chung"):
        lt.GRU.from_lrnn(lrnn.TorchGRUParams.zeros(2, 3))


def test_the_book_backward_pass_inside_autograd():
    """backward='book' runs lstm_forward/lstm_backward inside autograd: the same gradients as autograd's."""
    rng = np.random.default_rng(21)
    p = _vanilla(rng, 3, 5)
    x, w = torch.as_tensor(rng.standard_normal((9, 4, 3))), torch.as_tensor(rng.standard_normal((9, 4, 5)))
    for pinholes in (True, False):
        q = p if pinholes else dataclasses.replace(p, **{k: np.zeros((5, 5)) for k in ("W_s_cu", "W_s_cs", "W_s_cr")})
        ref, book = lt.VanillaLSTM.from_lrnn(q, pinholes=pinholes), lt.VanillaLSTM.from_lrnn(q, pinholes=pinholes)
        book.layers[0].backward = "book"
        out_ref, (s_ref, v_ref) = ref(x)
        out, (s, v) = book(x)
        _close(out, out_ref.detach().numpy(), FORWARD_TOL, "v")
        ((out_ref * w).sum() + v_ref.sum()).backward()
        ((out * w).sum() + v.sum()).backward()  # a loss on the last value too
        for name, param in book.named_parameters():
            _close(param.grad, dict(ref.named_parameters())[name].grad.numpy(), GRAD_TOL, name)
    with pytest.raises(TypeError, match="float64 tensors on the CPU"):
        book.float()(x.float())  # every layer, input, state and gradient: tests/test_torch_book.py
