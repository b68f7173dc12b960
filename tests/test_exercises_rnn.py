from types import SimpleNamespace

import numpy as np
import pytest

from lrnn.exercises import check_impulse_response, check_rnn_backward, check_segment_offsets, check_unrolled_forward
from lrnn.rnn import RNNParams, rnn_forward
from lrnn.rnn_bptt import rnn_backward
from lrnn.unrolling import impulse_response, segment_offsets, unrolled_forward


def _with(fix_grads=None, fix_psi=None, **kw):
    """A student's rnn_backward: lrnn's, then one field of the output broken by ``fix_*(value, params, trace)``."""

    def student(params, trace, dE_dr):
        grads, psi = rnn_backward(params, trace, dE_dr, **kw)
        g = {k: getattr(grads, k) for k in ("W_r", "W_x", "theta_s", "W_s")}
        if fix_grads:
            name, fn = fix_grads
            g[name] = fn(g[name], params, trace, psi)
        return SimpleNamespace(**g), (psi if fix_psi is None else fix_psi(psi, params, trace, dE_dr))

    return student


def _no_recurrence(psi, params, trace, dE_dr):
    return dE_dr * (1 - np.tanh(trace.s) ** 2)


def _psi_with(dG):  # the right recursion, with G' replaced by dG(trace)
    def fix(psi, params, trace, dE_dr):
        out, nxt = np.empty_like(psi), np.zeros_like(psi[0])
        for n in reversed(range(len(psi))):
            out[n] = nxt = (dE_dr[n] + nxt @ params.W_r) * dG(trace)[n]
        return out

    return fix


def test_correct_functions_pass():
    assert check_rnn_backward(rnn_backward).startswith("check_rnn_backward: all 3 cases pass")
    assert "canonical RNN" in check_rnn_backward(rnn_backward, canonical=True)
    assert check_impulse_response(impulse_response).startswith("check_impulse_response: s[0..N-1] matches Eq. 36")
    assert check_impulse_response(lambda p, N: impulse_response(p, N).s).startswith("check_impulse_response")
    assert check_segment_offsets(segment_offsets).startswith("check_segment_offsets")
    assert check_unrolled_forward(lambda p, x, K: unrolled_forward(p, x, K, parallel=True)).startswith("check_unrol")


@pytest.mark.parametrize(
    "student, message",
    [
        (
            _with(erratum_p1=True),
            r"psi is wrong: it looks like the printed Eq. 82 \(W_r instead of W_r.T\).*erratum P1",
        ),
        (_with(fix_psi=_no_recurrence), r"psi\[n\] matches only at the last step: you probably dropped the recurrent"),
        (_with(fix_psi=_psi_with(dG=lambda tr: 1 - np.tanh(tr.r) ** 2)), r"you evaluated G' at r\[n\]"),
        (_with(fix_psi=_psi_with(dG=lambda tr: np.ones_like(tr.s))), r"you forgot the factor G'\(s\[n\]\) of Eq. 83"),
        (_with(fix_psi=lambda psi, *_: psi[::-1]), r"psi differs from lrnn's at steps n = \[0, 1, 3, 4\].*\[2\] match"),
        (
            _with(fix_psi=lambda psi, *_: np.concatenate([psi, 0 * psi[:1]])),
            r"psi has shape \(2, 2\), expected \(1, 2\).*terminal psi\[N\]",
        ),
        (_with(fix_grads=("W_x", lambda g, *_: g.T)), r"gradient of W_x has shape \(3, 2\), expected \(2, 3\).*transp"),
        (
            _with(fix_grads=("W_r", lambda g, *_: g.T)),
            r"gradient of W_r is wrong: it is the transpose of the right one",
        ),
        (_with(fix_grads=("theta_s", lambda g, *_: g[None])), r"theta_s has shape \(1, 2\).*sum over the leading axes"),
        (_with(fix_grads=("W_x", lambda g, *_: 2 * g)), r"gradient of W_x differs from lrnn's at rows \[0, 1\]"),
        (_with(fix_grads=("W_r", lambda g, p, tr, psi: np.einsum("n...i,n...j->ij", psi, tr.r))), r"with r\[n-1\]"),
        (_with(fix_grads=("W_s", lambda g, *_: None)), r"grads has no W_s"),
        (lambda p, tr, d: rnn_backward(p, tr, d)[1], r"returned ndarray, expected a pair \(grads, psi\)"),
        (lambda p, tr, d: 1 / 0, r"N = 1, d_x = 3, d_s = 2: your function raised ZeroDivisionError"),
    ],
)
def test_rnn_backward_mistakes_are_named(student, message):
    with pytest.raises(AssertionError, match=message):
        check_rnn_backward(student, canonical=True)


def test_batch_mistakes_are_named():
    def r0_dropped(g, p, tr, psi):
        prev = np.concatenate([np.zeros((1,) + tr.s.shape[1:]), tr.r[:-1]])  # r[-1] = 0 although s0 != 0
        return np.einsum("nbi,nbj->ij", psi, prev) if tr.batched else g

    averaged = ("theta_s", lambda g, p, tr, psi: g / tr.s.shape[1] if tr.batched else g)
    with pytest.raises(AssertionError, match=r"batched .*: the gradient of theta_s is wrong: you averaged"):
        check_rnn_backward(_with(fix_grads=averaged))
    with pytest.raises(AssertionError, match=r"dropped the n = 0 term psi\[0\] r\[-1\]\^T"):
        check_rnn_backward(_with(fix_grads=("W_r", r0_dropped)))


def test_canonical_mistakes_are_named():
    def no_W_s_path(psi, params, trace, dE_dr):
        return rnn_backward(RNNParams(params.W_r, params.W_x, params.theta_s), trace, dE_dr)[1]

    with pytest.raises(AssertionError, match=r"canonical RNN.*add W_s\^T psi\[n\+1\]"):
        check_rnn_backward(_with(fix_psi=no_W_s_path), canonical=True)
    with pytest.raises(AssertionError, match=r"dE/dW_s pairs psi\[n\] with s\[n-1\]"):
        check_rnn_backward(_with(fix_grads=("W_s", lambda g, p, tr, psi: _r_outer(tr, psi))), canonical=True)


def _r_outer(tr, psi):  # sum_n psi[n] r[n-1]^T: the W_r gradient, wrong for W_s
    P = psi.reshape(len(psi), -1, psi.shape[-1])
    prev = np.concatenate([np.tanh(tr.s0)[None], tr.r[:-1]]).reshape(P.shape)
    return np.einsum("nbi,nbj->ij", P, prev)


@pytest.mark.parametrize(
    "student, message",
    [
        (lambda p, N: impulse_response(p, N, zero_bias=False), "you kept theta_s"),
        (lambda p, N: impulse_response(p, N).r, r"you returned r\[n\] = G\(s\[n\]\)"),
        (lambda p, N: np.vstack([np.zeros((1, 3)), impulse_response(p, N - 1).s]), "it is one step late"),
        (lambda p, N: [np.linalg.matrix_power(p.W_r, n) @ p.W_x.sum(1) for n in range(N)], r"fed back s\[n-1\]"),
        (lambda p, N: rnn_forward(RNNParams(p.W_r, p.W_x, 0 * p.theta_s), np.ones((N, 2))).s, "the unit step u"),
        (lambda p, N: impulse_response(RNNParams(p.W_r.T, p.W_x, p.theta_s), N), "you multiplied by W_r.T"),
        (lambda p, N: impulse_response(p, N + 1).s, r"s has shape \(7, 3\), expected \(6, 3\)"),
        (lambda p, N: "s", "s is str, expected a numeric array"),
    ],
)
def test_impulse_response_mistakes_are_named(student, message):
    with pytest.raises(AssertionError, match=message):
        check_impulse_response(student)


def test_segment_offset_mistakes_are_named():
    with pytest.raises(AssertionError, match=r"you included K_m: j\(m\) = K_0 \+ ... \+ K_\{m-1\}"):
        check_segment_offsets(np.cumsum)
    with pytest.raises(AssertionError, match=r"you returned M \+ 1 offsets"):
        check_segment_offsets(lambda K: np.concatenate([[0], np.cumsum(K)]))


def test_unrolled_forward_mistakes_are_named():
    with pytest.raises(AssertionError, match=r"you carried the state across segments; each starts from s~\[-1\] = 0"):
        check_unrolled_forward(lambda p, x, K: rnn_forward(p, x).s)

    def first_only(p, x, K):
        s = np.zeros((len(x), p.d_s))
        s[: K[0]] = rnn_forward(p, x[: K[0]]).s
        return s

    with pytest.raises(AssertionError, match="only the first segment is computed"):
        check_unrolled_forward(first_only)
    with pytest.raises(AssertionError, match=r"s differs from lrnn's at steps n = \[6\].*\[0, 1, 2, 3, 4, 5\] match"):
        check_unrolled_forward(lambda p, x, K: unrolled_forward(p, x, [3, 2, 1, 1]).s)
