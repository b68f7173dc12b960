"""Chapter 8 on the built site: its audio plays offline (embedded WAV data URIs) and stays light."""

import base64
import io
import wave
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.site
PAGE = Path(__file__).resolve().parents[1] / "_build" / "html" / "08_real_music.html"


def test_audio_is_embedded_wav():
    if not PAGE.exists():
        pytest.fail("no built page _build/html/08_real_music.html: run `make book` (or `make test`) first")
    soup = BeautifulSoup(PAGE.read_text(encoding="utf-8"), "html.parser")
    players = soup.find_all("audio")
    assert len(players) >= 3
    for audio in players:
        srcs = [s.get("src", "") for s in audio.find_all("source")] + ([audio["src"]] if audio.get("src") else [])
        assert srcs and all(s.startswith("data:audio/wav;base64,") for s in srcs), srcs[:1]
        raw = base64.b64decode(srcs[0].split(",", 1)[1])
        assert len(raw) < 400_000
        with wave.open(io.BytesIO(raw)) as w:
            assert (w.getnchannels(), w.getsampwidth()) == (1, 2) and 8000 <= w.getframerate() <= 11025
            assert 10 < w.getnframes() / w.getframerate() < 20  # seconds
