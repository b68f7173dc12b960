"""Looking inside a character model: features a reader can name, and the units that track them.

Not in Sherstinsky's paper. Karpathy, Johnson and Fei-Fei (2015) opened LSTMs trained on text and
found cells that count the position in a line, switch on inside quotes or comments, and gates
that stay open or shut. A claim of that kind is a measurement: a unit's activation along a text
should correlate with a feature of the text, better than any unit of the same network before
training does (an untrained network's units already echo the current character, so features
that the current character decides are found everywhere). This module names the features and
measures the correlations; the book decides what to claim.

Features, one number per character ``c[n]`` (the state after reading it)::

    line_position   characters since the last newline (0 for the newline itself)
    after_newline   1 where c[n] is a newline
    speaker_name    1 inside a speaker's name: a line ending in ':' after an empty line ("ROMEO:")
    inside_word     1 where c[n] is a letter or an apostrophe between letters

Gate statistics (Karpathy et al. 2015, Fig. 3): the share of steps at which a gate is
*left-saturated* (below 0.1, shut) or *right-saturated* (above 0.9, open), and how much it
changes from one character to the next.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FEATURES", "text_features", "unit_correlations", "best_unit", "gate_saturation", "gate_switching"]

FEATURES = ("line_position", "after_newline", "speaker_name", "inside_word")


def text_features(text: str) -> dict[str, np.ndarray]:
    """The named features of ``text``, each an array of shape ``(len(text),)``.

    Examples
    --------
    >>> f = text_features("\\nROMEO:\\nIt's me.\\n")
    >>> f["line_position"][:9].tolist(), f["speaker_name"][:8].tolist()
    ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.0, 1.0], [0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    >>> f["inside_word"][8:16].tolist()  # "It's me."
    [1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0]
    """
    if not isinstance(text, str) or not text:
        raise ValueError("text must be a non-empty str.")
    chars = np.array(list(text))
    newline = chars == "\n"
    idx = np.arange(len(text))
    last_nl = np.maximum.accumulate(np.where(newline, idx, -1))
    line_position = np.where(last_nl >= 0, idx - last_nl, idx + 1).astype(float)
    line_position[newline] = 0.0
    speaker = np.zeros(len(text))
    start = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.endswith(":") and (i == 0 or lines[i - 1] == "") and line.strip():
            speaker[start : start + len(line)] = 1.0
        start += len(line) + 1
    letter = np.char.isalpha(chars)
    apostrophe = (chars == "'") & np.r_[False, letter[:-1]] & np.r_[letter[1:], False]
    return {
        "line_position": line_position,
        "after_newline": newline.astype(float),
        "speaker_name": speaker,
        "inside_word": (letter | apostrophe).astype(float),
    }


def unit_correlations(activations, feature) -> np.ndarray:
    """Pearson correlation of each unit with ``feature`` along the text: shape ``(d,)``; 0 for a constant unit.

    Parameters
    ----------
    activations : array_like, shape (M, d)
    feature : array_like, shape (M,)
    """
    a = np.asarray(activations, dtype=float)
    f = np.asarray(feature, dtype=float)
    if a.ndim != 2 or f.shape != a.shape[:1]:
        raise ValueError(f"activations {a.shape} and feature {f.shape}: expected (M, d) and (M,).")
    a, f = a - a.mean(axis=0), f - f.mean()
    den = np.sqrt((a * a).sum(axis=0) * (f * f).sum())
    return np.divide(a.T @ f, den, out=np.zeros(a.shape[1]), where=den > 0)


def best_unit(activations, feature) -> tuple[int, float]:
    """The unit whose activation correlates most strongly with ``feature``: ``(index, r)`` (``r`` may be negative)."""
    r = unit_correlations(activations, feature)
    k = int(np.argmax(np.abs(r)))
    return k, float(r[k])


def gate_saturation(gates, low: float = 0.1, high: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, the share of steps with the gate below ``low`` (shut) and above ``high`` (open), each ``(d,)``."""
    g = np.asarray(gates, dtype=float).reshape(-1, np.shape(gates)[-1])
    return (g < low).mean(axis=0), (g > high).mean(axis=0)


def gate_switching(gates) -> np.ndarray:
    """Per unit, the mean ``|g[n] - g[n-1]|`` along the text: near 0 for a gate that holds, large for one that flips."""
    g = np.asarray(gates, dtype=float)
    return np.abs(np.diff(g, axis=0)).reshape(-1, g.shape[-1]).mean(axis=0)
