"""The runnable book: the notebooks, a wheel of ``lrnn`` and the pinned requirements, in one zip.

A reader who downloads it needs only Python >= 3.11 and two commands (``README.txt`` in the
zip, and the book's "How to use" page)::

    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
    .venv/bin/jupyter lab

``requirements.txt`` holds the exact pins of the repository's ``requirements.txt`` for what
the notebooks need (numpy, matplotlib, ipywidgets, sympy, tqdm, JupyterLab and everything
they depend on, as installed in the environment that builds the book), then the wheel.

The zip ships exactly what its notebooks read: the committed results of the training
experiments that Chapters 6-8 plot (:data:`lrnn.experiments.RESULTS`, under ``experiments/``
beside the notebooks, where :func:`lrnn.experiments.result` finds them: pip records that the
wheel was installed from this folder), and no notebook that imports the book's own tooling
(``_tools``: the ledger and the course pages, which read the book's sources and the table of
contents, and stay on the website).

Usage: ``python book/_tools/runnable_book.py [--src book] [--out _build/html/lrnn-book.zip]``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

__all__ = ["RUNTIME", "INSTRUCTIONS", "runnable", "notebooks", "results", "runtime_requirements", "build_wheel",
           "build_zip", "torch_pin"]  # fmt: skip

#: The repository: the nearest folder above this file with the package's pyproject.toml (the
#: student edition runs a copy of this file from _build/student-src/book/_tools).
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
#: What the notebooks import or run in (their dependencies follow from the installed metadata).
RUNTIME = ("numpy", "matplotlib", "ipywidgets", "sympy", "tqdm", "jupyterlab", "ipykernel")
INSTRUCTIONS = (
    "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt",
    ".venv/bin/jupyter lab",
)
FOLDER = "lrnn-book"
#: A code line that imports the book's tooling (book/_tools), which the runnable book does not ship.
TOOLING = re.compile(r"^\s*(?:from|import)\s+_tools\b", re.M)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(roots) -> set[str]:
    """Canonical names of ``roots`` and everything they require (markers evaluated here)."""
    from packaging.requirements import Requirement

    seen, todo = set(), [(_canonical(r), ()) for r in roots]
    while todo:
        name, extras = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in (*extras, "")):
                todo.append((_canonical(req.name), tuple(req.extras)))
    return seen


def runtime_requirements(pins: Path = ROOT / "requirements.txt") -> list[str]:
    """The lines ``name==version`` of ``pins`` that the notebooks need."""
    need = _closure(RUNTIME)
    out = []
    for line in pins.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*([A-Za-z0-9_.-]+)\s*==", line)
        if m and _canonical(m.group(1)) in need:
            out.append(line.strip())
    return out


def runnable(notebook: Path) -> bool:
    """Whether a notebook runs outside the repository: none of its code cells imports ``_tools``."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return not any(c.cell_type == "code" and TOOLING.search(c.source) for c in nb.cells)


def notebooks(src: Path = ROOT / "book") -> list[Path]:
    """The notebooks of ``src`` that the runnable book ships (:func:`runnable` ones), in name order."""
    return [nb for nb in sorted(Path(src).glob("*.ipynb")) if runnable(nb)]


def results() -> list[str]:
    """The committed results the chapters read, as paths ``experiments/<name>/<file>`` of the repository."""
    from lrnn.experiments import RESULTS

    return [f"experiments/{name}/{file}" for name, files in RESULTS.items() for file in files]


def build_wheel(dest: Path) -> Path:
    """Build the ``lrnn`` wheel into ``dest`` with pip's own build front end.

    From a copy of the package's sources (``pyproject.toml``, ``README.md``, ``LICENSE``, ``lrnn/``):
    building in the repository would leave ``build/`` there, whose stale modules a later build
    would package, and an ``lrnn.egg-info`` that shadows the installed distribution's metadata.
    """
    dest = Path(dest)
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "lrnn-src"
        tree.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            shutil.copy2(ROOT / name, tree / name)
        shutil.copytree(ROOT / "lrnn", tree / "lrnn", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check"]
            + ["-w", str(dest), str(tree)],
            check=True,
        )
    return next(dest.glob("lrnn-*.whl"))


def torch_pin() -> str:
    """The PyTorch pin of the package's optional extra (``lrnn[torch]`` in pyproject.toml)."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    return next(req for req in extras["torch"] if req.startswith("torch=="))


def build_zip(
    src: Path = ROOT / "book", out: Path = ROOT / "_build" / "html" / "lrnn-book.zip", *, wheel: Path | None = None
) -> Path:
    """Write the runnable book to ``out``: the runnable notebooks of ``src``, the committed results
    they read, the wheel (built here unless ``wheel`` is one already built), the requirements and a README."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = Path(wheel) if wheel else build_wheel(Path(tmp))
        requirements = [*runtime_requirements(), wheel.name]
        readme = (
            "Recurrent Networks from First Principles: the runnable book.\n"
            "Python 3.11 or newer. In this folder, run:\n\n"
            + "\n".join(f"    {line}" for line in INSTRUCTIONS)
            + "\n\n(On Windows: .venv\\Scripts\\pip and .venv\\Scripts\\jupyter.)\n\n"
            "experiments/ holds the committed results of the book's training runs, which the chapters\n"
            "read (lrnn finds them here because it was installed from this folder).\n"
            + (
                f"\npytorch_bridge.ipynb, the PyTorch page, also needs PyTorch: .venv/bin/pip install {torch_pin()}\n"
                if (src / "pytorch_bridge.ipynb").exists()
                else ""
            )
        )
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(f"{FOLDER}/README.txt", readme)
            z.writestr(f"{FOLDER}/requirements.txt", "\n".join(requirements) + "\n")
            z.write(wheel, f"{FOLDER}/{wheel.name}")
            for nb in notebooks(src):
                z.write(nb, f"{FOLDER}/{nb.name}")
            for path in results():
                z.write(ROOT / path, f"{FOLDER}/{path}")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=ROOT / "book", help="folder with the notebooks")
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "html" / "lrnn-book.zip")
    args = ap.parse_args(argv)
    print(build_zip(args.src, args.out))


if __name__ == "__main__":
    main()
