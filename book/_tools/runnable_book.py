"""The runnable book: the notebooks, a wheel of ``lrnn`` and the pinned requirements, in one zip.

A reader who downloads it needs only Python >= 3.11 and two commands (``README.txt`` in the
zip, and the book's "How to use" page)::

    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
    .venv/bin/jupyter lab

``requirements.txt`` holds the exact pins of the repository's ``requirements.txt`` for what
the notebooks need (numpy, matplotlib, ipywidgets, sympy, tqdm, JupyterLab and everything
they depend on, as installed in the environment that builds the book), then the wheel.

Usage: ``python book/_tools/runnable_book.py [--src book] [--out _build/html/lrnn-book.zip]``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

__all__ = [
    "RUNTIME",
    "NOT_RUNNABLE",
    "INSTRUCTIONS",
    "runtime_requirements",
    "build_wheel",
    "build_zip",
]

#: The repository: the nearest folder above this file with the package's pyproject.toml (the
#: student edition runs a copy of this file from _build/student-src/book/_tools).
ROOT = next(
    p
    for p in Path(__file__).resolve().parents
    if (p / "pyproject.toml").is_file()
)
#: What the notebooks import or run in (their dependencies follow from the installed metadata).
RUNTIME = (
    "numpy",
    "matplotlib",
    "ipywidgets",
    "sympy",
    "tqdm",
    "jupyterlab",
    "ipykernel",
)
#: Notebooks that read the repository's own sources, so do not run outside it.
NOT_RUNNABLE = ("appendix_ledger.ipynb",)
INSTRUCTIONS = (
    "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt",
    ".venv/bin/jupyter lab",
)
FOLDER = "lrnn-book"
SWEEPS = (
    ROOT / "experiments" / "jsb"
)  #: committed results a chapter reads (lrnn.music_models.sweep_dir)
#: further sweeps whose results and models chapters read (lrnn.charlm.sweep_dir: Chapter 9)
MORE_SWEEPS = (ROOT / "experiments" / "charlm",)


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
            if req.marker is None or any(
                req.marker.evaluate({"extra": e}) for e in (*extras, "")
            ):
                todo.append((_canonical(req.name), tuple(req.extras)))
    return seen


def runtime_requirements(
    pins: Path = ROOT / "requirements.txt",
) -> list[str]:
    """The lines ``name==version`` of ``pins`` that the notebooks need."""
    need = _closure(RUNTIME)
    out = []
    for line in pins.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*([A-Za-z0-9_.-]+)\s*==", line)
        if m and _canonical(m.group(1)) in need:
            out.append(line.strip())
    return out


def build_wheel(dest: Path) -> Path:
    """Build the ``lrnn`` wheel from the repository into ``dest`` (pip's own build front end)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "--disable-pip-version-check",
            "-w",
            str(dest),
        ]
        + [str(ROOT)],
        check=True,
    )
    return next(dest.glob("lrnn-*.whl"))


def build_zip(
    src: Path = ROOT / "book",
    out: Path = ROOT / "_build" / "html" / "lrnn-book.zip",
) -> Path:
    """Write the runnable book to ``out``: notebooks of ``src``, the wheel, requirements, README."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp))
        requirements = [*runtime_requirements(), wheel.name]
        readme = (
            "Recurrent Networks from First Principles: the runnable book.\n"
            "Python 3.11 or newer. In this folder, run:\n\n"
            + "\n".join(f"    {line}" for line in INSTRUCTIONS)
            + "\n\n(On Windows: .venv\\Scripts\\pip and .venv\\Scripts\\jupyter.)\n"
        )
        with zipfile.ZipFile(
            out, "w", compression=zipfile.ZIP_DEFLATED
        ) as z:
            z.writestr(f"{FOLDER}/README.txt", readme)
            z.writestr(
                f"{FOLDER}/requirements.txt", "\n".join(requirements) + "\n"
            )
            z.write(wheel, f"{FOLDER}/{wheel.name}")
            for nb in sorted(src.glob("*.ipynb")):
                if nb.name not in NOT_RUNNABLE:
                    z.write(nb, f"{FOLDER}/{nb.name}")
            for sweep in (
                SWEEPS,
                *MORE_SWEEPS,
            ):  # Chapters 8 and 9 read their sweeps' results and models
                for f in sorted(sweep.glob("*")):
                    if f.name == "results.json" or f.suffix == ".npz":
                        z.write(
                            f, f"{FOLDER}/experiments/{sweep.name}/{f.name}"
                        )
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--src",
        type=Path,
        default=ROOT / "book",
        help="folder with the notebooks",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=ROOT / "_build" / "html" / "lrnn-book.zip",
    )
    args = ap.parse_args(argv)
    print(build_zip(args.src, args.out))


if __name__ == "__main__":
    main()
