"""The PyTorch page (book/pytorch_bridge.ipynb) is committed with its outputs: keep them fresh.

Where torch is installed (CI installs the CPU extra), execute the page and compare every code
cell's text outputs with the committed ones; where it is not, skip with a reason. Rounding-level
numbers (below 1e-9, or exactly 0 on one machine, such as the gradient differences of the
verification table) may differ in their digits between machines, so they compare as a class;
every other character must match.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from _tools import notebooks

pytest.importorskip("torch", reason="the PyTorch page runs only where torch is installed (make torch)")
from nbclient import NotebookClient  # noqa: E402

PAGE = notebooks.BOOK / "pytorch_bridge.ipynb"
TINY = re.compile(r"\b\d(?:\.\d+)?e-(?:\d{2,}|9)\b|\b0(?:\.0+)?e\+00\b")  # 1e-9 and below, 0, in scientific notation


def _text(cell) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream":
            out.append(f"{o['name']}: {o['text']}")
        elif o["output_type"] in ("execute_result", "display_data"):
            data = o.get("data", {})
            out.append(
                data.get("text/markdown") or data.get("text/plain", "") if "image/png" not in data else "<figure>"
            )
        elif o["output_type"] == "error":
            out.append(f"error: {o['ename']}: {o['evalue']}")
    return [TINY.sub("<rounding>", t) for t in out]


def test_the_page_keeps_its_outputs_and_metadata():
    assert notebooks.keeps_outputs(PAGE)
    assert "pytorch_bridge" in notebooks.toc_files()


def test_committed_outputs_are_fresh(tmp_path):
    committed = nbformat.read(PAGE, as_version=4)
    fresh = nbformat.read(PAGE, as_version=4)
    NotebookClient(
        fresh, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(PAGE.parent)}}
    ).execute()
    old = [c for c in committed.cells if c.cell_type == "code"]
    new = [c for c in fresh.cells if c.cell_type == "code"]
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        assert _text(b) == _text(a), (
            f"code cell {i} of {PAGE.name} gives other outputs than the committed ones; re-run the page "
            "with `make torch-page` and commit it"
        )
