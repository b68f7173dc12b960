import os
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    return np.random.default_rng(1808_03314)


# The book's own tooling (ledger, student edition) lives in book/_tools, outside the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book"))
