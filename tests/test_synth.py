"""lrnn.synth: additive synthesis of piano rolls and the WAV writer."""

import io
import wave

import numpy as np
import pytest

from lrnn.synth import HARMONICS, key_hz, render, wav_bytes


def test_key_hz_is_equal_temperament_from_a4():
    np.testing.assert_allclose(key_hz([48, 60, 36]), [440.0, 880.0, 220.0])
    assert key_hz(49) / key_hz(48) == pytest.approx(2 ** (1 / 12))


def _spectrum(w, rate):
    f = np.fft.rfftfreq(len(w), 1 / rate)
    return f, np.abs(np.fft.rfft(w * np.hanning(len(w))))


def test_a_held_note_sounds_at_its_pitch_with_its_harmonics():
    roll = np.zeros((4, 88))
    roll[:, 48] = 1  # A4
    rate = 8000
    w = render(roll, rate=rate, seconds_per_frame=0.5)
    assert w.shape == (4 * 4000,) and np.abs(w).max() == pytest.approx(0.9)
    f, mag = _spectrum(w, rate)
    assert f[np.argmax(mag)] == pytest.approx(440, abs=1)
    at = lambda hz: mag[np.argmin(np.abs(f - hz))]
    ratios = [at(h * 440) / at(440) for h in range(2, 5)]
    np.testing.assert_allclose(ratios, HARMONICS[1:], rtol=0.05)


def test_no_harmonic_is_aliased():
    """Key 87 (C8, 4186 Hz) at 11025 Hz: its 2nd harmonic would fold back to 2653 Hz; it is left out."""
    roll = np.zeros((2, 88))
    roll[:, 87] = 1
    rate = 11025
    f, mag = _spectrum(render(roll, rate=rate, seconds_per_frame=0.5), rate)
    alias = rate - 2 * key_hz(87)
    assert mag[np.argmin(np.abs(f - alias))] < 1e-3 * mag.max()


def test_held_frames_are_one_note_and_silence_is_silent():
    roll = np.zeros((3, 88))
    roll[:2, 40] = 1
    w = render(roll, rate=1000, seconds_per_frame=1.0)
    assert not w[2000:].any()
    one = np.zeros((1, 88))
    one[0, 40] = 1
    np.testing.assert_allclose(w[:2000], render(one, rate=1000, seconds_per_frame=2.0))  # one note, not two
    assert not render(np.zeros((2, 88))).any()
    with pytest.raises(ValueError, match="seconds_per_frame"):
        render(roll, seconds_per_frame=0.0)


def test_wav_bytes_round_trip():
    w = np.sin(np.linspace(0, 20, 800)) * 0.5
    b = wav_bytes(w, rate=8000)
    with wave.open(io.BytesIO(b)) as f:
        assert (f.getnchannels(), f.getsampwidth(), f.getframerate(), f.getnframes()) == (1, 2, 8000, 800)
        back = np.frombuffer(f.readframes(800), "<i2") / 32767
    np.testing.assert_allclose(back, w, atol=1 / 32767)
    with pytest.raises(ValueError, match=r"expected samples in \[-1, 1\]"):
        wav_bytes(3 * w)


def test_sound_plays_on_screen_and_says_what_plays_in_print(monkeypatch):
    from lrnn.synth import Sound

    s = Sound(np.zeros(12_000), rate=8000, description="a rest")
    monkeypatch.delenv("LRNN_PRINT_EDITION", raising=False)
    screen = s._repr_mimebundle_()
    assert "data:audio/wav;base64," in screen["text/html"] and "text/markdown" not in screen
    # the player carries the label the print edition shows, as its caption and its accessible name
    assert "<figcaption>Sound: a rest (2 s)</figcaption>" in screen["text/html"]
    assert 'aria-label="Sound: a rest (2 s)"' in screen["text/html"] and 'preload="none"' in screen["text/html"]
    monkeypatch.setenv("LRNN_PRINT_EDITION", "1")
    printed = s._repr_mimebundle_()["text/markdown"]
    assert "a rest (2 s)" in printed and "plays on the website" in printed
    with pytest.raises(TypeError, match="description has type int, expected str"):
        Sound(np.zeros(8), description=3)
