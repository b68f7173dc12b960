"""Tests for lrnn/__init__.py: the package imports numpy only, and re-exports what it lists."""

import subprocess
import sys

import lrnn


def test_import_loads_numpy_only():
    probe = (
        "import sys, lrnn; "
        "heavy = ('matplotlib', 'sympy', 'ipywidgets', 'tqdm', 'scipy', 'torch', 'IPython'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_every_listed_name_exists():
    missing = [name for name in lrnn.__all__ if not hasattr(lrnn, name)]
    assert not missing and len(set(lrnn.__all__)) == len(lrnn.__all__)
