"""The runnable book (book/_tools/runnable_book.py): what the zip holds, and that it runs.

The last test does what a reader does: unpack the zip into an empty folder, run its two
instructions' install command in a fresh virtual environment, and execute a chapter there.
"""

import os
import subprocess
import sys
import time
import zipfile

import pytest
from _tools import runnable_book as rb


def test_requirements_are_the_runtime_pins_only():
    req = rb.runtime_requirements()
    names = {line.split("==")[0].lower() for line in req}
    assert {"numpy", "matplotlib", "ipywidgets", "sympy", "tqdm", "jupyterlab", "ipykernel"} <= names
    assert not names & {"jupyter-book", "pytest", "playwright", "nbval", "ruff", "sphinx"}, "no build or test tools"
    pins = (rb.ROOT / "requirements.txt").read_text()
    assert all(line in pins for line in req), "the same exact pins as the repository"


@pytest.fixture(scope="module")
def book_zip(tmp_path_factory):
    return rb.build_zip(out=tmp_path_factory.mktemp("zip") / "lrnn-book.zip")


def test_zip_holds_notebooks_wheel_requirements_and_instructions(book_zip):
    names = zipfile.ZipFile(book_zip).namelist()
    assert "lrnn-book/README.txt" in names and "lrnn-book/requirements.txt" in names
    assert any(n.startswith("lrnn-book/lrnn-") and n.endswith(".whl") for n in names)
    chapters = sorted(p.name for p in (rb.ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    assert all(f"lrnn-book/{c}" in names for c in chapters)
    assert "lrnn-book/appendix_ledger.ipynb" not in names, "it reads the repository's sources"
    readme = zipfile.ZipFile(book_zip).read("lrnn-book/README.txt").decode()
    assert all(line in readme for line in rb.INSTRUCTIONS)
    requirements = zipfile.ZipFile(book_zip).read("lrnn-book/requirements.txt").decode().split()
    assert requirements[-1].startswith("lrnn-") and requirements[-1].endswith(".whl")


@pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("LRNN_RUNNABLE_TEST")),
    reason="about 3 minutes (a fresh install of JupyterLab): runs in CI, or with LRNN_RUNNABLE_TEST=1",
)
def test_unpacked_book_runs_a_chapter_in_a_fresh_environment(book_zip, tmp_path):
    """The reader's path: unzip, `python3 -m venv .venv && .venv/bin/pip install -r requirements.txt`,
    then a chapter runs in that environment (here with nbconvert instead of the interactive lab)."""
    zipfile.ZipFile(book_zip).extractall(tmp_path)
    folder = tmp_path / "lrnn-book"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "MPLBACKEND")}
    env["PIP_NO_COMPILE"] = "1"  # the same packages, without compiling their bytecode ahead (a minute saved)
    start = time.perf_counter()
    install = rb.INSTRUCTIONS[0].replace("python3", sys.executable, 1)
    subprocess.run(install, shell=True, cwd=folder, env=env, check=True, capture_output=True)
    installed = time.perf_counter() - start
    assert (folder / ".venv" / "bin" / "jupyter-lab").exists(), "the second instruction's program is installed"
    subprocess.run(
        [".venv/bin/jupyter", "nbconvert", "--to", "notebook", "--execute", "--output", "ran.ipynb", "01_roots.ipynb"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (folder / "ran.ipynb").exists()
    print(f"install {installed:.0f} s, then run {time.perf_counter() - start - installed:.0f} s")
