"""The built site's text and wiring as a reader meets them: no doubled words, links that land on
what they name, sounds served as files, an index of the names readers know, the repository's
address only where it is configured. (Behaviour in the browser: tests/test_browser_reader.py.)"""

import base64
import io
import re
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.site  # the fixture pages: tests/conftest.py
ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def article_text(soup) -> str:
    main = soup.find("article") or soup
    return re.sub(r"\s+", " ", main.get_text(" "))


def test_no_doubled_words_or_article_slips(pages):
    """ "Exercise Exercise 7.1", "(exercise Exercise 8.2)", "a 88-key": a reference already says what it is."""
    slips = []
    for name, soup in pages.items():
        text = article_text(soup)
        slips += [
            (name, m.group(0))
            for m in re.finditer(r"\b(Exercise|Figure|Table|Section|Chapter|Proposition)\s+\1\b", text, re.I)
        ]
        slips += [(name, m.group(0)) for m in re.finditer(r"\ba (8\d|11|18)\b[- ]", text)]
    assert not slips, slips[:10]


def test_window_titles_name_the_book_once(pages):
    book = CONFIG["title"]
    for name, soup in pages.items():
        title = soup.title.get_text() if soup.title else ""
        assert title.count(book) <= 1, f"{name}: {title!r}"
    assert pages["intro.html"].title.get_text().strip() == book


def test_an_equation_link_lands_on_a_display_with_its_left_hand_side(pages):
    """Eq. 111 continues the display of Eq. 109 ("= ..."): its links land on the display that starts the equation."""
    bad = []
    for name, soup in pages.items():
        for a in soup.select("a.lrnn-xref"):
            href = a.get("href", "")
            if not a.get_text().startswith("Eq") or "#" not in href:
                continue
            page, _, anchor = href.partition("#")
            target = (pages.get(page) if page else soup).find(id=anchor)
            if target is not None and target.name == "div" and "math" in target.get("class", []):
                tex = target.get_text().strip().removeprefix("\\[").strip()
                if tex.startswith("="):
                    bad.append((name, a.get_text(), href))
    assert not bad, bad[:10]
    links = [a["href"] for a in pages["04_rnn_to_lstm.html"].select("a.lrnn-xref") if a.get_text().strip() == "Eq. 111"]
    assert links, "Chapter 4 mentions Eq. 111"
    target = pages["04_rnn_to_lstm.html"].find(id=links[0].partition("#")[2])
    assert "G_c(z)" in target.get_text()


def test_the_pdf_entry_links_to_the_pdf_whatever_was_built_first(pages):
    """The download menu's .pdf names the PDF's file (``make pdf`` puts it there), never window.print()."""
    name = Path(CONFIG["sphinx"]["config"]["lrnn_pdf"]).name
    for page in ("01_roots.html", "how-to-use.html"):
        soup = pages[page]
        entry = soup.select_one(".dropdown-download-buttons a.btn-download-pdf-button")
        assert entry is not None, page
        assert entry.get("href", "").endswith(name) and "print" not in str(entry.get("onclick", "")), str(entry)[:300]


def test_sounds_are_labelled_files_loaded_on_demand(pages):
    """Chapter 8's players: labelled as in the PDF ("Sound: ... (12 s)"), MP3 files in _static/sounds with
    preload="none", nothing inlined; each under its piano roll."""
    import soundfile

    soup = pages["08_real_music.html"]
    assert "data:audio" not in str(soup)
    players = soup.find_all("audio")
    assert len(players) == 3
    for audio in players:
        label = audio.get("aria-label", "")
        assert re.fullmatch(r"Sound: .+ \(\d+ s\)", label), label
        figure = audio.find_parent("figure")
        assert figure is not None and figure.figcaption.get_text() == label
        assert audio.get("preload") == "none" and audio.has_attr("controls")
        src = audio.source["src"]
        assert audio.source["type"] == "audio/mpeg" and src.startswith("_static/sounds/") and src.endswith(".mp3")
        data = (HTML / src).read_bytes()
        assert len(data) < 60_000, f"{src}: {len(data)} bytes"
        samples, rate = soundfile.read(io.BytesIO(data))
        assert rate == 8000 and samples.ndim == 1 and 10 < len(samples) / rate < 20
        # the roll it sounds comes right before it: no other figure between them
        previous = audio.find_all_previous("figure")
        roll = next(f for f in previous if f.find("img"))
        assert "piano roll" in roll.find("img").get("alt", "") or "piano rolls" in roll.find("img").get("alt", "")
    assert base64.b64encode(b"RIFF").decode()[:4] not in str(soup)


def test_index_maps_common_names_to_the_papers_and_is_linked(pages):
    gen = pages["genindex.html"]
    entries = {re.sub(r"\s+", " ", li.get_text(" ").strip()): li for li in gen.select("table.indextable li")}
    text = article_text(gen)
    for common, paper in (
        ("forget gate", "control state gate"),
        ("output gate", "control readout gate"),
        ("input gate", "control update gate"),
        ("peephole", "pinhole connections"),
    ):
        assert common in text and paper in text, (common, paper)
    hrefs = [a["href"] for a in gen.select("table.indextable a") if "04_rnn_to_lstm.html#" in a.get("href", "")]
    assert hrefs, "index entries link to Chapter 4's sections"
    for href in hrefs:
        page, _, anchor = href.partition("#")
        assert pages[page].find(id=anchor).name == "section", href
    assert any(k.startswith("BPTT") for k in entries) and any(k.startswith("CEC") for k in entries)
    # the index page sits under the appendices in every page's navigation and links both indexes
    nav = pages["01_roots.html"].select_one("nav.bd-links")
    assert nav.find("a", href="appendix_index.html"), "the index page is in the navigation"
    index_page = pages["appendix_index.html"]
    assert index_page.find("a", href="genindex.html") and index_page.find("a", href="prf-prf.html")
    rows = index_page.select("table.lrnn-paper-names tbody tr")
    assert len(rows) >= 20 and all(r.find("a") for r in rows)


def test_clone_instructions_show_the_configured_address_or_none(pages):
    url = (CONFIG.get("repository") or {}).get("url", "")
    for name, soup in pages.items():
        text = article_text(soup)
        if "clone" not in text:
            continue
        clones = [pre.get_text() for pre in soup.select("article pre") if "git clone" in pre.get_text()]
        if url:
            assert clones and all(url in c for c in clones), name
            assert soup.find("a", href=url), name
        else:
            assert not clones and not soup.select("a.lrnn-repository"), name
            assert not soup.select("article a[href='']"), name


def test_how_to_use_offers_the_runnable_book_first(pages):
    soup = pages["how-to-use.html"]
    section = soup.find("section", id="running-the-notebooks")
    text = article_text(section)
    assert text.index("runnable book") < text.index("clone")
