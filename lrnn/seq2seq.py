"""Sequence to sequence: an encoder, a decoder trained with teacher forcing, greedy decoding, additive attention.

Not in Sherstinsky's paper, which places attention outside Proposition 1 (Remark 1); built from
its cells through their border gradients (:class:`lrnn.cell.Cell`, ``return_inputs=True``).

**Encoder-decoder** (Cho et al. 2014, "RNN Encoder-Decoder"). The encoder, any cell, reads the
source ``x[0..S-1]``; its last output ``c = h[S-1]`` summarises it. The decoder, any cell, reads at
step ``t`` the previous target token and the summary, ``[y[t-1]; c]`` (Cho et al. condition every
decoder step on ``c``), with ``y[-1]`` a start token; a readout turns its output ``q[t]`` into logits
over the target vocabulary. *Teacher forcing*: in training, ``y[t-1]`` is the true previous token;
*greedy decoding*: at test time it is the decoder's own most likely previous token.

**Additive attention** (Bahdanau, Cho and Bengio 2015: the score is their "alignment model", a
one-hidden-layer network). Over the encoder's outputs ``h[0..S-1]``, for every decoder step ``t``::

    e[t, i] = w_a^T tanh(W_q q[t] + W_k h[i] + b_a)        (Eq. A1)  score of source step i
    a[t, :] = softmax_i(e[t, :])                           (Eq. A2)  the alignment, a distribution over i
    c_a[t]  = sum_i a[t, i] h[i]                           (Eq. A3)  the context

and the readout sees ``[q[t]; c_a[t]]``. Bahdanau et al. score with the *previous* decoder state and
feed the context into the decoder's input; here the query is the decoder's *current* output and the
context goes to the readout, the placement of Luong, Pham and Manning (2015), with Bahdanau's
additive score. So the decoder runs over the whole target as one cell (teacher forcing needs no
step-by-step loop) and attention is a layer above it.

The backward pass, written out (Eqs. A4-A9; ``dE/dc_a`` arrives from the readout)::

    dE/da[t, i] = dE/dc_a[t] . h[i]                                          (Eq. A4)
    dE/de[t, i] = a[t, i] (dE/da[t, i] - sum_j a[t, j] dE/da[t, j])          (Eq. A5)  softmax Jacobian
    delta[t, i] = dE/de[t, i] w_a * (1 - m[t, i]^2),  m = tanh(...) of A1   (Eq. A6)
    dE/dw_a = sum_{t,i} dE/de[t, i] m[t, i],   dE/db_a = sum_{t,i} delta[t, i]          (Eq. A7)
    dE/dW_q = sum_{t,i} delta[t, i] q[t]^T,    dE/dW_k = sum_{t,i} delta[t, i] h[i]^T   (Eq. A8)
    dE/dq[t] = W_q^T sum_i delta[t, i],   dE/dh[i] = sum_t a[t, i] dE/dc_a[t] + W_k^T sum_t delta[t, i]  (Eq. A9)

``dE/dh[i]`` reaches the encoder's output at *every* source step: the path that attention adds,
beside the one through ``c = h[S-1]`` and the encoder's recurrence (Chapter 3's product of Jacobians).

Shapes are time-major: source ``(S, B, d_x)``, decoder inputs ``(T, B, V_in)``; one sequence drops ``B``.

References
----------
Cho et al. (2014), "Learning phrase representations using RNN encoder-decoder for statistical machine
translation", EMNLP. Sutskever, Vinyals and Le (2014), "Sequence to sequence learning with neural
networks", NeurIPS. Bahdanau, Cho and Bengio (2015), "Neural machine translation by jointly learning to
align and translate", ICLR. Luong, Pham and Manning (2015), "Effective approaches to attention-based
neural machine translation", EMNLP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._validation import as_float_array, check_rng, check_type, fmt_shape, positive_int, type_error
from .cell import Parameters, replace_unchecked
from .losses import Readout, softmax, softmax_cross_entropy

__all__ = [
    "AdditiveAttention",
    "AttentionTrace",
    "Seq2Seq",
    "Seq2SeqTrace",
    "greedy_decode",
    "seq2seq_loss",
    "seq2seq_loss_and_grads",
    "teacher_forcing_inputs",
]


def _batch(name: str, a, d: int, d_name: str) -> tuple[np.ndarray, bool]:
    """``a`` as ``(N, B, d)`` float64 (one sequence ``(N, d)`` gets ``B = 1``), and whether it was batched."""
    a = as_float_array(name, a)
    if a.ndim not in (2, 3) or a.shape[-1] != d or a.shape[0] == 0:
        raise ValueError(
            f"{name} has shape {fmt_shape(a.shape)}, expected (N, {d_name}) = (N, {d}) or (N, B, {d_name}) = "
            f"(N, B, {d}) with N >= 1; time runs along axis 0."
        )
    return (a if a.ndim == 3 else a[:, None]), a.ndim == 3


@dataclass(frozen=True)
class AdditiveAttention(Parameters):
    """Parameters of additive attention, Eqs. A1-A3.

    Parameters
    ----------
    W_q : array_like, shape (d_a, d_q)
        Query weights (the decoder's output, ``d_q`` entries).
    W_k : array_like, shape (d_a, d_k)
        Key weights (the encoder's outputs, ``d_k`` entries).
    b_a : array_like, shape (d_a,)
    w_a : array_like, shape (d_a,)
        The score's output weights (Bahdanau et al.'s ``v_a``).

    Examples
    --------
    >>> att = AdditiveAttention.init(np.random.default_rng(0), d_q=3, d_k=2, d_a=4)
    >>> tr = att.forward(np.ones((5, 3)), np.ones((7, 2)))
    >>> tr.a.shape, tr.context.shape, bool(np.allclose(tr.a.sum(axis=-1), 1))
    ((5, 7), (5, 2), True)
    """

    SHAPES: ClassVar = {"W_q": ("d_a", "d_q"), "W_k": ("d_a", "d_k"), "b_a": ("d_a",), "w_a": ("d_a",)}

    W_q: np.ndarray  # (d_a, d_q)  Eq. A1
    W_k: np.ndarray  # (d_a, d_k)  Eq. A1
    b_a: np.ndarray  # (d_a,)  Eq. A1
    w_a: np.ndarray  # (d_a,)  Eq. A1

    @classmethod
    def init(cls, rng: np.random.Generator, d_q: int, d_k: int, d_a: int) -> AdditiveAttention:
        """``W_q ~ N(0, 1/d_q)``, ``W_k ~ N(0, 1/d_k)``, ``w_a ~ N(0, 1/d_a)`` entrywise, ``b_a = 0``."""
        check_rng(rng)
        d_q, d_k, d_a = (positive_int(k, v) for k, v in (("d_q", d_q), ("d_k", d_k), ("d_a", d_a)))
        return cls(W_q=rng.standard_normal((d_a, d_q)) / np.sqrt(d_q), W_k=rng.standard_normal((d_a, d_k)) /
                   np.sqrt(d_k), b_a=np.zeros(d_a), w_a=rng.standard_normal(d_a) / np.sqrt(d_a))  # fmt: skip

    def forward(self, q, h) -> AttentionTrace:
        """The context of every query over every key, Eqs. A1-A3.

        Parameters
        ----------
        q : array_like, shape (T, d_q) or (T, B, d_q)
            Queries, one per decoder step.
        h : array_like, shape (S, d_k) or (S, B, d_k)
            Keys (and values): the encoder's outputs; batched like ``q``.

        Returns
        -------
        AttentionTrace
        """
        sizes = self.sizes
        Q, batched = _batch("q", q, sizes["d_q"], "d_q")
        H, h_batched = _batch("h", h, sizes["d_k"], "d_k")
        if h_batched != batched or H.shape[1] != Q.shape[1]:
            raise ValueError(f"q has shape {fmt_shape(np.shape(q))} and h {fmt_shape(np.shape(h))}: "
                             "pass both as one sequence or both with the same batch size B.")  # fmt: skip
        z = (Q @ self.W_q.T)[:, :, None, :] + (H @ self.W_k.T).transpose(1, 0, 2)[None] + self.b_a  # Eq. A1 (T,B,S,d_a)
        m = np.tanh(z)  # Eq. A1: the hidden layer of the score
        e = m @ self.w_a  # Eq. A1: e[t, i], shape (T, B, S)
        a = softmax(e)  # Eq. A2: over the source steps i (the last axis)
        context = np.einsum("tbi,ibk->tbk", a, H)  # Eq. A3: sum_i a[t, i] h[i]
        return AttentionTrace(q=Q, h=H, m=m, a_batch=a, context_batch=context, batched=batched)

    def backward(self, trace: AttentionTrace, dE_dcontext):
        """Eqs. A4-A9: the parameter gradients and ``dE/dq``, ``dE/dh``.

        Parameters
        ----------
        trace : AttentionTrace
            Result of :meth:`forward`.
        dE_dcontext : array_like, shape of ``trace.context``

        Returns
        -------
        grads : AdditiveAttention
            Summed over every query, key and sequence (built unchecked: a gradient).
        dE_dq : numpy.ndarray, shape of the ``q`` given to :meth:`forward`
        dE_dh : numpy.ndarray, shape of the ``h`` given to :meth:`forward`
        """
        check_type("trace", trace, AttentionTrace, "pass the result of attention.forward(q, h)")
        g = as_float_array("dE_dcontext", dE_dcontext)
        if g.shape != trace.context.shape:
            raise ValueError(f"dE_dcontext has shape {fmt_shape(g.shape)}, expected the shape of trace.context, "
                             f"{fmt_shape(trace.context.shape)}.")  # fmt: skip
        g = g if trace.batched else g[:, None]
        Q, H, m, a = trace.q, trace.h, trace.m, trace.a_batch
        dE_da = np.einsum("tbk,ibk->tbi", g, H)  # Eq. A4
        dE_de = a * (dE_da - np.sum(a * dE_da, axis=-1, keepdims=True))  # Eq. A5: the softmax Jacobian
        delta = dE_de[..., None] * self.w_a * (1.0 - m**2)  # Eq. A6: dE/dz, shape (T, B, S, d_a)
        delta_q, delta_k = delta.sum(axis=2), delta.sum(axis=0).transpose(1, 0, 2)  # (T, B, d_a), (S, B, d_a)
        rows = lambda x: x.reshape(-1, x.shape[-1])  # noqa: E731  one row per step and sequence
        grads = AdditiveAttention.unchecked(
            W_q=rows(delta_q).T @ rows(Q),  # Eq. A8: sum_{t,i} delta[t, i] q[t]^T
            W_k=rows(delta_k).T @ rows(H),  # Eq. A8: sum_{t,i} delta[t, i] h[i]^T
            b_a=delta.sum(axis=(0, 1, 2)),  # Eq. A7
            w_a=np.einsum("tbi,tbid->d", dE_de, m),  # Eq. A7: sum_{t,i} dE/de[t, i] m[t, i]
        )
        dE_dq = delta_q @ self.W_q  # Eq. A9: W_q^T sum_i delta[t, i]
        dE_dh = np.einsum("tbi,tbk->ibk", a, g) + delta_k @ self.W_k  # Eq. A9: as a value, and as a key
        if not trace.batched:
            dE_dq, dE_dh = dE_dq[:, 0], dE_dh[:, 0]
        return grads, dE_dq, dE_dh


@dataclass(frozen=True)
class AttentionTrace:
    """Signals of one attention forward pass; ``a`` and ``context`` have the batch layout of the queries.

    Attributes
    ----------
    q : numpy.ndarray, shape (T, B, d_q)
    h : numpy.ndarray, shape (S, B, d_k)
    m : numpy.ndarray, shape (T, B, S, d_a)
        The score's hidden layer, ``tanh(W_q q[t] + W_k h[i] + b_a)`` (Eq. A1).
    a_batch : numpy.ndarray, shape (T, B, S)
        The alignment (Eq. A2).
    context_batch : numpy.ndarray, shape (T, B, d_k)
        The context (Eq. A3).
    batched : bool
        Whether the queries came as a batch (else ``B = 1`` above, and ``a``, ``context`` drop it).
    """

    q: np.ndarray
    h: np.ndarray
    m: np.ndarray
    a_batch: np.ndarray
    context_batch: np.ndarray
    batched: bool

    @property
    def a(self) -> np.ndarray:
        """The alignment, ``(T, S)`` or ``(T, B, S)``: ``a[t, i]`` is how much step ``t`` reads ``h[i]`` (Eq. A2)."""
        return self.a_batch if self.batched else self.a_batch[:, 0]

    @property
    def context(self) -> np.ndarray:
        """``c_a[t] = sum_i a[t, i] h[i]``, ``(T, d_k)`` or ``(T, B, d_k)`` (Eq. A3)."""
        return self.context_batch if self.batched else self.context_batch[:, 0]


@dataclass(frozen=True)
class Seq2SeqTrace:
    """Signals of a teacher-forced forward pass of :class:`Seq2Seq`.

    Attributes
    ----------
    encoder : trace
        The encoder's trace over the source.
    decoder : trace
        The decoder's trace over ``[y_in[t]; c]``.
    attention : AttentionTrace or None
    features : numpy.ndarray, shape (T, d) or (T, B, d)
        What the readout sees: ``q[t]``, or ``[q[t]; c_a[t]]`` with attention.
    logits : numpy.ndarray, shape (T, V_out) or (T, B, V_out)
    """

    encoder: object
    decoder: object
    attention: AttentionTrace | None
    features: np.ndarray
    logits: np.ndarray


@dataclass(frozen=True)
class Seq2Seq:
    """An encoder-decoder with an optional additive attention (see the module's docstring).

    Parameters
    ----------
    encoder : Cell
        Reads the source, ``d_x`` entries per step; any cell or composed model (:mod:`lrnn.compose`).
    decoder : Cell
        Reads ``[y[t-1]; c]``: its ``d_x`` is ``V_in + encoder.d_out``, with ``V_in`` the size of the
        one-hot input vocabulary (which includes the start token).
    readout : lrnn.losses.Readout
        ``W_y`` of shape ``(V_out, decoder.d_out)``, or ``(V_out, decoder.d_out + encoder.d_out)`` with
        attention. Greedy decoding feeds output class ``k`` back as input token ``k``: ``V_out <= V_in``.
    attention : AdditiveAttention, optional
        ``d_q = decoder.d_out``, ``d_k = encoder.d_out``.

    Raises
    ------
    TypeError, ValueError
        Parts of the wrong kind, or sizes that do not fit together.

    Examples
    --------
    >>> from lrnn.gru import TorchGRUParams
    >>> rng = np.random.default_rng(0)
    >>> V, d = 5, 8  # four symbols and a start token, V_out = 4 classes
    >>> model = Seq2Seq(TorchGRUParams.init(rng, V, d), TorchGRUParams.init(rng, V + d, d),
    ...                 Readout.random(rng, 2 * d, V - 1), AdditiveAttention.init(rng, d, d, d))
    >>> x = np.eye(V)[[0, 1, 2]]  # the source 0, 1, 2, one-hot
    >>> tr = model.forward(x, teacher_forcing_inputs([2, 1, 0], start=4, V=V))  # the target: reversed
    >>> tr.logits.shape, tr.attention.a.shape  # 3 steps of 4 classes; each step's weights over 3 source steps
    ((3, 4), (3, 3))
    """

    encoder: object
    decoder: object
    readout: Readout
    attention: AdditiveAttention | None = None

    def __post_init__(self):
        for name in ("encoder", "decoder"):
            cell = getattr(self, name)
            if not all(callable(getattr(cell, m, None)) for m in ("forward", "backward")):
                raise type_error(name, cell, "a cell (lrnn.cell.Cell), e.g. LSTMParams.init(rng, d_x, d_s)")
        check_type("readout", self.readout, Readout, "build one with Readout.random(rng, d_v, d_y)")
        if self.V_in < 1:
            raise ValueError(
                f"decoder has d_x = {self.decoder.d_x}, expected V_in + encoder.d_out = V_in + {self.encoder.d_out} "
                "with V_in >= 1 one-hot input tokens: the decoder reads [y[t-1]; c]."
            )
        d_k = self.encoder.d_out
        if self.attention is not None:
            check_type("attention", self.attention, AdditiveAttention, "build one with AdditiveAttention.init(...)")
            want = {"d_q": self.decoder.d_out, "d_k": d_k}
            got = {k: self.attention.sizes[k] for k in want}
            if got != want:
                raise ValueError(f"attention has {got}, expected {want} (the decoder's and the encoder's d_out).")
        d_feat = self.decoder.d_out + (d_k if self.attention is not None else 0)
        if self.readout.W_y.shape[1] != d_feat:
            what = "decoder.d_out + encoder.d_out" if self.attention is not None else "decoder.d_out"
            raise ValueError(
                f"readout.W_y has shape {fmt_shape(self.readout.W_y.shape)}, expected (V_out, {what}) = "
                f"(V_out, {d_feat})."
            )
        if self.V_out > self.V_in:
            raise ValueError(
                f"readout has V_out = {self.V_out} classes but the decoder reads V_in = {self.V_in} input tokens; "
                "greedy decoding feeds class k back as token k, so V_out <= V_in."
            )

    @property
    def V_in(self) -> int:
        """Size of the decoder's one-hot input vocabulary (start token included)."""
        return self.decoder.d_x - self.encoder.d_out

    @property
    def V_out(self) -> int:
        """Number of output classes."""
        return self.readout.W_y.shape[0]

    @property
    def n_params(self) -> int:
        """Number of trainable numbers."""
        n = self.encoder.n_params + self.decoder.n_params + self.readout.W_y.size + self.readout.b_y.size
        return n + (self.attention.n_params if self.attention is not None else 0)

    def forward(self, x, y_in) -> Seq2SeqTrace:
        """Teacher forcing: the decoder reads the given previous tokens.

        Parameters
        ----------
        x : array_like, shape (S, d_x) or (S, B, d_x)
            The source.
        y_in : array_like, shape (T, V_in) or (T, B, V_in)
            The decoder's inputs: ``y_in[0]`` the start token, ``y_in[t]`` the true token ``t - 1``
            (one-hot, :func:`teacher_forcing_inputs`); batched like ``x``.

        Returns
        -------
        Seq2SeqTrace
        """
        enc = self.encoder.forward(x)
        h = enc.output  # (S, [B,] d_k)
        Y, batched = _batch("y_in", y_in, self.V_in, "V_in")
        if batched != enc.batched or (batched and Y.shape[1] != h.shape[1]):
            raise ValueError(f"y_in has shape {fmt_shape(np.shape(y_in))}, expected the batch layout of x, "
                             f"{fmt_shape(np.shape(x))}.")  # fmt: skip
        c = h[-1] if batched else h[-1][None]  # the summary c = h[S-1], (B, d_k)
        dec_in = np.concatenate([Y, np.broadcast_to(c, (len(Y), *c.shape))], axis=-1)  # [y[t-1]; c]
        dec = self.decoder.forward(dec_in if batched else dec_in[:, 0])
        q = dec.output
        att = self.attention.forward(q, h) if self.attention is not None else None
        feat = np.concatenate([q, att.context], axis=-1) if att is not None else q  # [q[t]; c_a[t]]
        return Seq2SeqTrace(encoder=enc, decoder=dec, attention=att, features=feat, logits=self.readout(feat))

    def backward(self, trace: Seq2SeqTrace, dE_dlogits) -> Seq2Seq:
        """The gradients of every part, from ``dE/dlogits``.

        Through the readout to ``q`` and ``c_a``; through attention (Eqs. A4-A9) to ``q`` and to every
        ``h[i]``; through the decoder (its border gradients) to the summary ``c``, which it read at
        every step; and through the encoder from ``dE/dh`` (``dE/dc`` added at ``h[S-1]``).

        Returns
        -------
        Seq2Seq
            Gradients with the structure of the model (built unchecked).
        """
        check_type("trace", trace, Seq2SeqTrace, "pass model.forward(x, y_in)")
        g = as_float_array("dE_dlogits", dE_dlogits)
        if g.shape != trace.logits.shape:
            raise ValueError(f"dE_dlogits has shape {fmt_shape(g.shape)}, expected the shape of trace.logits, "
                             f"{fmt_shape(trace.logits.shape)}.")  # fmt: skip
        flat_g, flat_f = g.reshape(-1, g.shape[-1]), trace.features.reshape(-1, trace.features.shape[-1])
        g_readout = replace_unchecked(self.readout, W_y=flat_g.T @ flat_f, b_y=flat_g.sum(axis=0))
        dE_dfeat = g @ self.readout.W_y  # W_y^T dE/dlogits
        d_q = self.decoder.d_out
        dE_dq, dE_dh, g_att = dE_dfeat[..., :d_q], np.zeros_like(trace.encoder.output), None
        if self.attention is not None:
            g_att, dq, dE_dh = self.attention.backward(trace.attention, dE_dfeat[..., d_q:])
            dE_dq = dE_dq + dq
        g_dec, dE_ddec_in, _ = self.decoder.backward(trace.decoder, dE_dq, return_inputs=True)
        dE_dh[-1] += dE_ddec_in[..., self.V_in :].sum(axis=0)  # c = h[S-1] fed to every decoder step
        g_enc = self.encoder.backward(trace.encoder, dE_dh)
        return replace_unchecked(self, encoder=g_enc, decoder=g_dec, readout=g_readout, attention=g_att)


def teacher_forcing_inputs(tokens, start: int, V: int) -> np.ndarray:
    """The decoder's inputs for targets ``tokens``: one-hot ``[start, tokens[0], ..., tokens[T-2]]``.

    Parameters
    ----------
    tokens : array_like of int, shape (T,) or (T, B)
        The target tokens, ``0 .. V - 1``.
    start : int
        The start token's index, ``0 .. V - 1`` (usually one that no target uses).
    V : int
        Size of the input vocabulary.

    Returns
    -------
    numpy.ndarray, shape (T, V) or (T, B, V)

    Examples
    --------
    >>> teacher_forcing_inputs([1, 0], start=2, V=3)
    array([[0., 0., 1.],
           [0., 1., 0.]])
    """
    V = positive_int("V", V)
    t = np.asarray(tokens)
    if t.dtype.kind not in "iu" or t.ndim not in (1, 2) or t.size == 0 or np.any((t < 0) | (t >= V)):
        raise ValueError(f"tokens must be integers 0 .. V - 1 = {V - 1} of shape (T,) or (T, B); got {t!r:.80}.")
    if isinstance(start, bool) or not isinstance(start, int | np.integer) or not 0 <= start < V:
        raise ValueError(f"start = {start!r}, expected a token index 0 .. V - 1 = {V - 1}.")
    prev = np.concatenate([np.full((1, *t.shape[1:]), start), t[:-1]])
    return np.eye(V)[prev]


def seq2seq_loss_and_grads(model: Seq2Seq, x, y_in, target, mask=None):
    """Cross-entropy of the teacher-forced logits against ``target``, and the gradients of every part.

    Parameters
    ----------
    model : Seq2Seq
    x, y_in
        As :meth:`Seq2Seq.forward`.
    target : array_like of int, shape (T,) or (T, B)
        The target tokens (classes ``0 .. V_out - 1``).
    mask : array_like, shape of ``target``, optional

    Returns
    -------
    E : float
        Mean cross-entropy per target token, in nats (:func:`lrnn.losses.softmax_cross_entropy`).
    grads : Seq2Seq

    Examples
    --------
    >>> from lrnn.rnn import RNNParams
    >>> rng = np.random.default_rng(0)
    >>> model = Seq2Seq(RNNParams.init(rng, 2, 3), RNNParams.init(rng, 3 + 3, 3), Readout.random(rng, 3, 2))
    >>> E, g = seq2seq_loss_and_grads(model, rng.standard_normal((4, 2)), teacher_forcing_inputs([0, 1], 2, 3), [0, 1])
    >>> bool(E > 0), g.encoder.W_x.shape
    (True, (3, 2))
    """
    check_type("model", model, Seq2Seq, "build one with Seq2Seq(encoder, decoder, readout, attention)")
    tr = model.forward(x, y_in)
    E, dE_dlogits = softmax_cross_entropy(tr.logits, target, mask)
    return E, model.backward(tr, dE_dlogits)


def seq2seq_loss(model: Seq2Seq, x, y_in, target, mask=None) -> float:
    """The loss of :func:`seq2seq_loss_and_grads` without the backward pass."""
    check_type("model", model, Seq2Seq, "build one with Seq2Seq(encoder, decoder, readout, attention)")
    return softmax_cross_entropy(model.forward(x, y_in).logits, target, mask)[0]


def greedy_decode(model: Seq2Seq, x, start: int, steps: int):
    """Decode by feeding back the most likely token, one step at a time.

    Parameters
    ----------
    model : Seq2Seq
    x : array_like, shape (S, d_x) or (S, B, d_x)
        The source.
    start : int
        The start token's index in the input vocabulary.
    steps : int
        How many tokens to produce.

    Returns
    -------
    tokens : numpy.ndarray of int, shape (steps,) or (steps, B)
    alignment : numpy.ndarray, shape (steps, S) or (steps, B, S), or None
        The attention weights of each produced step (None without attention): the picture of which
        source step each output read.

    Examples
    --------
    The tokens are what teacher forcing with these very tokens would predict:

    >>> from lrnn.lstm import LSTMParams
    >>> rng = np.random.default_rng(1)
    >>> model = Seq2Seq(LSTMParams.init(rng, 2, 4), LSTMParams.init(rng, 4 + 4, 4), Readout.random(rng, 8, 3),
    ...                 AdditiveAttention.init(rng, 4, 4, 5))
    >>> x = rng.standard_normal((6, 2))
    >>> tokens, alignment = greedy_decode(model, x, start=3, steps=5)
    >>> logits = model.forward(x, teacher_forcing_inputs(tokens, start=3, V=4)).logits
    >>> bool(np.array_equal(logits.argmax(axis=-1), tokens)), alignment.shape
    (True, (5, 6))
    """
    check_type("model", model, Seq2Seq, "build one with Seq2Seq(encoder, decoder, readout, attention)")
    steps = positive_int("steps", steps)
    if isinstance(start, bool) or not isinstance(start, int | np.integer) or not 0 <= start < model.V_in:
        raise ValueError(f"start = {start!r}, expected a token index 0 .. V_in - 1 = {model.V_in - 1}.")
    enc = model.encoder.forward(x)
    h = enc.output if enc.batched else enc.output[:, None]  # (S, B, d_k)
    B = h.shape[1]
    prev, state, tokens, weights = np.full(B, start), None, [], []
    for _ in range(steps):
        dec_in = np.concatenate([np.eye(model.V_in)[prev], h[-1]], axis=-1)[None]  # [y[t-1]; c], one step
        dec = model.decoder.forward(dec_in, state)
        q = dec.output  # (1, B, d_q)
        feat = q
        if model.attention is not None:
            att = model.attention.forward(q, h)
            feat = np.concatenate([q, att.context], axis=-1)
            weights.append(att.a[0])
        prev = model.readout(feat)[0].argmax(axis=-1)  # the most likely token, fed back
        tokens.append(prev)
        state = dec.last_state
    tokens = np.array(tokens)
    alignment = np.array(weights) if weights else None
    if not enc.batched:
        tokens, alignment = tokens[:, 0], (alignment[:, 0] if alignment is not None else None)
    return tokens, alignment
