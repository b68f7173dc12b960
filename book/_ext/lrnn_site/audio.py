"""Sounds on the site: compressed files that load when played, not WAV inlined in the page.

A notebook shows a sound (:class:`lrnn.synth.Sound`) as an ``<audio>`` player with its WAV
embedded as a ``data:`` URI, so that Jupyter plays it offline. On the website that would make
every visitor of the page download every sound, uncompressed. After the build, each embedded
WAV becomes an MP3 file in ``_static/sounds/`` (named by a hash of its samples, encoded by
libsndfile through ``soundfile``), and the player points at it with ``preload="none"``: a
reader downloads a sound only by pressing play. The player keeps its label and accessible name.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path

SOUNDS = "_static/sounds"
#: an embedded WAV inside an <audio> player
EMBEDDED = re.compile(r'<source src="data:audio/wav;base64,([A-Za-z0-9+/=\s]+)" type="audio/wav"\s*/?>')
AUDIO = re.compile(r"<audio\b([^>]*)>")


def to_mp3(wav: bytes) -> bytes:
    """The WAV's samples as an MP3 at the same rate (mono, libsndfile's default quality)."""
    import soundfile

    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float64")
    out = io.BytesIO()
    soundfile.write(out, samples, rate, format="MP3", subtype="MPEG_LAYER_III")
    return out.getvalue()


def serve_sounds(html_dir: Path) -> int:
    """Replace every embedded WAV in the site's pages by a file; return how many players changed."""
    changed = 0
    folder = html_dir / SOUNDS
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if "data:audio/wav;base64," not in text:
            continue
        depth = len(page.relative_to(html_dir).parts) - 1
        prefix = "../" * depth

        def file_for(m, prefix=prefix):
            wav = base64.b64decode(re.sub(r"\s", "", m.group(1)))
            name = hashlib.sha256(wav).hexdigest()[:16] + ".mp3"
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / name).exists():
                (folder / name).write_bytes(to_mp3(wav))
            return f'<source src="{prefix}{SOUNDS}/{name}" type="audio/mpeg">'

        new, n = EMBEDDED.subn(file_for, text)

        def lazy(m):
            attrs = re.sub(r'\s*preload="[^"]*"', "", m.group(1))
            return f'<audio{attrs} preload="none">'

        new = AUDIO.sub(lazy, new)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += n
    return changed


def finish(app, exception):
    if exception is None and app.builder.format == "html":
        serve_sounds(Path(app.outdir))


def setup(app):
    app.connect("build-finished", finish)
