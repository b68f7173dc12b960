import numpy as np

from lrnn import ode
from lrnn.symbolic.roots import derive_canonical_rnn, numeric_parameters


def test_derivation_matches_paper_closed_forms():
    der = derive_canonical_rnn(d=2, d_x=1)
    assert all(r.is_zero_matrix for r in der.residuals().values())


def test_numeric_substitution_matches_discretize(rng):
    der = derive_canonical_rnn(d=2, d_x=1)
    m = ode.AdditiveModel(
        A=rng.normal(size=(2, 2)) - 2 * np.eye(2),
        B=rng.normal(size=(2, 2)),
        C=rng.normal(size=(2, 1)),
        phi=rng.normal(size=2),
    )
    num = numeric_parameters(der, m.A, m.B, m.C, m.phi, 0.25)
    p = ode.discretize(m, 0.25)
    for k in ("W_s", "W_r", "W_x", "theta_s"):
        np.testing.assert_allclose(num[k], getattr(p, k), rtol=1e-12, atol=1e-14)
