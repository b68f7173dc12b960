"""Checks on the built editions: the PDF (`make pdf`) and the student edition (`make student-pdf`).

Building them takes minutes, so `make test` does not build them, and a check here skips when
its edition is not built. CI builds both editions before `make test` and runs it with
LRNN_EDITIONS_REQUIRED=1, where a missing edition fails (as in `make test-editions`).
The PDFs are read with poppler's `pdftotext`, `pdfinfo` and `pdfimages`.
"""

import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from _tools import notebooks
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "pdf" / "_build" / "latex" / "rnn-first-principles.pdf"
STUDENT = ROOT / "_build" / "student" / "_build"
STUDENT_HTML = STUDENT / "html"
STUDENT_PDF = STUDENT / "latex" / "rnn-first-principles-student.pdf"
SITE = ROOT / "_build" / "html"
EDITIONS = {"full": (PDF, "pdf"), "student": (STUDENT_PDF, "student-pdf")}
REPR = re.compile(r"<[\w.]+ object( at 0x[0-9a-fA-F]+)?>|<Figure size [\d.]+x[\d.]+ with \d+ Axes>|<Explorer: ")


@cache
def newest_source() -> float:
    """When the book's sources (chapters, tooling, lrnn, configuration) last changed."""
    paths = [*ROOT.glob("book/**/*"), *ROOT.glob("lrnn/**/*.py"), ROOT / "_config.yml", ROOT / "_toc.yml"]
    skip = {"__pycache__", ".ipynb_checkpoints"}
    return max(p.stat().st_mtime for p in paths if p.is_file() and not skip & set(p.parts))


def built(path: Path, target: str) -> Path:
    """``path`` if it was built from the current sources; otherwise skip (or fail in CI)."""
    if path.exists() and path.stat().st_mtime >= newest_source():
        return path
    problem = "is older than the sources" if path.exists() else "is missing"
    if os.environ.get("LRNN_EDITIONS_REQUIRED"):
        pytest.fail(f"{path.relative_to(ROOT)} {problem}: `make {target}` builds it")
    pytest.skip(f"{path.relative_to(ROOT)} {problem} (`make {target}`)")


def squash(text: str) -> str:
    """Text compared across line breaks, hyphenation and typographic quotes."""
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00ad": "", "–": "-"}))
    return re.sub(r"[\s\-]+", "", text).lower()


@cache
def pdf_text(path: Path) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext not found: install Debian's poppler-utils"
    return subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def prose(markdown: str) -> str:
    """The first stretch of Markdown without math or roles (at least 15 characters, if any), squashed.

    Text extracted from a PDF interleaves typeset formulas with the lines around them, and a
    role such as a cross-reference prints text the Markdown does not hold.
    """
    markdown = re.sub(r"(?m)^\s*(\d+\.|[-*+])\s+", "", markdown)  # list markers are not printed as such
    parts = [squash(re.sub(r"[`*]", "", p)) for p in re.split(r"\$[^$]*\$|\{[\w:-]+\}`[^`]*`", markdown)]
    return next((p for p in parts if len(p) >= 15), max(parts, key=len))


def doc_title(name: str) -> str:
    path = notebooks.BOOK / f"{name}.ipynb"
    if path.exists():
        return notebooks.title(path)
    first = re.search(r"^# (.+)$", (notebooks.BOOK / f"{name}.md").read_text(encoding="utf-8"), re.M)
    return first.group(1).replace("`", "").strip()


def explorers():
    """Every explorer the chapters display, as (chapter, Explorer)."""
    from lrnn import widgets

    found = []
    for chapter in notebooks.chapters():
        for cell in notebooks.cells(chapter, "code"):
            for name in re.findall(r"widgets\.(\w+_explorer)\(\)", cell.source):
                found.append((chapter.stem, getattr(widgets, name)()))
    return found


def figure_captions():
    """The caption of every figure cell of the chapters (first 60 characters)."""
    out = []
    for chapter in notebooks.chapters():
        for cell in notebooks.cells(chapter, "code"):
            caption = cell.metadata.get("mystnb", {}).get("figure", {}).get("caption")
            if caption:
                out.append((chapter.stem, caption))
    return out


# -- the PDF -----------------------------------------------------------------------------------


@pytest.fixture(params=sorted(EDITIONS), scope="module")
def edition(request):
    path, target = EDITIONS[request.param]
    return request.param, built(path, target)


@pytest.mark.pdf
def test_pdf_has_every_chapter_title_and_a_plausible_length(edition):
    _, path = edition
    text = squash(pdf_text(path))
    missing = [name for name in notebooks.toc_files() if squash(doc_title(name)) not in text]
    assert not missing, f"titles missing from {path.name}: {missing}"
    pages = pdf_pages(path)
    assert 20 * len(notebooks.chapters()) <= pages <= 1000, f"{path.name} has {pages} pages"


@pytest.mark.pdf
def test_pdf_front_matter_and_parts(edition):
    _, path = edition
    text = pdf_text(path)
    head = text[:4000]
    assert "Recurrent Networks from First" in head and "CONTENTS" in head.upper()
    contents = squash(text[: text.index("\f", text.upper().index("CONTENTS") + 3000)])
    assert contents.index(squash("Introduction")) < contents.index(squash("Getting started"))
    first = notebooks.title(notebooks.chapters()[0])
    assert re.search(r"1\s+" + re.escape(first), text), "the first chapter is numbered 1, as on the site"


@pytest.mark.pdf
def test_pdf_has_no_python_object_reprs(edition):
    _, path = edition
    found = REPR.findall(pdf_text(path))
    assert not found, f"{path.name} shows Python reprs: {found[:5]}"


@pytest.mark.pdf
def test_pdf_equations_carry_the_papers_numbers(edition):
    _, path = edition
    text = re.sub(r"\s+", "", pdf_text(path))
    tags = set()
    for chapter in notebooks.chapters():
        tags |= set(re.findall(r"\\tag\{([\d\-–]+)\}", notebooks.markdown(chapter)))
    missing = sorted(t for t in tags if f"({t})" not in text)
    assert len(tags) > 50 and not missing, f"equation numbers missing: {missing[:10]}"


@pytest.mark.pdf
def test_pdf_has_every_figure_and_each_explorer_as_a_captioned_still(edition):
    from lrnn.widgets.still import still_caption

    _, path = edition
    raw = pdf_text(path)
    text = squash(raw)
    missing = [(ch, cap[:50]) for ch, cap in figure_captions() if prose(cap)[:40] not in text]
    assert not missing, f"figures missing from {path.name}: {missing}"
    for chapter, explorer in explorers():
        # a label's subscript is typeset (W_{r} as W with a subscript r): pdftotext reads "Wr"
        caption = re.sub(r"[_^]\{([^}]*)\}", r"\1", still_caption(explorer))
        assert squash(caption) in text, f"{chapter}: the caption of {explorer.title!r}"
        assert re.search(r"Fig\.\s*\d+\.\d+:\s*" + re.escape(explorer.title.split()[0]), raw), explorer.title
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    images = sum(line.split()[2] == "image" for line in listing.splitlines()[2:])
    assert images >= len(figure_captions()) + len(explorers()), f"{images} images in {path.name}"


@pytest.mark.pdf
def test_pdf_exercises_and_the_solution_switch(edition):
    name, path = edition
    text = squash(pdf_text(path))
    for chapter in notebooks.chapters():
        for ex in notebooks.exercises(chapter):
            assert prose(ex.title) in text, f"{chapter.stem}: exercise {ex.title!r}"
    solutions = text.count(squash("Solution to Exercise"))
    if name == "student":
        assert solutions == 0, "the student PDF has no solution"
    else:
        assert solutions == sum(len(notebooks.exercises(c)) for c in notebooks.chapters())


@pytest.mark.pdf
def test_site_download_menu_offers_the_pdf():
    built(PDF, "pdf")
    index = built(SITE / "intro.html", "book")
    if index.stat().st_mtime < PDF.stat().st_mtime:
        pytest.skip("the site was built before the PDF: `make book` after `make pdf` links it")
    for page in ("intro.html", "01_roots.html"):
        soup = BeautifulSoup((SITE / page).read_text(encoding="utf-8"), "html.parser")
        links = [a for a in soup.select(".dropdown-download-buttons a") if a.get("href", "").endswith(".pdf")]
        assert links, f"{page}: the download menu links the PDF"
        assert (SITE / page).parent.joinpath(links[0]["href"]).resolve() == (SITE / PDF.name).resolve()
        assert "window.print" not in str(soup.select_one(".dropdown-download-buttons"))
    assert (SITE / PDF.name).read_bytes() == PDF.read_bytes()


# -- the student edition -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def student_pages():
    built(STUDENT_HTML / "index.html", "student")
    return {
        p.relative_to(STUDENT_HTML).as_posix(): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        for p in STUDENT_HTML.rglob("*.html")
    }


def solution_lines(chapter: Path):
    """Long lines of a chapter's solutions that appear nowhere else in the chapter.

    The calls of the self-checks are left out: the student edition shows them on purpose.
    """
    full = notebooks.text(chapter)
    lines = set()
    for ex in notebooks.exercises(chapter):
        outside = full.replace(ex.solution, "")
        lines |= {ln.strip() for ln in ex.solution.splitlines() if len(ln.strip()) > 30 and ln.strip() not in outside}
    return {ln for ln in lines if "lrnn.exercises.check_" not in ln}


@pytest.mark.student
def test_student_pages_have_no_solution(student_pages):
    for name, soup in student_pages.items():
        assert not soup.select(".solution"), f"{name} shows a solution"
    for chapter in notebooks.chapters():
        soup = BeautifulSoup(str(student_pages[f"{chapter.stem}.html"]), "html.parser")
        for output in soup.select("div.cell_output"):  # outputs may print lrnn's own code
            output.decompose()
        page = soup.get_text()
        assert "{solution" not in page and "Solution to" not in page, chapter.stem
        leaked = [ln for ln in solution_lines(chapter) if ln in page]
        assert not leaked, f"{chapter.stem}: solution text on the page: {leaked[:3]}"


@pytest.mark.student
def test_student_notebooks_to_download_have_no_solution(student_pages):
    for chapter in notebooks.chapters():
        download = STUDENT_HTML / "_sources" / chapter.name
        assert download.exists(), f"the .ipynb download of {chapter.stem}"
        text = notebooks.text(download)
        assert "{solution" not in text and all(ex.solution is None for ex in notebooks.exercises(download))
        code = "\n".join(c.source for c in notebooks.cells(download, "code") if not c.id.startswith("self-check-"))
        leaked = [ln for ln in solution_lines(chapter) if ln in code]
        assert not leaked, f"{chapter.stem}: solution code in the download: {leaked[:3]}"


@pytest.mark.student
def test_student_exercises_keep_statement_and_self_check(student_pages):
    for chapter in notebooks.chapters():
        soup = student_pages[f"{chapter.stem}.html"]
        download = {ex.label: ex for ex in notebooks.exercises(STUDENT_HTML / "_sources" / chapter.name)}
        cells = {c.id: c.source for c in notebooks.cells(STUDENT_HTML / "_sources" / chapter.name, "code")}
        for ex in notebooks.exercises(chapter):
            box = soup.find(id=ex.label)
            assert box is not None and "exercise" in box.get("class", []), f"{chapter.stem}: {ex.label}"
            shown = squash(re.sub(r"\\\(.*?\\\)", "", box.get_text()))  # without its math
            assert prose(ex.statement)[:30] in shown, f"{ex.label}: statement"
            assert download[ex.label].statement == ex.statement
            for check in ex.self_checks:
                assert check in box.get_text(), f"{ex.label}: the statement names {check}"
                assert f"lrnn.exercises.{check}(" in cells[f"self-check-{ex.label}"], f"{ex.label}: ready to run"
                page_code = " ".join(p.get_text() for p in soup.select("div.cell_input"))
                assert f"lrnn.exercises.{check}(" in page_code


@pytest.mark.student
def test_student_course_pages_render(student_pages):
    titles = [notebooks.title(ch) for ch in notebooks.chapters()]
    objectives = student_pages["course_objectives.html"].get_text()
    assert all(t in objectives for t in titles) and "write the additive model" in objectives
    index = student_pages["course_exercises.html"]
    linked = {a["href"].split("#")[-1] for a in index.select("a[href*='#']")}
    labels = [ex.label for ch in notebooks.chapters() for ex in notebooks.exercises(ch)]
    assert set(labels) <= linked, set(labels) - linked
    assert "self-check" in index.get_text()
    assert "Syllabus" in student_pages["course_syllabus.html"].get_text()
    for name, soup in student_pages.items():
        outputs = " ".join(o.get_text() for o in soup.select("div.cell_output"))
        assert "Traceback (most recent call last)" not in outputs, name


@pytest.mark.student
def test_student_site_names_its_edition_and_offers_its_pdf(student_pages):
    soup = student_pages["intro.html"]
    assert "Student edition" in soup.title.get_text()
    if STUDENT_PDF.exists():
        links = [a for a in soup.select(".dropdown-download-buttons a") if a.get("href", "").endswith(".pdf")]
        assert links and (STUDENT_HTML / links[0]["href"]).read_bytes() == STUDENT_PDF.read_bytes()
        assert "window.print" not in str(soup.select_one(".dropdown-download-buttons"))


@pytest.mark.pdf
def test_pdf_prints_each_prediction_then_its_answer_and_boxes_the_deeper_sections(edition):
    from _tools import reading

    _, path = edition
    text = pdf_text(path)
    starts = [m.start() for m in re.finditer(r"Predict\.", text)]
    assert len(starts) >= 8, (
        f"{len(starts)} predict-then-reveal questions printed, expected two in each of four chapters"
    )
    for start, end in zip(starts, [*starts[1:], len(text)]):
        assert "Measured:" in text[start:end][:2000], f"no answer after the question {text[start : start + 80]!r}"
    deeper = sum(len(reading.measure(c).deeper) for c in notebooks.chapters())
    boxes = squash(text).count(squash("A first reading can skip this section."))
    assert boxes >= deeper, f"{boxes} Deeper boxes printed, {deeper} Deeper sections"
