"""Piano rolls to sound: additive synthesis with numpy and a 16-bit WAV, to hear what a model writes.

Not in any of the papers; a listening aid. Each run of consecutive 1s of key ``k`` in a piano roll
is one note of fundamental frequency ``440 * 2 ** ((21 + k - 69) / 12)`` Hz (equal temperament,
A4 = MIDI 69 = 440 Hz), held for the run's frames. A note is a few harmonics, each a sine, under
an envelope with a short attack and release (so that notes start and stop without clicks) and a
gentle decay; harmonics at or above the Nyquist frequency ``rate / 2`` are left out (they would
alias). The notes are summed and the result scaled to a peak of ``peak``. A roll does not say
whether a key held over two frames was struck again; here it is held.

Symbols (code -> shape)::

    roll   (T, 88)          0/1 frames, column k = MIDI pitch 21 + k
    wave   (T * hop,)       float64 samples in [-peak, peak], hop = round(rate * seconds_per_frame)
"""

from __future__ import annotations

import base64
import html
import io
import wave as _wave

import numpy as np

from ._display import print_edition
from ._validation import as_float_array, check_type, positive_int
from .music import LOWEST_PITCH, check_piano_roll

__all__ = ["key_hz", "render", "wav_bytes", "Sound"]

HARMONICS = (1.0, 0.4, 0.2, 0.1)  # amplitudes of the fundamental and the first overtones


def key_hz(k) -> np.ndarray:
    """Fundamental frequency in Hz of piano key ``k`` (0 = A0 = 27.5 Hz, 48 = A4 = 440 Hz).

    Examples
    --------
    >>> key_hz(np.array([0, 48, 87])).round(2)
    array([  27.5 ,  440.  , 4186.01])
    """
    return 440.0 * 2.0 ** ((LOWEST_PITCH + np.asarray(k, dtype=float) - 69) / 12)


def render(roll, *, rate: int = 8000, seconds_per_frame: float = 0.6, peak: float = 0.9, decay: float = 1.5):
    """The waveform of a piano roll, one note per run of sounding frames of each key.

    Parameters
    ----------
    roll : array_like (T, 88)
    rate : int, default 8000
        Samples per second.
    seconds_per_frame : float, default 0.6
        Duration of one frame (a quarter note in the JSB Chorales: 0.6 s is 100 beats per minute).
    peak : float, default 0.9
        Largest absolute sample of the result (a silent roll gives zeros).
    decay : float, default 1.5
        Amplitude decay rate of a held note, per second (``exp(-decay t)``).

    Returns
    -------
    numpy.ndarray, shape (T * round(rate * seconds_per_frame),)

    Examples
    --------
    >>> roll = np.zeros((2, 88)); roll[:, 48] = 1  # A4 held for two frames
    >>> w = render(roll, rate=8000, seconds_per_frame=0.5)
    >>> w.shape, round(float(np.abs(w).max()), 3)
    ((8000,), 0.9)
    """
    roll = check_piano_roll(roll, min_frames=1)
    rate = positive_int("rate", rate)
    hop = int(round(rate * seconds_per_frame))
    if hop < 1 or not 0 < peak <= 1:
        raise ValueError(f"seconds_per_frame = {seconds_per_frame!r} and peak = {peak!r}: need rate * "
                         "seconds_per_frame >= 1 sample and 0 < peak <= 1.")  # fmt: skip
    out = np.zeros(len(roll) * hop)
    edge = max(1, int(0.01 * rate))  # 10 ms attack and release
    for k in np.flatnonzero(roll.any(axis=0)):
        on = np.diff(np.concatenate([[0], roll[:, k], [0]]).astype(int))
        for start, stop in zip(np.flatnonzero(on == 1), np.flatnonzero(on == -1)):
            t = np.arange((stop - start) * hop) / rate
            env = np.exp(-decay * t) * np.minimum(1.0, np.minimum(t * rate, len(t) - 1 - t * rate) / edge)
            f0 = key_hz(k)
            note = sum(a * np.sin(2 * np.pi * h * f0 * t) for h, a in enumerate(HARMONICS, 1) if h * f0 < rate / 2)
            out[start * hop : stop * hop] += env * note
    top = np.abs(out).max()
    return out * (peak / top) if top > 0 else out


def wav_bytes(wave, rate: int = 8000) -> bytes:
    """A mono 16-bit PCM WAV file of ``wave`` (samples in [-1, 1]), as bytes.

    Examples
    --------
    >>> b = wav_bytes(np.zeros(80), rate=8000)
    >>> b[:4], b[8:12], len(b)  # a 44-byte header, then 2 bytes per sample
    (b'RIFF', b'WAVE', 204)
    """
    w = as_float_array("wave", wave, ndim=1)
    if np.abs(w).max(initial=0) > 1:
        raise ValueError(f"wave reaches {np.abs(w).max():.3g}; expected samples in [-1, 1]: scale it first.")
    buf = io.BytesIO()
    with _wave.open(buf, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(positive_int("rate", rate))
        f.writeframes(np.round(w * 32767).astype("<i2").tobytes())
    return buf.getvalue()


class Sound:
    """A sound on a page: a labelled audio player on the website and in Jupyter, a line of text in print.

    The player is an HTML ``<audio>`` element with the WAV embedded, so a notebook plays it
    offline, under the label the print edition shows ("Sound: what plays (12 s)"); the website's
    build serves the sound as a compressed file loaded only when played
    (``book/_ext/lrnn_site/audio.py``). A printed page cannot play it; in the book's PDF edition
    (``LRNN_PRINT_EDITION=1``) the output also carries Markdown naming what would play and for
    how long, which the PDF shows instead of a Python repr.

    Parameters
    ----------
    wave : array_like, shape (n,)
        Samples in [-1, 1], as :func:`render` returns them.
    rate : int
        Samples per second.
    description : str
        What the sound is, for print ("a chorale sampled from the GRU").

    Examples
    --------
    >>> s = Sound(np.zeros(16000), rate=8000, description="two seconds of silence")
    >>> s.seconds, sorted(s._repr_mimebundle_())
    (2.0, ['text/html', 'text/plain'])
    """

    def __init__(self, wave, rate: int = 8000, *, description: str):
        self.wav = wav_bytes(wave, rate)
        self.rate = positive_int("rate", rate)
        self.seconds = len(np.asarray(wave)) / self.rate
        self.description = check_type("description", description, str)

    @property
    def label(self) -> str:
        """What plays and for how long, as the player's label and the print edition's line."""
        return f"Sound: {self.description} ({self.seconds:.0f} s)"

    def _repr_html_(self) -> str:
        label = html.escape(self.label)
        data = base64.b64encode(self.wav).decode("ascii")
        return (
            f'<figure class="lrnn-sound"><figcaption>{label}</figcaption>'
            f'<audio controls preload="none" aria-label="{label}">'
            f'<source src="data:audio/wav;base64,{data}" type="audio/wav"></audio></figure>'
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {
            "text/html": self._repr_html_(),
            "text/plain": f"<Sound: {self.description}, {self.seconds:.1f} s>",
        }
        if print_edition():
            bundle["text/markdown"] = f"*{self.label}. It plays on the website and in Jupyter.*"
        return bundle
