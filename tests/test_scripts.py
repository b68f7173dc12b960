"""Every script under benchmarks/ and experiments/ still imports, and every benchmark still runs.

Nothing else runs these scripts: a renamed function in lrnn breaks them silently (bench_train.py
once imported a loss that had moved). Importing a script runs no work (each has a ``__main__``
guard); each benchmark then runs in its smoke mode (``--smoke``: tiny sizes, one round), a check
that it works, not a timing. Each runs in a fresh interpreter, as from the command line: some
scripts set BLAS environment variables when imported.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("benchmarks", "experiments")
SCRIPTS = sorted(p.relative_to(ROOT).as_posix() for d in FOLDERS for p in (ROOT / d).rglob("*.py"))
BENCHMARKS = [s for s in SCRIPTS if s.startswith("benchmarks/")]
SMOKE = [[s, "--smoke"] for s in BENCHMARKS] + [["benchmarks/bench_train.py", "--smoke", "--cell", "lstm"]]


def _run(args, timeout):
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_scripts_are_found():
    assert {"benchmarks/bench_lstm.py", "benchmarks/bench_train.py", "experiments/memory/sweep.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_imports(script):
    code = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='imported')"
    done = _run([sys.executable, "-c", code, script], timeout=120)
    assert done.returncode == 0, f"{script} does not import:\n{done.stderr[-3000:]}"


@pytest.mark.parametrize("args", SMOKE, ids=lambda a: " ".join(a[:1] + a[2:]))
def test_benchmark_smoke_mode_runs(args):
    done = _run([sys.executable, *args], timeout=300)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stderr[-3000:]}"
    assert done.stdout.strip(), f"{' '.join(args)} printed nothing"
