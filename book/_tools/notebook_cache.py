"""Give the site build the notebooks that the runnable book's fresh environment ran.

``make test`` runs every notebook of the runnable book (``lrnn-book.zip``) once, in a fresh
virtual environment made from the zip, with the site's switches (``LRNN_STATIC_SITE=1``, and
``LRNN_PHONE_FIGURES`` naming the folder the site reads). The site build then shows those runs'
outputs instead of running the same notebooks a second time: its configuration executes
notebooks in myst-nb's ``cache`` mode, and this tool puts each executed notebook into the
build's jupyter-cache (``_build/.jupyter_cache``) under the hash myst-nb computes for the
book's own copy. A notebook that did not run there (the ledger, the course pages) misses the
cache and the site build runs it, as it runs every notebook of a clean ``make book``.

A notebook is cached only if its code (every code cell's source and metadata, and the
kernelspec: what jupyter-cache hashes) is the book's, and it ran to its end: every code cell
has consecutive execution counts from 1 and no output is an error, except in cells tagged
``raises-exception``.

Usage::

    python book/_tools/notebook_cache.py _build/.jupyter_cache _build/runnable-ran book
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _hashable(nb):
    """``nb`` without what executing it adds to its cells' metadata (nbclient's timings)."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    return nb


def _no_error(nb, name: str) -> None:
    """Every code cell of ``nb`` ran without an error, but where tagged ``raises-exception``
    (jupyter-cache's own check, below, asks for consecutive execution counts from 1)."""
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        tags = cell.metadata.get("tags", [])
        errors = [
            o
            for o in cell.get("outputs", [])
            if o.get("output_type") == "error"
        ]
        if errors and "raises-exception" not in tags:
            raise ValueError(
                f"{name}: code cell {i + 1} ended with {errors[0].get('ename')}"
            )


def fill(cache_dir: Path, executed: Path, book: Path) -> list[str]:
    """Cache each notebook of ``executed`` whose code is that of the same name in ``book``.

    Parameters
    ----------
    cache_dir : Path
        The site build's jupyter-cache (created if missing).
    executed : Path
        Folder of executed notebooks (``<name>.ipynb``).
    book : Path
        The book's sources: each executed notebook must have a namesake here with the same code.

    Returns
    -------
    list of str
        The names cached, in name order.

    Raises
    ------
    ValueError
        When an executed notebook has no namesake in ``book``, differs from it in code, or did
        not run to its end.
    """
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn, NbValidityError

    cache = get_cache(str(cache_dir))
    ran = sorted(Path(executed).glob("*.ipynb"))
    if not ran:
        raise ValueError(
            f"no executed notebooks in {executed}: run the runnable book's notebooks first"
        )
    cached = []
    for path in ran:
        source = Path(book) / path.name
        if not source.is_file():
            raise ValueError(
                f"{path.name}: executed, but {book} has no notebook of that name"
            )
        nb = _hashable(nbformat.read(path, as_version=4))
        _no_error(nb, path.name)
        _, ours = cache.create_hashed_notebook(
            nbformat.read(source, as_version=4)
        )
        _, theirs = cache.create_hashed_notebook(nb)
        if ours != theirs:
            raise ValueError(
                f"{path.name}: the executed notebook's code is not {source}'s"
            )
        try:  # check_validity: every code cell ran, in order
            cache.cache_notebook_bundle(
                CacheBundleIn(nb, str(source.resolve())),
                check_validity=True,
                overwrite=True,
            )
        except NbValidityError as error:
            raise ValueError(f"{path.name}: {error}") from None
        cached.append(path.name)
    return cached


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "cache", type=Path, help="the site build's jupyter-cache folder"
    )
    parser.add_argument(
        "executed", type=Path, help="folder of executed notebooks"
    )
    parser.add_argument("book", type=Path, help="the book's sources")
    args = parser.parse_args(argv)
    try:
        cached = fill(args.cache, args.executed, args.book)
    except ValueError as error:
        print(f"notebook_cache: {error}", file=sys.stderr)
        return 1
    print(
        f"cached {len(cached)} executed notebooks for the site build: {', '.join(cached)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
