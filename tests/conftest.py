import functools
import http.server
import math
import os
import shutil
import sys
import threading
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from lrnn.gradcheck import random_readout_loss
from lrnn.lstm import LSTMParams

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    return np.random.default_rng(1808_03314)


# A Vanilla LSTM with d_x = d_s = 1 whose equations the tests evaluate by hand.
SCALAR_LSTM = dict(
    W_x_cu=0.5, W_s_cu=0.1, W_v_cu=-0.3, b_cu=0.2,
    W_x_cs=-0.4, W_s_cs=0.2, W_v_cs=0.6, b_cs=1.0,
    W_x_cr=0.7, W_s_cr=-0.5, W_v_cr=0.25, b_cr=-0.1,
    W_x_du=1.2, W_v_du=0.8, b_du=0.05,
)  # fmt: skip


@pytest.fixture
def scalar_lstm():
    """``(entries by name, LSTMParams)`` of the scalar cell, for hand-computed cases."""
    shaped = {k: np.reshape(v, (1,) if k.startswith("b") else (1, 1)) for k, v in SCALAR_LSTM.items()}
    return dict(SCALAR_LSTM), LSTMParams(**shaped)


@pytest.fixture
def sigma():
    """The logistic function on a Python float, written out (an independent reference for G_c)."""
    return lambda z: 1.0 / (1.0 + math.exp(-z))


@pytest.fixture
def squared_error():
    """``make(rng, forward, params, x, *initial) -> (loss, dE_dout)``: :func:`lrnn.gradcheck.random_readout_loss`."""
    return random_readout_loss


# The book's own tooling (ledger, student edition) lives in book/_tools, outside the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book"))


# The two memory sweeps (experiments/memory, Chapter 7; experiments/long_memory, Chapter 11).
SWEEPS = ("memory", "long_memory")
BLAS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@pytest.fixture(scope="session")
def sweeps():
    """``{name: sweep script as a module}`` of :data:`SWEEPS`; their model files are ``<name>_models`` in sys.modules.

    A script sets the BLAS variables for its own processes when imported; other tests'
    subprocesses should not inherit them, so they are restored.
    """
    from lrnn.experiments.sweep import load_module

    before = {k: os.environ.get(k) for k in BLAS}
    root = Path(__file__).resolve().parents[1] / "experiments"
    scripts = {name: load_module(f"{name}_sweep", root / name / "sweep.py") for name in SWEEPS}
    for k, v in before.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    return scripts


# The browser checks' web server and Chromium (tests/test_browser*.py): one of each a test worker.
# Module-scoped, they were started again each time a worker went from one module's test to another's.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SITE_HTML = Path(__file__).resolve().parents[1] / "_build" / "html"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def server():
    if not (SITE_HTML / "index.html").exists():
        pytest.fail("no built site in _build/html: run `make book` (or `make test`) first")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(SITE_HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium not installed (Debian package 'chromium'); `make test` installs it when run as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def pages():
    """Every page of the built site (_build/html), parsed: ``{path: BeautifulSoup}``, read-only.

    Parsed once a test worker, for the checks of the built HTML (tests/test_site.py and
    tests/test_site_reader.py, whose module-scoped copies were parsed each time a worker passed from
    one module's test to another's)."""
    from bs4 import BeautifulSoup

    if not (SITE_HTML / "index.html").exists():
        pytest.fail("no built site in _build/html: run `make book` (or `make test`) first")
    return {
        p.relative_to(SITE_HTML).as_posix(): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        for p in SITE_HTML.rglob("*.html")
    }


# pytest-xdist hands out tests in collection order. The slowest checks go first, so that none of
# them starts last and leaves the other workers idle at the end of make test.
SLOW_FIRST = (
    "tests/test_browser_layout.py::test_every_page_fits_a_phone_and_a_desktop",
    "tests/test_browser_layout.py::test_every_figure_reads_on_a_phone",
    "tests/test_lab.py::test_every_live_explorer_recomputes_in_the_kernel",
    "tests/test_browser_reader.py::test_axe_finds_nothing_serious_on_the_page[api",
    "tests/test_browser_predict.py::test_guess_then_reveal_the_computed_value",
    "tests/test_browser.py::test_explorers_respond_and_are_readable_in_both_themes",
    "tests/test_browser.py::test_equation_mentions_are_links_to_displayed_equations",
    "tests/test_browser_reader.py::test_explorer_controls_work_by_keyboard",
    "tests/test_browser_reader.py::test_axe_finds_nothing_serious_on_the_page",
)


def pytest_collection_modifyitems(config, items):
    def rank(item):
        return next((i for i, name in enumerate(SLOW_FIRST) if item.nodeid.startswith(name)), len(SLOW_FIRST))

    items.sort(key=rank)


class KilledRun(Exception):
    """A run stopped by :func:`kill_after_writes`, as if its process had been killed."""


@pytest.fixture
def kill_after_writes(monkeypatch):
    """``arm(n=2)``: the ``n``-th file a run moves into place (a checkpoint) is its last; then
    :class:`KilledRun`. ``monkeypatch.undo()`` disarms it."""
    real = Path.replace

    def arm(n: int = 2):
        written = []

        def replace_then_die(self, target):
            out = real(self, target)
            written.append(target)
            if len(written) == n:
                raise KilledRun
            return out

        monkeypatch.setattr(Path, "replace", replace_then_die)

    return arm
