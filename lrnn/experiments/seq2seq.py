"""The encoder-decoder experiment of Chapter 10: reversing symbol strings, without and with attention.

Not in Sherstinsky's paper, which places attention outside Proposition 1 (Remark 1). A source of
``S`` symbols drawn uniformly from ``K = 8`` must come out reversed: the target's token ``t`` is the
source's token ``S - 1 - t``, so the right alignment is known (the anti-diagonal) and chance
accuracy is ``1 / K``. The models (:class:`lrnn.seq2seq.Seq2Seq`) have a Vanilla LSTM encoder and
decoder with ``d_s = 16``, and with attention an additive attention of ``d_a = 16`` whose context
the readout sees beside the decoder's output. Each length ``S`` gets its own models, trained with
teacher forcing (Adam, fresh batches) and scored by greedy decoding on a fixed test set.

:func:`gradient_paths` measures, on the test set, how strongly the *last* answer (the target token
``S - 1``, which is the source's first symbol) depends on the first input ``x[0]``, split by where
the gradient enters the encoder's outputs: at ``h[S-1]`` through the summary ``c`` that the decoder
reads (and from there back through ``S - 1`` encoder steps, Chapter 3's product of Jacobians), or at
every ``h[i]`` through attention (Eq. A9), ``h[0]`` among them.

``experiments/seq2seq/run.py`` trains every length, model and seed with :func:`train_model` and
commits :func:`evaluate`'s numbers; the chapter trains the smallest case live.
"""

from __future__ import annotations

import numpy as np

from .. import train
from ..losses import Readout, softmax_cross_entropy
from ..lstm import LSTMParams
from ..optim import Adam
from ..seq2seq import AdditiveAttention, Seq2Seq, greedy_decode, seq2seq_loss_and_grads, teacher_forcing_inputs

__all__ = ["CONFIG", "MODELS", "make_model", "batch", "train_model", "test_set", "evaluate", "gradient_paths"]

#: The settings of every run.
CONFIG = dict(
    K=8,  # symbols; the decoder's input vocabulary adds a start token, index K
    lengths=(4, 8, 12, 16, 20),  # source (and target) lengths S, one set of models each
    d_s=16,  # encoder and decoder state size
    d_a=16,  # attention's hidden size
    batch=32,
    steps=600,
    lr=0.01,  # Adam
    clip=1.0,  # global-norm clipping
    test_seed=999,
    test_size=500,
)
#: The models, in order.
MODELS = ("no attention", "attention")


def make_model(seed: int, attention: bool) -> Seq2Seq:
    """An untrained model drawn from ``default_rng(seed)``: LSTM encoder and decoder, optionally attention."""
    r, K, d, d_a = np.random.default_rng(seed), CONFIG["K"], CONFIG["d_s"], CONFIG["d_a"]
    encoder = LSTMParams.init(r, K, d)
    decoder = LSTMParams.init(r, K + 1 + d, d)  # reads [y[t-1]; c], y[t-1] one-hot over K symbols + start
    readout = Readout.random(r, 2 * d if attention else d, K)
    att = AdditiveAttention.init(r, d, d, d_a) if attention else None
    return Seq2Seq(encoder, decoder, readout, att)


def batch(rng: np.random.Generator, S: int, B: int):
    """A batch ``(x, y_in, target)``: one-hot sources ``(S, B, K)``, decoder inputs, reversed targets ``(S, B)``."""
    K = CONFIG["K"]
    src = rng.integers(0, K, size=(S, B))
    target = src[::-1]
    return np.eye(K)[src], teacher_forcing_inputs(target, start=K, V=K + 1), target


def train_model(seed: int, S: int, attention: bool, progress: bool = False, steps: int | None = None):
    """Train one model on strings of length ``S``: a ``FitResult``; batches from ``default_rng(1000 + seed)``."""
    return train.fit(
        lambda model, b: seq2seq_loss_and_grads(model, *b),
        make_model(seed, attention),
        lambda r: batch(r, S, CONFIG["batch"]),
        np.random.default_rng(1000 + seed),
        steps=steps or CONFIG["steps"],
        optimizer=Adam(lr=CONFIG["lr"]),
        clip_norm=CONFIG["clip"],
        progress=progress,
        desc=f"S = {S}, {'attention' if attention else 'no attention'}, seed {seed}",
    )


def test_set(S: int):
    """The fixed test set of length ``S``: ``(x, y_in, target)`` with ``test_size`` strings."""
    return batch(np.random.default_rng(CONFIG["test_seed"] + S), S, CONFIG["test_size"])


def evaluate(model: Seq2Seq, S: int) -> dict:
    """Greedy-decoding accuracy on :func:`test_set` and, with attention, how anti-diagonal the alignment is.

    Returns
    -------
    dict
        ``token_accuracy`` (fraction of output symbols right), ``string_accuracy`` (whole strings
        right) and, with attention, ``antidiagonal_weight`` (the mean weight ``a[t, S - 1 - t]``) and
        ``antidiagonal_argmax`` (fraction of steps whose largest weight is on the anti-diagonal), and
        ``argmax_offsets``: for ``k = -2 .. 2``, the fraction of steps whose largest weight sits at
        source step ``S - 1 - t + k`` (``k = 0`` is the anti-diagonal; ``k = 1``, one step later in
        the source).
    """
    x, _, target = test_set(S)
    tokens, alignment = greedy_decode(model, x, start=CONFIG["K"], steps=S)
    out = {
        "token_accuracy": float(np.mean(tokens == target)),
        "string_accuracy": float(np.mean(np.all(tokens == target, axis=0))),
    }
    if alignment is not None:  # (S, B, S): a[t, b, i]
        t = np.arange(S)
        out["antidiagonal_weight"] = float(alignment[t, :, S - 1 - t].mean())
        out["antidiagonal_argmax"] = float(np.mean(alignment.argmax(axis=-1) == (S - 1 - t)[:, None]))
        offset = alignment.argmax(axis=-1) - (S - 1 - t)[:, None]
        out["argmax_offsets"] = {str(k): float(np.mean(offset == k)) for k in range(-2, 3)}
    return out


def gradient_paths(model: Seq2Seq, S: int, data=None) -> dict:
    """How strongly the last answer depends on ``x[0]``, split by where the gradient enters the encoder.

    ``E`` is the cross-entropy of the last target token (the source's first symbol), teacher-forced
    on :func:`test_set`. Its gradient reaches the encoder's outputs ``h`` in two ways: at ``h[S-1]``
    through the summary ``c`` the decoder reads at every step, and at every ``h[i]`` through attention
    (Eq. A9). Each part is carried back through the encoder to ``dE/dx[0]``; the two add up to the
    whole gradient.

    Parameters
    ----------
    model : Seq2Seq
    S : int
        The source length.
    data : (x, y_in, target), optional
        Strings of length ``S`` as :func:`batch` makes them; :func:`test_set` by default.

    Returns
    -------
    dict
        ``summary`` and ``attention``: the mean over the strings of ``||dE_b/dx_b[0]||`` of each path
        (``attention`` is 0.0 for a model without attention); ``total``: of their sum.
    """
    x, y_in, target = test_set(S) if data is None else data
    B = target.shape[1]
    mask = np.zeros(target.shape)
    mask[-1] = 1.0  # the last answer only
    tr = model.forward(x, y_in)
    _, dE_dlogits = softmax_cross_entropy(tr.logits, target, mask)
    dE_dlogits = dE_dlogits * B  # per string: E is the mean over the batch
    dE_dfeat = dE_dlogits @ model.readout.W_y
    d_q = model.decoder.d_out
    dE_dq, dE_dh_att = dE_dfeat[..., :d_q], np.zeros_like(tr.encoder.output)
    if model.attention is not None:
        _, dq, dE_dh_att = model.attention.backward(tr.attention, dE_dfeat[..., d_q:])
        dE_dq = dE_dq + dq
    _, dE_ddec_in, _ = model.decoder.backward(tr.decoder, dE_dq, return_inputs=True)
    dE_dh_sum = np.zeros_like(tr.encoder.output)
    dE_dh_sum[-1] = dE_ddec_in[..., model.V_in :].sum(axis=0)  # c = h[S-1], read at every decoder step
    paths = {}
    for name, dE_dh in (("summary", dE_dh_sum), ("attention", dE_dh_att)):
        _, dE_dx, _ = model.encoder.backward(tr.encoder, dE_dh, return_inputs=True)
        paths[name] = dE_dx[0]  # (B, K)
    norm = lambda g: float(np.mean(np.linalg.norm(g, axis=-1)))  # noqa: E731
    return {"summary": norm(paths["summary"]), "attention": norm(paths["attention"]),
            "total": norm(paths["summary"] + paths["attention"])}  # fmt: skip
