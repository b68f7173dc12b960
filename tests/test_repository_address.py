"""The repository's address on the site comes from ``repository.url`` in ``_config.yml``, or is absent.

A two-page Sphinx project with the book's ``{repository}`` role and ``{clone}`` directive
(``book/_ext/lrnn_site/repository.py``), built with and without an address.
"""

import io
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from lrnn_site.repository import clone_folder, repository_url  # noqa: E402

PAGE = """# Running

**From a clone of {repository}`the repository`**:

```{clone}
```

Then `make lab`.
"""


def build(tmp_path, url):
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text(PAGE, encoding="utf-8")
    (src / "conf.py").write_text(
        "extensions = ['myst_parser', 'lrnn_site.repository']\nhtml_theme = 'sphinx_book_theme'\n"
        f"html_theme_options = {{'repository_url': {url!r}}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    warnings = io.StringIO()
    app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html", status=None, warning=warnings)
    app.build()
    assert "index.md" not in warnings.getvalue(), warnings.getvalue()  # the page itself built cleanly
    return (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "config, url",
    [
        (
            {"repository_url": "https://github.com/lrnn-authors/lrnn-book.git"},
            "https://github.com/lrnn-authors/lrnn-book",
        ),
        ({"repository_url": "https://github.com/lrnn-authors/lrnn-book/"}, "https://github.com/lrnn-authors/lrnn-book"),
        ({"repository_url": ""}, ""),
        ({}, ""),
    ],
)
def test_repository_url_reads_the_theme_option(config, url):
    class Config:
        html_theme_options = config

    assert repository_url(Config) == url


def test_clone_folder_is_the_last_part_of_the_address():
    assert clone_folder("https://github.com/lrnn-authors/lrnn-book") == "lrnn-book"


def test_pages_show_the_address_when_configured(tmp_path):
    html = build(tmp_path, "https://github.com/lrnn-authors/lrnn-book.git")
    assert 'href="https://github.com/lrnn-authors/lrnn-book"' in html
    text = BeautifulSoup(html, "html.parser").get_text()
    assert "git clone https://github.com/lrnn-authors/lrnn-book" in text and "cd lrnn-book" in text


def test_pages_show_nothing_when_unset(tmp_path):
    html = build(tmp_path, "")
    assert "From a clone of the repository" in html.replace("<strong>", "").replace("</strong>", "")
    assert "git clone" not in html and "lrnn-repository" not in html
