"""The book's training experiments: the recipes their scripts and chapters share, and their committed results.

Not in Sherstinsky's paper, which reports no training runs. Each experiment has a folder
``experiments/<name>/`` in the repository: the script that runs it (one command, seeds,
progress bars), a README, and the small results the script writes and the repository commits.
What the script and its chapter share, the models and how they are trained and scored, is a
module of the package (the *recipe*), so that both run the same code:

===================  ============  =====================================  ============
experiment           script        recipe                                 chapter
===================  ============  =====================================  ============
``lookahead``        ``run.py``    :mod:`lrnn.experiments.lookahead`      6
``memory``           ``sweep.py``  ``models.py`` beside the script        7
``jsb``              ``train.py``  :mod:`lrnn.experiments.music`          8
``nottingham``       ``train.py``  :mod:`lrnn.experiments.music`          8
``musedata``         ``train.py``  :mod:`lrnn.experiments.music`          8
``piano_midi``       ``train.py``  :mod:`lrnn.experiments.music`          8
``jsb_regularised``  ``train.py``  :mod:`lrnn.experiments.music`          8
``charlm``           ``train.py``  :mod:`lrnn.charlm`                     9
``long_memory``      ``sweep.py``  the package's cells, in the script     11
``jsb_torch``        ``train.py``  :mod:`lrnn.music_models`               PyTorch page
``bidirectional``    ``run.py``    :mod:`lrnn.experiments.bidirectional`  10
``seq2seq``          ``run.py``    :mod:`lrnn.experiments.seq2seq`        10
===================  ============  =====================================  ============

The four music sweeps share their recipe and resumable runner, :mod:`lrnn.experiments.music`
(the models and their training loop are :mod:`lrnn.music_models`). The two memory sweeps
(``memory`` and ``long_memory``) share their runner, the records, the
bookkeeping of the code each run ran and the results files: :mod:`lrnn.experiments.sweep`.

:func:`result` is the one way to reach a committed result: ``experiments/<name>/<file>`` in
the folder that ``lrnn`` was installed from, which pip records (PEP 610, ``direct_url.json``).
That folder is the repository for ``pip install -e .`` (``make env``), and the runnable book's
folder for its ``requirements.txt``, which installs the wheel lying beside the notebooks and
their ``experiments/`` (``book/_tools/runnable_book.py``). So a chapter finds the results from
any working folder: the repository's ``book/``, the unpacked runnable book, or a single
notebook downloaded from the site and opened with that environment's kernel.

:data:`RESULTS` lists the files the chapters read; the runnable book ships exactly these, and
:func:`result` refuses any other, so a chapter cannot come to depend on a file the download lacks.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from ..music_models import KINDS

__all__ = ["MEMORY_CELLS", "RESULTS", "result", "source"]

#: The committed results the chapters read, per experiment (paths inside ``experiments/<name>/``).
RESULTS = {
    "lookahead": ("results.json",),
    "memory": ("results/runs.json", "results/gates.json", "results/gates.npz"),  # Chapter 7 opens four networks
    "jsb": ("results.json", *(f"{kind}.npz" for kind in KINDS)),  # the best model of each kind
    # Chung et al.'s other three data sets (Chapter 8's four-set table)
    **{name: ("results.json", "cost.json") for name in ("nottingham", "musedata", "piano_midi")},
    "jsb_regularised": ("results.json",),  # Chapter 8: dropout and weight noise against the unregularised runs
    "jsb_torch": ("results.json", "bench_cells.json"),  # the PyTorch page (it keeps its outputs)
    "long_memory": ("results/runs.json",),  # the linear recurrences against the gated cells
    "charlm": ("results.json", "gru.npz", "lstm.npz"),  # Chapter 9 opens the GRU and the LSTM
    "bidirectional": ("results.json",),  # Chapter 10: the bidirectional baseline on Chapter 6's task
    "seq2seq": ("results.json",),  # Chapter 10: reversal, without and with attention
}

#: The cells of the memory sweep (``experiments/memory``, Chapter 7) by the names its records give them
#: (``run["cell"]``), as the chapter, the sweep's tables and its explorer name them. The gate ablations
#: of :mod:`lrnn.gate_ablations` follow their parents. Subscripts are marked up as in
#: :mod:`lrnn.widgets.view` (``g_{cx}``; :func:`lrnn.widgets.view.plain_text` gives ``g_cx``).
MEMORY_CELLS = {
    "rnn": "standard RNN",
    "gru": "GRU",
    "lstm": "Vanilla LSTM",
    "augmented": "Augmented LSTM",
    "mgu": "minimal gated unit",
    "lstm_coupled": "coupled-gate LSTM",
    "lstm_no_readout_gate": "Vanilla LSTM without readout gate",
    "lstm_diagonal": "Vanilla LSTM with diagonal pinholes",
    "augmented_open": "Augmented LSTM with g_{cx} held open",
}


def source() -> Path:
    """The folder ``lrnn`` was installed from: a source tree, or the folder of the wheel file.

    Raises
    ------
    FileNotFoundError
        pip recorded no such folder (``lrnn`` came from a package index): the committed results
        ship only with the repository and the runnable book.
    """
    # the installed distribution (a stray lrnn.egg-info of a build in the working folder records no origin)
    records = [d.read_text("direct_url.json") for d in metadata.distributions(name="lrnn")]
    record = next((r for r in records if r), None)
    if record is None:
        raise FileNotFoundError(
            "lrnn was not installed from a folder or a wheel file, so it has no "
            "experiments/ beside it: install it from the repository (`pip install -e .`, or `make env`) "
            "or from the runnable book (`pip install -r requirements.txt` in its folder)."
        )
    from urllib.parse import urlparse
    from urllib.request import url2pathname  # (urllib.request is slow to import: only here)

    path = Path(url2pathname(urlparse(json.loads(record)["url"]).path))
    return path if path.is_dir() else path.parent


def result(name: str, file: str) -> Path:
    """The path of the committed result ``file`` of experiment ``name``: ``experiments/<name>/<file>``.

    Parameters
    ----------
    name : str
        An experiment of :data:`RESULTS`: ``"lookahead"``, ``"memory"``, ``"jsb"`` or ``"jsb_torch"``.
    file : str
        One of its files in :data:`RESULTS`, e.g. ``"results.json"``.

    Returns
    -------
    pathlib.Path
        The file, beside the source that ``lrnn`` was installed from (:func:`source`).

    Raises
    ------
    ValueError
        ``name`` or ``file`` is not in :data:`RESULTS`.
    FileNotFoundError
        The file is not there; the message says where it was looked for and how to make it.

    Examples
    --------
    >>> result("lookahead", "results.json").parts[-3:]
    ('experiments', 'lookahead', 'results.json')
    """
    if name not in RESULTS:
        raise ValueError(f"name = {name!r}, expected an experiment with committed results: {', '.join(RESULTS)}.")
    if file not in RESULTS[name]:
        raise ValueError(
            f"file = {file!r} is not a result that experiments/{name} ships; expected one of "
            f"{', '.join(RESULTS[name])} (a new one goes into lrnn.experiments.RESULTS, so that the "
            "runnable book ships it too)."
        )
    path = source() / "experiments" / name / file
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: the committed results of experiments/{name} are not beside the "
            f"source lrnn was installed from ({source()}). In the repository, `git checkout` restores "
            f"them and the script in experiments/{name} remakes them; the runnable book ships them "
            "beside its notebooks."
        )
    return path
