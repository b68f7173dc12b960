"""Tests for lrnn.progress: one bar per loop, shown as the place it runs in can show it."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lrnn.losses import Readout
from lrnn.progress import ProgressBar, static_bar_html, track
from lrnn.train import fit

ROOT = Path(__file__).resolve().parents[1]


def quadratic(p, batch=None):
    return float(np.sum((p.W_y - 1.0) ** 2)), Readout(W_y=2 * (p.W_y - 1.0), b_y=0 * p.b_y)


START = Readout(W_y=np.zeros((1, 3)), b_y=np.zeros(1))


@pytest.fixture
def kernel(monkeypatch):
    """A stand-in for a Jupyter kernel: IPython is running, display() records what it is given."""
    import IPython
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    return shown


def test_import_lrnn_loads_no_tqdm():
    code = "import sys, lrnn, lrnn.train, lrnn.progress; print('tqdm' in sys.modules or 'IPython' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_terminal_bar_on_stderr(capsys):
    fit(quadratic, START, lambda rng: None, np.random.default_rng(0), steps=3, desc="quadratic")
    err = capsys.readouterr().err
    assert "quadratic" in err and "3/3" in err and "loss=" in err


def test_disabled_bar_is_silent(capsys, kernel):
    with ProgressBar(4, "quiet", enabled=False) as bar:
        for _ in range(4):
            bar.update(loss=1.0)
    assert bar.n == 4 and capsys.readouterr() == ("", "") and kernel == []


def test_static_site_shows_one_finished_html_bar(monkeypatch, kernel, capsys):
    monkeypatch.setenv("LRNN_STATIC_SITE", "1")
    fit(quadratic, START, lambda rng: None, np.random.default_rng(0), steps=7, desc="demo <1>")
    assert len(kernel) == 1, "one output per bar, and no widget"
    bundle, kw = kernel[0]
    assert kw == {"raw": True} and set(bundle) == {"text/plain", "text/html"}
    html = bundle["text/html"]
    assert html.count("<progress") == 1 and 'value="7" max="7"' in html
    assert "demo &lt;1&gt;" in html and "7/7" in html and "loss=" in html
    assert "#" not in html and "|" not in html, "no ASCII bar"
    assert "7/7" in bundle["text/plain"] and "█" in bundle["text/plain"]
    assert capsys.readouterr() == ("", ""), "nothing on stdout or stderr"


def test_static_site_bar_of_an_early_stop_is_complete(monkeypatch, kernel):
    monkeypatch.setenv("LRNN_STATIC_SITE", "1")
    bar = ProgressBar(10, "early")
    for _ in range(4):
        bar.update()
    bar.close(complete=True)
    bar.close()  # closing twice shows nothing more
    assert len(kernel) == 1 and 'value="4" max="4"' in kernel[0][0]["text/html"]


def test_static_site_without_a_kernel_falls_back_to_text(monkeypatch, capsys):
    monkeypatch.setenv("LRNN_STATIC_SITE", "1")  # e.g. an experiment script run from the site's shell
    with ProgressBar(2, "script") as bar:
        bar.update(2)
    assert "script" in capsys.readouterr().err


def test_static_bar_html_escapes_and_reports_the_fraction():
    html = static_bar_html("<b>", 1, 3, "1/3 [a<b]")
    assert "&lt;b&gt;" in html and "1/3 [a&lt;b]" in html and "33%" in html and 'value="1" max="3"' in html
    assert ":</span>" not in static_bar_html(None, 0, 3, "")  # no label, no colon


def test_track():
    assert list(track(iter([1, 2]), total=2, enabled=False)) == [1, 2]
    assert list(track([], enabled=False)) == []
    with pytest.raises(TypeError, match=r"iterable has type generator, which has no len\(\); pass total="):
        list(track(k for k in range(3)))
    with pytest.raises(ValueError, match="total = 0, expected a positive integer"):
        ProgressBar(0)


@pytest.mark.site
def test_training_cells_render_one_clean_bar_each_on_the_site():
    page = ROOT / "_build" / "html" / "06_augmented_lstm.html"
    if not page.exists():
        pytest.fail("no built site in _build/html: run `make book` (or `make test`) first")
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    bars = soup.select("div.lrnn-progress")
    assert len(bars) == 3, "one bar per model trained in the chapter's training cell"
    for bar in bars:
        assert len(bar.find_all("progress")) == 1
        assert bar["style"] and re.search(r"\d+/\d+", bar.get_text())
        assert bar.find("progress")["value"] == bar.find("progress")["max"]
    text = soup.get_text()
    assert "|#" not in text and "100%|" not in text, "no text-mode tqdm bar on the page"
    assert "widget-view" not in str(soup) and "tqdm" not in str(soup).lower(), "no widget, no dead tqdm output"
