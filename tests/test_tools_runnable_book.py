"""The runnable book (book/_tools/runnable_book.py) and the student edition's: what the zips hold, and that they run.

The last tests read the built sites (``make book``; the student site when that edition is built).
Each page's .ipynb download is the runnable book's own notebook; and, in CI, the reader's path: unpack
the runnable book (``make runnable``) into an empty folder, run its install instruction in a fresh
virtual environment, and execute every notebook there (two at a time, one BLAS thread each), reporting
each notebook that fails with its error; a chapter that reads committed results runs as a single
notebook downloaded into a folder of its own (the results are found through the installed wheel, not
the working folder). `make test` runs that before the site build, which shows those runs' outputs
(book/_tools/notebook_cache.py), and the site's zip is then checked to be the one that ran.
The student site's zip is that environment again (the same wheel, file for file, and the same pins)
with the student notebooks, each of which is the book's notebook without its solutions (its code cells
are the book's, in order, plus commented-out self-checks) and each of which the student edition's build
ran to the end without an error.
"""

import importlib
import io
import json
import os
import re
import resource
import subprocess
import sys
import time
import types
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from _tools import notebooks, student_edition
from _tools import runnable_book as rb

BOOK = rb.ROOT / "book"
EXPERIMENTS = re.compile(r"experiments/([a-z_0-9]+)")


def test_requirements_are_the_runtime_pins_only():
    req = rb.runtime_requirements()
    names = {line.split("==")[0].lower() for line in req}
    assert {"numpy", "matplotlib", "ipywidgets", "sympy", "tqdm", "jupyterlab", "ipykernel"} <= names
    assert not names & {"jupyter-book", "pytest", "playwright", "nbval", "ruff", "sphinx"}, "no build or test tools"
    pins = (rb.ROOT / "requirements.txt").read_text()
    assert all(line in pins for line in req), "the same exact pins as the repository"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return rb.build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def book_zip(tmp_path_factory, wheel):
    return rb.build_zip(out=tmp_path_factory.mktemp("zip") / "lrnn-book.zip", wheel=wheel)


@pytest.fixture(scope="module")
def student_zip(tmp_path_factory, wheel):
    """The student edition's runnable book, as its site build writes it (from the edition's sources)."""
    src = tmp_path_factory.mktemp("student-src")
    student_edition.write_student_sources(BOOK, src)
    return rb.build_zip(src / "book", out=tmp_path_factory.mktemp("student-zip") / "lrnn-book.zip", wheel=wheel)


def test_only_notebooks_that_import_book_tooling_stay_out(tmp_path):
    shipped = {p.name for p in rb.notebooks(BOOK)}
    assert {p.name for p in BOOK.glob("[0-9][0-9]_*.ipynb")} <= shipped, "every chapter"
    assert {"appendix_ledger.ipynb", "course_exercises.ipynb", "course_objectives.ipynb"}.isdisjoint(shipped)
    assert "appendix_errata.ipynb" in shipped
    for nb in BOOK.glob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert (nb.name in shipped) == ("_tools" not in code), nb.name
    for source, ok in [("from _tools import notebooks", False), ("x = 1\n  import _tools.ledger", False),
                       ("import _toolshed", True), ("# see _tools", True)]:  # fmt: skip
        path = tmp_path / "page.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]), path)
        assert rb.runnable(path) == ok, source
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("import _tools")]), path)
    assert rb.runnable(path), "only code counts"


@pytest.mark.parametrize("which", ["book", "student"])
def test_zip_holds_notebooks_results_wheel_requirements_and_instructions(which, book_zip, student_zip):
    path = book_zip if which == "book" else student_zip
    z = zipfile.ZipFile(path)
    names = set(z.namelist())
    assert {"lrnn-book/README.txt", "lrnn-book/requirements.txt"} <= names
    assert any(n.startswith("lrnn-book/lrnn-") and n.endswith(".whl") for n in names)
    assert {f"lrnn-book/{p.name}" for p in rb.notebooks(BOOK)} == {n for n in names if n.endswith(".ipynb")}
    assert not any("_tools" in n for n in names)
    # exactly the committed results the chapters read, as in the repository
    shipped = {n.removeprefix("lrnn-book/") for n in names if n.startswith("lrnn-book/experiments/")}
    assert shipped == set(rb.results())
    assert all(z.read(f"lrnn-book/{p}") == (rb.ROOT / p).read_bytes() for p in shipped)
    # every experiment a notebook names has its results in the zip
    for nb in (n for n in names if n.endswith(".ipynb")):
        for name in set(EXPERIMENTS.findall(z.read(nb).decode())):
            assert any(p.startswith(f"experiments/{name}/") for p in shipped), (nb, name)
    readme = z.read("lrnn-book/README.txt").decode()
    assert all(line in readme for line in rb.INSTRUCTIONS)
    # the page that needs more than the requirements says so, with the pin of lrnn[torch]
    assert "lrnn-book/pytorch_bridge.ipynb" in names and f"pip install {rb.torch_pin()}" in readme
    requirements = z.read("lrnn-book/requirements.txt").decode().split()
    assert requirements[-1].startswith("lrnn-") and requirements[-1].endswith(".whl")


def test_the_student_zip_holds_the_student_notebooks(book_zip, student_zip):
    book, student = zipfile.ZipFile(book_zip), zipfile.ZipFile(student_zip)
    assert book.read("lrnn-book/requirements.txt") == student.read("lrnn-book/requirements.txt")
    chapter = "lrnn-book/03_training_rnn.ipynb"
    assert b"solution-start" in book.read(chapter) and b"solution-start" not in student.read(chapter)


def test_the_site_build_ships_a_named_zip_or_builds_its_own(tmp_path, monkeypatch):
    """LRNN_RUNNABLE_ZIP (make test's site build): that very file; named but missing: a clear error."""
    monkeypatch.syspath_prepend(str(BOOK / "_ext"))
    site = importlib.import_module("lrnn_site")
    out = tmp_path / "html"
    out.mkdir()
    app = types.SimpleNamespace(
        srcdir=str(BOOK),
        outdir=str(out),
        builder=types.SimpleNamespace(format="html"),
        config=types.SimpleNamespace(lrnn_runnable_zip="lrnn-book.zip"),
    )
    made = tmp_path / "made.zip"
    made.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty archive, as built and run before
    monkeypatch.setenv("LRNN_RUNNABLE_ZIP", str(made))
    site._runnable_zip(app, None)
    assert (out / "lrnn-book.zip").read_bytes() == made.read_bytes()
    monkeypatch.setenv("LRNN_RUNNABLE_ZIP", str(tmp_path / "gone.zip"))
    with pytest.raises(FileNotFoundError, match="LRNN_RUNNABLE_ZIP .*make runnable"):
        site._runnable_zip(app, None)


def test_a_page_the_runnable_book_leaves_out_offers_no_ipynb(tmp_path, monkeypatch):
    """The site's download menu (book/_ext/lrnn_site): no .ipynb for a notebook that imports book tooling."""
    monkeypatch.syspath_prepend(str(BOOK / "_ext"))  # as Sphinx loads it (_config.yml, local_extensions)
    site = importlib.import_module("lrnn_site")
    for name, source in (("index", "from _tools import notebooks"), ("ch", "x = 1")):
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]), tmp_path / f"{name}.ipynb")
    app = types.SimpleNamespace(srcdir=str(tmp_path), config=types.SimpleNamespace(lrnn_runnable_zip="lrnn-book.zip"))
    for page, kept in (("index", [".pdf"]), ("ch", [".ipynb", ".ipynb", ".pdf"]), ("notes", [".md", ".pdf"])):
        suffix = ".md" if page == "notes" else ".ipynb"
        buttons = [{"url": f"_sources/{page}{suffix}", "text": suffix}] * (2 if suffix == ".ipynb" else 1)
        context = {"header_buttons": [{"label": "download-buttons", "buttons": [*buttons, {"text": ".pdf"}]}]}
        site._notebook_download(app, page, "page.html", context, None)
        assert [b["text"] for b in context["header_buttons"][0]["buttons"]] == kept, page


def _environment() -> dict:
    """The reader's environment, with the site's switches: the notebooks draw what the site shows (the
    static face of each explorer, which a live explorer carries too, and each plot's phone layout, written
    where the site build reads it), so that the site build shows these runs' outputs (book/_tools/notebook_cache.py)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "MPLBACKEND")}
    env = {k: v for k, v in env.items() if not k.startswith("LRNN_")}  # no build switches but the site's
    env.update(LRNN_STATIC_SITE="1", LRNN_PHONE_FIGURES=str(PHONE_FIGURES))
    env["PIP_NO_COMPILE"] = "1"  # the same packages, without compiling their bytecode ahead (a minute saved)
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")  # two kernels on two cores
    return env


def _install(zip_path: Path, where: Path, env: dict) -> Path:
    """Unpack ``zip_path`` into ``where`` and run the first instruction there: the reader's install."""
    zipfile.ZipFile(zip_path).extractall(where)
    folder = where / "lrnn-book"
    install = rb.INSTRUCTIONS[0].replace("python3", sys.executable, 1)
    subprocess.run(install, shell=True, cwd=folder, env=env, check=True, capture_output=True)
    assert (folder / ".venv" / "bin" / "jupyter-lab").exists(), "the second instruction's program is installed"
    return folder


def _execute(label: str, jupyter: Path, notebook: Path, env: dict) -> tuple[str, float, str]:
    """Run one notebook from its own folder into :data:`RAN`: ``(label, seconds, error or "")``."""
    start = time.perf_counter()
    ran = subprocess.run(
        [str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--output-dir", str(RAN)]
        + ["--ExecutePreprocessor.timeout=600", notebook.name],
        cwd=notebook.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    error = "" if ran.returncode == 0 else "\n".join(ran.stderr.strip().splitlines()[-30:])
    return label, time.perf_counter() - start, error


SITES = {"book": rb.ROOT / "_build" / "html", "student": rb.ROOT / "_build" / "student" / "_build" / "html"}
TESTED = rb.ROOT / "_build" / "lrnn-book.zip"  # `make runnable`: the zip the fresh environment is made from
RAN = rb.ROOT / "_build" / "runnable-ran"  # the notebooks it ran, which the site build then shows
PHONE_FIGURES = rb.ROOT / "_build" / "phone-figures"  # where the site build reads the plots' phone layouts
DOWNLOADED = "06_augmented_lstm.ipynb"  # a chapter that reads committed results, run as a page's download


@pytest.mark.parametrize(
    "site", [pytest.param("book", marks=pytest.mark.site), pytest.param("student", marks=pytest.mark.student)]
)
def test_every_notebook_a_page_offers_is_the_runnable_books_own(site):
    """A page's .ipynb download is byte for byte the notebook of the site's runnable book, which the test
    below runs; a page the runnable book leaves out (the ledger, the course pages) offers no .ipynb."""
    html = SITES[site]
    if not (html / "lrnn-book.zip").exists():
        if site == "student" and not os.environ.get("LRNN_EDITIONS_REQUIRED"):
            pytest.skip("no student edition built (`make student`)")
        pytest.fail(f"no {html.relative_to(rb.ROOT)}/lrnn-book.zip: build the site first")
    z = zipfile.ZipFile(html / "lrnn-book.zip")
    offered = {}
    for page in html.glob("*.html"):
        for href in set(re.findall(r'href="[^"]*_sources/([^"/]+\.ipynb)"', page.read_text(encoding="utf-8"))):
            offered.setdefault(page.name, []).append(href)
    assert {f"{p.stem}.html" for p in BOOK.glob("[0-9][0-9]_*.ipynb")} <= set(offered), "every chapter offers one"
    assert not {"appendix_ledger.html", "course_exercises.html", "course_objectives.html"} & set(offered)
    for page, hrefs in offered.items():
        assert hrefs == [f"{Path(page).stem}.ipynb"], page
        assert (html / "_sources" / hrefs[0]).read_bytes() == z.read(f"lrnn-book/{hrefs[0]}"), page


def _built_zips() -> dict:
    """The site's runnable book, and the student site's when that edition is built (or required)."""
    zips = {}
    for site, html in SITES.items():
        if (html / "lrnn-book.zip").exists():
            zips[site] = html / "lrnn-book.zip"
        elif site == "book" or os.environ.get("LRNN_EDITIONS_REQUIRED"):
            pytest.fail(
                f"no {html.relative_to(rb.ROOT)}/lrnn-book.zip: build the site first (`make book`, `make student`)"
            )
    return zips


def _run(jobs: list, jupyter: Path, env: dict) -> list:
    """Run ``(label, notebook)`` jobs two at a time, the longest first: ``[(label, seconds, error), ...]``."""
    jobs = sorted(jobs, key=lambda job: -job[1].stat().st_size)  # an even split over the two workers
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda job: _execute(job[0], jupyter, job[1], env), jobs))


def _same_wheel(ours: zipfile.ZipFile, theirs: zipfile.ZipFile, name: str) -> None:
    """The wheel ``name`` of two runnable books holds the same files, file for file (a wheel built twice
    differs in its archive's timestamps only)."""
    a, b = (zipfile.ZipFile(io.BytesIO(z.read(name))) for z in (ours, theirs))
    assert sorted(a.namelist()) == sorted(b.namelist()), f"{name}: the same wheel"
    assert all(a.read(n) == b.read(n) for n in a.namelist()), f"{name}: the same wheel, file for file"


def _same_zip(ours: zipfile.ZipFile, theirs: zipfile.ZipFile) -> None:
    """Two runnable books hold the same files, and their wheels the same modules, file for file."""
    assert sorted(ours.namelist()) == sorted(theirs.namelist())
    for name in ours.namelist():
        if name.endswith(".whl"):
            _same_wheel(ours, theirs, name)
        else:
            assert ours.read(name) == theirs.read(name), name


@pytest.mark.site
@pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("LRNN_RUNNABLE_TEST")),
    reason="minutes (a fresh install of JupyterLab, then every notebook): CI, or LRNN_RUNNABLE_TEST=1",
)
def test_every_notebook_of_the_runnable_book_runs_in_a_fresh_environment(tmp_path):
    """The reader's path: unzip the runnable book (``make runnable``), `python3 -m venv .venv &&
    .venv/bin/pip install -r requirements.txt`, then every notebook runs in that environment (here with
    nbconvert instead of the interactive lab), a chapter that reads committed results as a page's .ipynb
    downloaded into a folder of its own (the PyTorch page, kept with its outputs, needs torch, which the
    runnable book leaves to the reader: its README says how). The executed notebooks are kept in
    ``_build/runnable-ran`` for the site build, which `make test` runs next; the test below checks that
    the site then ships this zip."""
    if not TESTED.is_file():
        pytest.fail(f"no {TESTED.relative_to(rb.ROOT)}: run `make runnable` first")
    env = _environment()
    start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    book = _install(TESTED, tmp_path / "book", env)
    installed = time.perf_counter() - start
    jupyter = book / ".venv" / "bin" / "jupyter"
    downloaded = tmp_path / "downloads" / DOWNLOADED  # as a page offers it (its _sources/ copy is the zip's)
    downloaded.parent.mkdir()
    downloaded.write_bytes((book / DOWNLOADED).read_bytes())
    if RAN.exists():
        for old in RAN.glob("*.ipynb"):
            old.unlink()
    jobs = [(f"book/{nb.name}", nb) for nb in sorted(book.glob("*.ipynb")) if not notebooks.keeps_outputs(nb)]
    jobs = [job for job in jobs if job[1].name != DOWNLOADED]  # it runs once, as the download
    runs = _run(jobs + [(f"downloaded/{DOWNLOADED}", downloaded)], jupyter, env)
    failed = [f"== {label} ({seconds:.0f} s)\n{error}" for label, seconds, error in runs if error]
    times = ", ".join(f"{label} {seconds:.0f} s" for label, seconds, _ in sorted(runs, key=lambda r: -r[1]))
    ran = time.perf_counter() - start - installed
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime  # the install's, the kernels' (reaped)
    print(f"install {installed:.0f} s, then {len(runs)} notebooks {ran:.0f} s; CPU {cpu:.0f} s")
    print(times)
    assert not failed, f"{len(failed)} of {len(runs)} notebooks failed:\n" + "\n".join(failed)
    assert sorted(p.name for p in RAN.glob("*.ipynb")) == sorted([job[1].name for job in jobs] + [DOWNLOADED])


@pytest.mark.site
def test_the_site_ships_the_runnable_book_that_ran():
    """The site's lrnn-book.zip holds what the fresh environment above ran (``_build/lrnn-book.zip``):
    the same notebooks, results, requirements and README, and a wheel with the same modules, file for
    file (`make test` has the site build copy it, LRNN_RUNNABLE_ZIP; a site built with its own zip
    differs only in the archives' timestamps)."""
    if not (os.environ.get("CI") or os.environ.get("LRNN_RUNNABLE_TEST")):
        pytest.skip("the fresh-environment run is CI's (or LRNN_RUNNABLE_TEST=1)")
    site = SITES["book"] / "lrnn-book.zip"
    for needed in (TESTED, site):
        if not needed.is_file():
            pytest.fail(f"no {needed.relative_to(rb.ROOT)}: `make runnable`, then build the site")
    _same_zip(zipfile.ZipFile(TESTED), zipfile.ZipFile(site))


STUDENT_RAN = rb.ROOT / "_build" / "student" / "_build" / "jupyter_execute"  # the student build's executed notebooks


def _code(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.student
def test_the_student_zip_is_the_tested_environment_with_notebooks_its_edition_ran():
    """The student site's zip needs no second fresh environment: its wheel and pins are the book zip's,
    file for file (the environment the test above runs every notebook in), and each of its notebooks is
    the book's without the solutions (the book's code cells in order, plus self-check cells that are all
    comment) and ran to the end, every cell, without an error, in the student edition's build."""
    zips = _built_zips()
    if "student" not in zips:
        pytest.skip("no student edition built (`make student`)")
    book, student = zipfile.ZipFile(zips["book"]), zipfile.ZipFile(zips["student"])
    assert book.read("lrnn-book/requirements.txt") == student.read("lrnn-book/requirements.txt")
    wheels = {z: [n for n in z.namelist() if n.endswith(".whl")] for z in (book, student)}
    assert wheels[book] == wheels[student] and len(wheels[book]) == 1
    _same_wheel(book, student, wheels[book][0])
    checked = 0
    for name in sorted(n for n in student.namelist() if n.endswith(".ipynb")):
        nb = json.loads(student.read(name))
        if nb["metadata"].get("mystnb", {}).get("execution_mode") == "off":  # notebooks.keeps_outputs
            continue
        theirs = _code(json.loads(book.read(name)))
        for cell in _code(nb):  # a subsequence of the book's code cells, or a comment-only self-check
            if not all(line.startswith("#") for line in cell.splitlines()):
                assert cell in theirs, (name, cell[:200])
                theirs = theirs[theirs.index(cell) + 1 :]
        ran = json.loads((STUDENT_RAN / Path(name).name).read_text(encoding="utf-8"))
        assert _code(ran) == _code(nb), f"{name}: the student build ran another version"
        for cell in (c for c in ran["cells"] if c["cell_type"] == "code"):
            assert cell.get("execution_count"), (name, "".join(cell["source"])[:200])
            if "raises-exception" not in cell.get("metadata", {}).get("tags", []):
                assert not [o for o in cell.get("outputs", []) if o["output_type"] == "error"], name
        checked += 1
    assert checked >= 12, checked
