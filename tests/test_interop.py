"""Tests for lrnn.interop: PyTorch-style state dicts (numpy only) and PyTorch's LSTM equations."""

import dataclasses

import numpy as np
import pytest

from lrnn.augmented import AugmentedLSTMParams
from lrnn.gradcheck import numerical_gradient, relative_error
from lrnn.gru import TorchGRUParams
from lrnn.interop import (
    load_model_npz,
    lstm_grads_to_torch,
    lstm_params_from_torch,
    lstm_params_to_torch,
    rnn_params_from_torch,
    rnn_params_to_torch,
    save_model_npz,
    torch_lstm_forward,
)
from lrnn.losses import Readout
from lrnn.lstm import LSTMParams, lstm_forward
from lrnn.lstm_bptt import lstm_backward
from lrnn.rnn import RNNParams, rnn_forward


def torch_like_lstm_state_dict(rng, d_x, H):
    return {
        "weight_ih_l0": rng.standard_normal((4 * H, d_x)),
        "weight_hh_l0": rng.standard_normal((4 * H, H)) / np.sqrt(H),
        "bias_ih_l0": rng.standard_normal(4 * H),
        "bias_hh_l0": rng.standard_normal(4 * H),
    }


def test_lstm_params_round_trip_is_exact():
    p = LSTMParams.init(np.random.default_rng(0), d_x=3, d_s=4, pinholes=False)
    q = lstm_params_from_torch(lstm_params_to_torch(p))
    for f in dataclasses.fields(LSTMParams):
        np.testing.assert_array_equal(getattr(q, f.name), getattr(p, f.name))


def test_lstm_state_dict_round_trip_keeps_weights_and_bias_sum():
    sd = torch_like_lstm_state_dict(np.random.default_rng(1), d_x=3, H=2)
    back = lstm_params_to_torch(lstm_params_from_torch(sd))
    np.testing.assert_array_equal(back["weight_ih_l0"], sd["weight_ih_l0"])
    np.testing.assert_array_equal(back["weight_hh_l0"], sd["weight_hh_l0"])
    np.testing.assert_array_equal(back["bias_ih_l0"], sd["bias_ih_l0"] + sd["bias_hh_l0"])
    np.testing.assert_array_equal(back["bias_hh_l0"], np.zeros(8))


def test_gate_blocks_follow_i_f_g_o():
    sd = torch_like_lstm_state_dict(np.random.default_rng(2), d_x=3, H=2)
    p = lstm_params_from_torch(sd)
    for k, node in enumerate(("cu", "cs", "du", "cr")):  # i, f, g, o
        blk = slice(2 * k, 2 * k + 2)
        np.testing.assert_array_equal(getattr(p, f"W_x_{node}"), sd["weight_ih_l0"][blk])
        np.testing.assert_array_equal(getattr(p, f"W_v_{node}"), sd["weight_hh_l0"][blk])
        np.testing.assert_array_equal(getattr(p, f"b_{node}"), sd["bias_ih_l0"][blk] + sd["bias_hh_l0"][blk])
    assert not np.any(p.W_s_cu) and not np.any(p.W_s_cs) and not np.any(p.W_s_cr)


@pytest.mark.parametrize("batched", [False, True])
def test_pytorch_equations_match_lrnn_without_pinholes(batched):
    rng = np.random.default_rng(3)
    sd = torch_like_lstm_state_dict(rng, d_x=3, H=4)
    shape = (6, 2, 3) if batched else (6, 3)
    x = rng.standard_normal(shape)
    h0, c0 = rng.standard_normal(shape[1:-1] + (4,)), rng.standard_normal(shape[1:-1] + (4,))
    h, c = torch_lstm_forward(sd, x, h0, c0)
    tr = lstm_forward(lstm_params_from_torch(sd), x, s0=c0, v0=h0)
    assert h.shape == tr.v.shape == shape[:-1] + (4,)
    assert np.abs(h - tr.v).max() < 1e-12 and np.abs(c - tr.s).max() < 1e-12


def test_pytorch_equations_default_initial_state_and_float32_input():
    rng = np.random.default_rng(4)
    sd = {k: v.astype(np.float32) for k, v in torch_like_lstm_state_dict(rng, d_x=2, H=3).items()}
    x = rng.standard_normal((5, 2))
    h, c = torch_lstm_forward(sd, x)
    tr = lstm_forward(lstm_params_from_torch(sd), x)
    assert np.abs(h - tr.v).max() < 1e-12 and h.dtype == np.float64


def test_gradients_in_pytorch_layout_match_finite_differences_of_pytorch_equations():
    rng = np.random.default_rng(8)
    sd = torch_like_lstm_state_dict(rng, d_x=3, H=2)
    x, w = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 2, 2))

    def loss(sd_):
        return float(np.sum(w * torch_lstm_forward(sd_, x)[0]))  # E = sum_n w[n] . h[n]

    p = lstm_params_from_torch(sd)
    grads = lstm_grads_to_torch(lstm_backward(p, lstm_forward(p, x), w)[0])
    for key, value in sd.items():
        fd = numerical_gradient(lambda a, key=key: loss({**sd, key: a}), value)
        assert relative_error(grads[key], fd) < 1e-7, key


def test_pinholes_do_not_export():
    p = LSTMParams.init(np.random.default_rng(5), 2, 3)
    with pytest.raises(ValueError, match=r"params.W_s_cu is non-zero .* nn.LSTM has no state-to-gate \('pinhole'"):
        lstm_params_to_torch(p)
    z = np.zeros((3, 3))
    with pytest.raises(ValueError, match="params.W_s_cr is non-zero"):
        lstm_params_to_torch(dataclasses.replace(p, W_s_cu=z, W_s_cs=z))
    with pytest.raises(TypeError, match="params has type RNNParams, expected LSTMParams"):
        lstm_params_to_torch(RNNParams(W_r=np.eye(2), W_x=np.ones((2, 1)), theta_s=np.zeros(2)))


def test_state_dict_errors():
    sd = torch_like_lstm_state_dict(np.random.default_rng(6), d_x=3, H=2)
    with pytest.raises(ValueError, match=r"missing \['bias_hh_l0'\]"):
        lstm_params_from_torch({k: v for k, v in sd.items() if k != "bias_hh_l0"})
    with pytest.raises(ValueError, match=r"without proj_size .*unexpected \['weight_hr_l0'\]"):
        lstm_params_from_torch({**sd, "weight_hr_l0": np.zeros((1, 2))})
    with pytest.raises(ValueError, match=r"sd\['weight_hh_l0'\] has shape \(6, 2\), expected \(4H, H\) = \(8, 2\)"):
        lstm_params_from_torch({**sd, "weight_hh_l0": np.zeros((6, 2))})
    with pytest.raises(ValueError, match=r"sd\['weight_ih_l0'\] has shape \(6, 3\), expected \(4H, d_x\) = \(8, \?\)"):
        lstm_params_from_torch({**sd, "weight_ih_l0": np.zeros((6, 3))})
    with pytest.raises(ValueError, match=r"sd\['bias_ih_l0'\] has shape \(4,\), expected \(4H,\) = \(8,\)"):
        lstm_params_from_torch({**sd, "bias_ih_l0": np.zeros(4)})
    with pytest.raises(ValueError, match=r"sd\['bias_hh_l0'\] contains nan"):
        lstm_params_from_torch({**sd, "bias_hh_l0": np.full(8, np.nan)})
    with pytest.raises(TypeError, match="grads has type dict, expected LSTMParams"):
        lstm_grads_to_torch(sd)
    with pytest.raises(TypeError, match="sd has type list, expected a dict"):
        lstm_params_from_torch(list(sd.values()))
    with pytest.raises(ValueError, match=r"x has shape \(4, 2\), expected \(N, d_x\) = \(N, 3\)"):
        torch_lstm_forward(sd, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"c0 has shape \(3,\), expected \(H,\) = \(2,\)"):
        torch_lstm_forward(sd, np.zeros((4, 3)), c0=np.zeros(3))


def test_rnn_round_trips_and_equations():
    rng = np.random.default_rng(7)
    p = RNNParams(W_r=rng.standard_normal((3, 3)) / 2, W_x=rng.standard_normal((3, 2)), theta_s=rng.standard_normal(3))
    q = rnn_params_from_torch(rnn_params_to_torch(p))
    for name in ("W_r", "W_x", "theta_s"):
        np.testing.assert_array_equal(getattr(q, name), getattr(p, name))
    assert q.W_s is None
    sd = {"weight_ih_l0": p.W_x, "weight_hh_l0": p.W_r, "bias_ih_l0": 0.25 * p.theta_s, "bias_hh_l0": 0.75 * p.theta_s}
    np.testing.assert_allclose(rnn_params_from_torch(sd).theta_s, p.theta_s, rtol=1e-15)
    x, h = rng.standard_normal((5, 2)), np.zeros(3)  # nn.RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
    for t, x_t in enumerate(x):
        h = np.tanh(sd["weight_ih_l0"] @ x_t + sd["bias_ih_l0"] + sd["weight_hh_l0"] @ h + sd["bias_hh_l0"])
        np.testing.assert_allclose(rnn_forward(p, x).r[t], h, rtol=1e-12, atol=1e-14)


def test_rnn_errors():
    canonical = RNNParams(W_r=np.eye(2), W_x=np.ones((2, 1)), theta_s=np.zeros(2), W_s=0.5 * np.eye(2))
    with pytest.raises(ValueError, match=r"params.W_s is set: the canonical RNN \(Eq. 30\) has no nn.RNN equivalent"):
        rnn_params_to_torch(canonical)
    zero_W_s = dataclasses.replace(canonical, W_s=np.zeros((2, 2)))
    assert set(rnn_params_to_torch(zero_W_s)) == {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
    sd = rnn_params_to_torch(dataclasses.replace(canonical, W_s=None))
    with pytest.raises(ValueError, match=r"sd\['weight_hh_l0'\] has shape \(2, 3\), expected \(H, H\) = \(3, 3\)"):
        rnn_params_from_torch({**sd, "weight_hh_l0": np.zeros((2, 3))})
    with pytest.raises(TypeError, match="params has type LSTMParams, expected RNNParams"):
        rnn_params_to_torch(LSTMParams.zeros(1, 1))


# --- GRU: nn.GRU state dicts, PyTorch's equations, and torch itself where installed ----------------------------

from lrnn.gru import GRUParams, gru_forward  # noqa: E402
from lrnn.gru_bptt import gru_backward  # noqa: E402
from lrnn.interop import gru_grads_to_torch, gru_params_from_torch, gru_params_to_torch, torch_gru_forward  # noqa: E402


def torch_like_gru_state_dict(rng, d_x, H):
    return {
        "weight_ih_l0": rng.standard_normal((3 * H, d_x)),
        "weight_hh_l0": rng.standard_normal((3 * H, H)) / np.sqrt(H),
        "bias_ih_l0": rng.standard_normal(3 * H),
        "bias_hh_l0": rng.standard_normal(3 * H),
    }


def test_gru_params_round_trip_is_exact():
    p = TorchGRUParams.init(np.random.default_rng(20), d_x=3, d_s=4, recurrent="gaussian")
    q = gru_params_from_torch(gru_params_to_torch(p))
    for f in dataclasses.fields(TorchGRUParams):
        np.testing.assert_array_equal(getattr(q, f.name), getattr(p, f.name))


def test_gru_state_dict_round_trip_keeps_weights_and_what_the_biases_do():
    sd = torch_like_gru_state_dict(np.random.default_rng(21), d_x=3, H=2)
    p = gru_params_from_torch(sd)
    for k, (gate, b) in enumerate((("r", "b_r"), ("z", "b_z"))):
        blk = slice(2 * k, 2 * k + 2)
        np.testing.assert_array_equal(getattr(p, f"W_x_{gate}"), sd["weight_ih_l0"][blk])
        np.testing.assert_array_equal(getattr(p, f"W_s_{gate}"), sd["weight_hh_l0"][blk])
        np.testing.assert_array_equal(getattr(p, b), sd["bias_ih_l0"][blk] + sd["bias_hh_l0"][blk])
    np.testing.assert_array_equal(p.b_u, sd["bias_ih_l0"][4:])  # the n block: b_in outside the reset ...
    np.testing.assert_array_equal(p.b_s_u, sd["bias_hh_l0"][4:])  # ... b_hn inside it (Eq. G7)
    back = gru_params_to_torch(p)
    np.testing.assert_array_equal(back["weight_hh_l0"], sd["weight_hh_l0"])
    np.testing.assert_array_equal(back["bias_hh_l0"][4:], sd["bias_hh_l0"][4:])
    np.testing.assert_array_equal(back["bias_hh_l0"][:4], np.zeros(4))
    x = np.random.default_rng(22).standard_normal((5, 2, 3))
    np.testing.assert_allclose(torch_gru_forward(back, x), torch_gru_forward(sd, x), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("batched", [False, True])
def test_pytorch_gru_equations_match_lrnn(batched):
    rng = np.random.default_rng(23)
    sd = torch_like_gru_state_dict(rng, d_x=3, H=4)
    shape = (6, 2, 3) if batched else (6, 3)
    x, h0 = rng.standard_normal(shape), rng.standard_normal(shape[1:-1] + (4,))
    h = torch_gru_forward(sd, x, h0)
    tr = gru_forward(gru_params_from_torch(sd), x, s0=h0)
    assert h.shape == tr.s.shape == shape[:-1] + (4,)
    assert np.abs(h - tr.s).max() < 1e-13
    assert np.abs(torch_gru_forward(sd, x) - gru_forward(gru_params_from_torch(sd), x).s).max() < 1e-13  # h0 = 0


def test_gru_gradients_in_pytorch_layout_match_finite_differences_of_pytorch_equations():
    rng = np.random.default_rng(24)
    sd = torch_like_gru_state_dict(rng, d_x=3, H=2)
    x, w = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 2, 2))

    def loss(sd_):
        return float(np.sum(w * torch_gru_forward(sd_, x)))  # E = sum_n w[n] . h[n]

    p = gru_params_from_torch(sd)
    grads = gru_grads_to_torch(gru_backward(p, gru_forward(p, x), w)[0])
    for key, value in sd.items():
        fd = numerical_gradient(lambda a, key=key: loss({**sd, key: a}), value)
        assert relative_error(grads[key], fd) < 1e-7, key


def test_gru_export_and_state_dict_errors():
    with pytest.raises(
        TypeError, match=r"params has type GRUParams, expected TorchGRUParams\. GRUParams follows Chung"
    ):
        gru_params_to_torch(GRUParams.zeros(2, 3))
    with pytest.raises(TypeError, match="params has type LSTMParams, expected TorchGRUParams.$"):
        gru_params_to_torch(LSTMParams.zeros(2, 3))
    with pytest.raises(TypeError, match="grads has type GRUParams, expected TorchGRUParams"):
        gru_grads_to_torch(GRUParams.zeros(2, 3))
    sd = torch_like_gru_state_dict(np.random.default_rng(25), d_x=3, H=2)
    with pytest.raises(ValueError, match=r"sd\['weight_hh_l0'\] has shape \(8, 2\), expected \(3H, H\) = \(6, 2\)"):
        gru_params_from_torch({**sd, "weight_hh_l0": np.zeros((8, 2))})
    with pytest.raises(ValueError, match=r"unidirectional nn.GRU .*missing \['bias_ih_l0'\]"):
        gru_params_from_torch({k: v for k, v in sd.items() if k != "bias_ih_l0"})
    with pytest.raises(ValueError, match=r"h0 has shape \(3,\), expected \(H,\) = \(2,\)"):
        torch_gru_forward(sd, np.zeros((4, 3)), h0=np.zeros(3))


TORCH_CONFIGS = {  # (N, B or None for an unbatched sequence, d_x, H)
    "N=1": (1, 3, 4, 3),
    "batched": (6, 4, 3, 3),
    "d_x < d_s": (5, 2, 2, 5),
    "d_x > d_s, unbatched": (4, None, 5, 2),
}


def torch_reference(name):
    """``nn.GRU`` in float64 with weights scaled up from its default draw, run on E = sum w.h + |h|^2 / 2."""
    torch = pytest.importorskip("torch")
    N, B, d_x, H = TORCH_CONFIGS[name]
    torch.manual_seed(sum(map(ord, name)))
    gru = torch.nn.GRU(d_x, H).double()
    with torch.no_grad():
        for t in gru.parameters():
            t.mul_(3.0)  # the default U(-1/sqrt(H), 1/sqrt(H)) keeps every gate near its linear middle
    lead = (N,) if B is None else (N, B)
    x = torch.randn(*lead, d_x, dtype=torch.float64)
    h0 = torch.randn(*((1,) if B is None else (1, B)), H, dtype=torch.float64)
    w = torch.randn(*lead, H, dtype=torch.float64)
    out, h_n = gru(x, h0)
    ((w * out).sum() + 0.5 * (out**2).sum()).backward()
    grads = {k: t.grad.clone() for k, t in gru.named_parameters()}
    # the same run one step at a time, to read the total dE/dh[n] of every step
    h, hs = h0, []
    for n in range(N):
        _, h = gru(x[n : n + 1], h)
        h.retain_grad()
        hs.append(h)
    outs = torch.cat(hs)
    ((w * outs).sum() + 0.5 * (outs**2).sum()).backward()
    psi = torch.stack([t.grad[0] for t in hs])
    return sd_of(gru), x.numpy(), h0[0].numpy(), w.numpy(), out.detach().numpy(), h_n[0].detach().numpy(), grads, psi


def sd_of(module):
    return {k: v.detach().numpy() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("name", TORCH_CONFIGS)
def test_gru_matches_torch_nn_gru(name):
    sd, x, h0, w, out, h_n, torch_grads, torch_psi = torch_reference(name)
    p = gru_params_from_torch(sd)
    tr = gru_forward(p, x, s0=h0)
    assert np.abs(tr.s - out).max() < 1e-12 and np.abs(tr.last_state[0] - h_n).max() < 1e-12
    grads, psi = gru_backward(p, tr, w + tr.s)  # dE/ds[n] = w[n] + s[n]
    ours = gru_grads_to_torch(grads)
    for key, g in torch_grads.items():
        assert np.abs(ours[key] - g.numpy()).max() < 1e-9, key
    assert np.abs(psi - torch_psi.numpy()).max() < 1e-9


def test_torch_nn_lstm_parity_forward_and_gradients():
    """Optional: the real torch.nn.LSTM (float64) against lstm_forward / lstm_backward, weights copied."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    N, B, d_x, H = 7, 3, 4, 5
    p = LSTMParams.init(rng, d_x, H, pinholes=False, scale=1.5)
    x, h0, c0 = rng.standard_normal((N, B, d_x)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    dE_dv = rng.standard_normal((N, B, H))
    net = torch.nn.LSTM(d_x, H).double()
    with torch.no_grad():
        for key, value in lstm_params_to_torch(p).items():
            getattr(net, key).copy_(torch.from_numpy(value))
    h, (h_n, c_n) = net(torch.from_numpy(x), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    (h * torch.from_numpy(dE_dv)).sum().backward()  # E = sum_n dE_dv[n] . v[n]
    tr = lstm_forward(p, x, s0=c0, v0=h0)
    np.testing.assert_allclose(h.detach().numpy(), tr.v, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(c_n[0].detach().numpy(), tr.last_state[0], rtol=1e-9, atol=1e-12)
    grads = lstm_grads_to_torch(lstm_backward(p, tr, dE_dv)[0])
    for key, g in grads.items():
        np.testing.assert_allclose(getattr(net, key).grad.numpy(), g, rtol=1e-9, atol=1e-12, err_msg=key)


MODEL_FILES = {  # kind -> a cell of it (d_x = 3, d_s = 4), every entry random
    "tanh": lambda rng: RNNParams.init(rng, 3, 4),
    "gru": lambda rng: TorchGRUParams.init(rng, 3, 4, recurrent="gaussian"),
    "lstm": lambda rng: LSTMParams.init(rng, 3, 4, pinholes=False),  # nn.LSTM: no pinholes
    "lstm_pinholes": lambda rng: LSTMParams.init(rng, 3, 4),
    "augmented": lambda rng: AugmentedLSTMParams.init(rng, 3, 4, d_v=2),
}


@pytest.mark.parametrize("kind", MODEL_FILES)
def test_model_files_round_trip(kind, tmp_path):
    """One writer and one reader of model files (lrnn.music_models and lrnn.charlm use them)."""
    rng = np.random.default_rng(3)
    cell = MODEL_FILES[kind](rng)
    model = (cell, Readout(rng.standard_normal((5, cell.d_out)), rng.standard_normal(5)))
    save_model_npz(tmp_path / "m.npz", kind, model)
    keys = set(np.load(tmp_path / "m.npz").files) - {"readout.weight", "readout.bias"}
    torch_keys = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
    assert keys == (torch_keys if kind in ("tanh", "gru", "lstm") else set(cell.SHAPES))
    back_kind, (back, readout) = load_model_npz(tmp_path / "m.npz")
    assert back_kind == kind and type(back) is type(cell)
    np.testing.assert_array_equal(readout.W_y, model[1].W_y)
    x = rng.standard_normal((6, 3))
    out, back_out = cell.forward(x).output, back.forward(x).output
    if kind in ("tanh", "gru", "lstm"):  # PyTorch's two biases: their sum is stored, rounding may differ
        np.testing.assert_allclose(back_out, out, rtol=1e-12, atol=1e-14)
    else:
        for name, a in cell.arrays().items():
            np.testing.assert_array_equal(getattr(back, name), a, err_msg=name)
        np.testing.assert_array_equal(back_out, out)
