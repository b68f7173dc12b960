"""lrnn.xlstm: the sLSTM's stabiliser changes the range, not the output; the mLSTM's memory scans."""

import dataclasses

import numpy as np
import pytest

from lrnn.xlstm import MLSTMParams, SLSTMParams, mlstm_forward, slstm_forward


@pytest.mark.parametrize("forget", ["exp", "sigmoid"])
def test_stabiliser_changes_only_the_range(forget):
    rng = np.random.default_rng(0)
    p = SLSTMParams.init(rng, 3, 4, scale=2.0)
    x = rng.standard_normal((40, 5, 3))
    plain, stable = slstm_forward(p, x, stabilised=False, forget=forget), slstm_forward(p, x, forget=forget)
    np.testing.assert_allclose(stable.h, plain.h, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(stable.c * np.exp(stable.m), plain.c, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(stable.n * np.exp(stable.m), plain.n, rtol=1e-10)


def test_unstabilised_overflows_where_the_stabilised_does_not():
    rng = np.random.default_rng(1)
    p = SLSTMParams.init(rng, 2, 3)
    x = 400 * np.ones((5, 2))  # input-gate pre-activations in the hundreds: exp overflows in a few steps
    p = dataclasses.replace(p, W_i=np.ones((3, 2)))
    with pytest.raises(FloatingPointError, match="stabilised=True"):
        slstm_forward(p, x, stabilised=False)
    tr = slstm_forward(p, x)
    assert np.all(np.isfinite(tr.h)) and np.all(np.abs(tr.h) <= 1)


def test_mlstm_scan_equals_loop_and_reads_what_it_wrote():
    rng = np.random.default_rng(2)
    p = MLSTMParams.init(rng, 3, 4)
    x = rng.standard_normal((30, 2, 3))
    scan, loop = mlstm_forward(p, x), mlstm_forward(p, x, method="loop")
    np.testing.assert_allclose(scan.C, loop.C, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(scan.h, loop.h, rtol=1e-12, atol=1e-14)
    # the memory by its definition, step by step
    C = np.zeros((2, 4, 4))
    for t in range(30):
        k, v = (x[t] @ p.W_k.T + p.b_k) / 2.0, x[t] @ p.W_v.T + p.b_v
        C = scan.f[t][:, None, None] * C + scan.i[t][:, None, None] * v[:, :, None] * k[:, None, :]
    np.testing.assert_allclose(scan.C[-1], C, rtol=1e-12)
    assert mlstm_forward(p, x[:, 0]).h.shape == (30, 4)
