"""lrnn.interop.from_torch and grads_to_torch against PyTorch's autograd: nn.RNN, nn.LSTM, nn.GRU, 1-3 layers, both
directions, in float64. Skipped where torch is not installed (pip install 'lrnn[torch]')."""

import itertools

import numpy as np
import pytest

from lrnn.compose import Bidirectional, Stack
from lrnn.gru import TorchGRUParams
from lrnn.interop import from_torch, grads_to_torch
from lrnn.lstm import LSTMParams
from lrnn.rnn import RNNParams

torch = pytest.importorskip("torch", reason="from_torch needs torch (pip install 'lrnn[torch]')")

KINDS = {"RNN": RNNParams, "LSTM": LSTMParams, "GRU": TorchGRUParams}
CASES = list(itertools.product(KINDS, (1, 2, 3), (False, True)))


def _module(kind, d_x, H, num_layers, bidirectional, seed, **kw):
    torch.manual_seed(seed)
    return getattr(torch.nn, kind)(d_x, H, num_layers=num_layers, bidirectional=bidirectional, dtype=torch.float64,
                                   **kw)  # fmt: skip


def _autograd(module, x, G):
    """The module's output, the ``.grad`` of every parameter and ``dE/dx`` for ``E = sum(output * G)``."""
    module.zero_grad()
    xt = torch.tensor(x, requires_grad=True)
    out, _ = module(xt)
    (out * torch.from_numpy(G)).sum().backward()
    grads = {name: p.grad.numpy().copy() for name, p in module.named_parameters()}
    return out.detach().numpy(), grads, xt.grad.numpy()


@pytest.mark.parametrize("kind, num_layers, bidirectional", CASES)
def test_outputs_gradients_and_dE_dx_match_autograd(kind, num_layers, bidirectional):
    seed = 100 * num_layers + 10 * bidirectional + list(KINDS).index(kind)
    rng = np.random.default_rng(seed)
    module = _module(kind, 3, 4, num_layers, bidirectional, seed)
    with torch.no_grad():  # biases of the usual size and a spread of gate values, not PyTorch's small uniform draw
        for p in module.parameters():
            p.mul_(2.0)
    model = from_torch(module)
    assert isinstance(model, Stack) and len(model.layers) == num_layers
    cell = model.layers[0].forward_cell if bidirectional else model.layers[0]
    assert type(cell) is KINDS[kind] and isinstance(model.layers[-1], Bidirectional) == bidirectional
    H = 4 * (1 + bidirectional)
    for x in (rng.standard_normal((6, 2, 3)), rng.standard_normal((5, 3))):  # a batch, and one sequence
        G = rng.standard_normal(x.shape[:-1] + (H,))
        out, want, want_dx = _autograd(module, x, G)
        tr = model.forward(x)
        np.testing.assert_allclose(tr.output, out, rtol=1e-9, atol=1e-12)
        grads, dE_dx, dE_dstate = model.backward(tr, G, return_inputs=True)
        got = grads_to_torch(model, grads)
        assert sorted(got) == sorted(module.state_dict())
        for name, g in want.items():
            np.testing.assert_allclose(got[name], g, rtol=1e-9, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(dE_dx, want_dx, rtol=1e-9, atol=1e-12)
        assert len(dE_dstate) == num_layers


def test_float32_module_and_no_bias():
    module = torch.nn.GRU(2, 3, num_layers=2, bias=False)  # float32, without biases
    model = from_torch(module)
    x = np.random.default_rng(0).standard_normal((4, 2))
    out = module(torch.tensor(x, dtype=torch.float32))[0].detach().numpy()
    np.testing.assert_allclose(model.forward(x).output, out, atol=1e-6)  # float32 rounding in torch
    assert not np.any(model.layers[1].b_u)
    grads = model.backward(model.forward(x), np.ones((4, 3)))
    assert sorted(grads_to_torch(model, grads, bias=False)) == sorted(module.state_dict())


def test_refuses_what_it_cannot_reproduce():
    with pytest.raises(ValueError, match="nonlinearity = 'relu'.*G = tanh"):
        from_torch(torch.nn.RNN(2, 3, nonlinearity="relu"))
    with pytest.raises(ValueError, match="proj_size = 2"):
        from_torch(torch.nn.LSTM(2, 3, proj_size=2))
    with pytest.raises(TypeError, match="module has type Linear, expected a torch.nn.RNN"):
        from_torch(torch.nn.Linear(2, 3))

    class Custom(torch.nn.LSTM):
        pass

    with pytest.raises(TypeError, match="module has type Custom.*subclasses"):
        from_torch(Custom(2, 3))
    model = from_torch(torch.nn.LSTM(2, 3, num_layers=2, dtype=torch.float64))
    with pytest.raises(TypeError, match="grads has 1 layers but model has 2"):
        grads_to_torch(model, Stack((LSTMParams.zeros(2, 3),)))
    with pytest.raises(TypeError, match=r"grads.layers\[1\] has type GRUParams"):
        from lrnn.gru import GRUParams

        grads_to_torch(model, Stack((LSTMParams.zeros(2, 3), GRUParams.zeros(3, 3))))
    with pytest.raises(TypeError, match="bias has type int"):
        grads_to_torch(model, model, bias=1)


@pytest.mark.parametrize("kind, num_layers, bidirectional", [("LSTM", 2, True), ("GRU", 3, False), ("RNN", 1, True)])
def test_initial_states_and_their_gradients_match_autograd(kind, num_layers, bidirectional):
    from lrnn.interop import state_from_torch

    rng = np.random.default_rng(7)
    module = _module(kind, 2, 3, num_layers, bidirectional, seed=7)
    model = from_torch(module)
    D, B = 1 + bidirectional, 4
    x, G = rng.standard_normal((5, B, 2)), rng.standard_normal((5, B, 3 * D))
    h0 = torch.tensor(np.tanh(rng.standard_normal((num_layers * D, B, 3))), requires_grad=True)  # as a tanh makes
    c0 = torch.tensor(rng.standard_normal((num_layers * D, B, 3)), requires_grad=True)
    hx = (h0, c0) if kind == "LSTM" else h0
    out, _ = module(torch.from_numpy(x), hx)
    (out * torch.from_numpy(G)).sum().backward()
    tr = model.forward(x, state_from_torch(model, hx))
    np.testing.assert_allclose(tr.output, out.detach().numpy(), rtol=1e-9, atol=1e-12)
    _, _, dE_dstate = model.backward(tr, G, return_inputs=True)
    per_cell = [c for layer in dE_dstate for c in (layer if bidirectional else (layer,))]  # index k D + d, as torch's
    for i, cell_grads in enumerate(per_cell):
        dE_dh0 = cell_grads[-1]  # v[-1] (LSTM) or s[-1] (GRU) is h_0; the RNN's s[-1] = artanh(h_0)
        if kind == "RNN":
            dE_dh0 = dE_dh0 / (1.0 - h0[i].detach().numpy() ** 2)  # ds/dh = 1 / (1 - h^2)
        np.testing.assert_allclose(dE_dh0, h0.grad[i].numpy(), rtol=1e-9, atol=1e-12)
        if kind == "LSTM":
            np.testing.assert_allclose(cell_grads[0], c0.grad[i].numpy(), rtol=1e-9, atol=1e-12)  # s[-1] is c_0
    with pytest.raises(ValueError, match=r"expected \(num_layers \* num_directions, \[B,\] H\)"):
        state_from_torch(model, (h0[:1], c0) if kind == "LSTM" else h0[:1])
    if kind == "RNN":
        with pytest.raises(ValueError, match="outside \\(-1, 1\\)"):
            state_from_torch(model, 2 * h0 / h0.abs().max())


@pytest.mark.parametrize("kind", list(KINDS))
def test_params_to_torch_loads_into_the_module(kind):
    # the way back: an lrnn model (here a trained-looking random one) into an nn module of the same sizes
    from lrnn.compose import bidirectional, stack
    from lrnn.interop import params_to_torch

    rng = np.random.default_rng(3)
    init = {
        "RNN": lambda d_x: RNNParams.init(rng, d_x, 3),
        "LSTM": lambda d_x: LSTMParams.init(rng, d_x, 3, pinholes=False),  # nn.LSTM has no pinholes
        "GRU": lambda d_x: TorchGRUParams.init(rng, d_x, 3),
    }[kind]
    model = stack([bidirectional(init(2), init(2)), bidirectional(init(6), init(6))])
    module = _module(kind, 2, 3, 2, True, seed=0)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in params_to_torch(model).items()})
    x = rng.standard_normal((5, 2, 2))
    np.testing.assert_allclose(module(torch.from_numpy(x))[0].detach().numpy(), model.forward(x).output, rtol=1e-9,
                               atol=1e-12)  # fmt: skip


def test_params_to_torch_refuses_what_torch_cannot_hold():
    from lrnn.compose import stack
    from lrnn.interop import params_to_torch

    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="W_s_cu is non-zero"):
        params_to_torch(stack([LSTMParams.init(rng, 2, 3)]))  # pinholes
    with pytest.raises(TypeError, match="model mixes LSTMParams, RNNParams"):
        params_to_torch(stack([LSTMParams.init(rng, 2, 3, pinholes=False), RNNParams.init(rng, 3, 3)]))
