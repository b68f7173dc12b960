"""Every explorer the chapters display, as a reader's JupyterLab shows it.

CI runs the chapters once, with the site's switches (``LRNN_STATIC_SITE=1``: the site build shows
those runs), so this is where the live face of each explorer a chapter builds is exercised: the
output carries the widget view beside the static face, and every control redraws the figure and
its sentence.
"""

import json
import re
from pathlib import Path

import pytest

from lrnn import widgets
from lrnn.widgets.explorer import Explorer

BOOK = Path(__file__).resolve().parents[1] / "book"
CALL = re.compile(r"widgets\.(\w+_explorer)\(\)")


def _displayed() -> list[str]:
    """The explorer factories the chapters call, in chapter order."""
    names = []
    for path in sorted(BOOK.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                names += [n for n in CALL.findall("".join(cell["source"])) if n not in names]
    return names


def test_the_chapters_display_the_explorers_below():
    assert _displayed() == EXPLORERS


EXPLORERS = [
    "discretization_explorer",
    "vanishing_gradient_explorer",
    "gradient_flow_explorer",
    "gate_dynamics_explorer",
    "memory_runs_explorer",
]


@pytest.mark.parametrize("name", EXPLORERS)
def test_live_face_in_jupyterlab(name, monkeypatch):
    for switch in ("LRNN_STATIC_SITE", "LRNN_PRINT_EDITION"):
        monkeypatch.delenv(switch, raising=False)
    explorer = getattr(widgets, name)()
    assert isinstance(explorer, Explorer)
    # the static face (every view on the grid) is tests/test_widgets.py's; here it is a stand-in
    monkeypatch.setattr(explorer, "static_html", lambda: "<div>static face</div>")
    bundle = explorer._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "text/html", "text/plain"} <= set(bundle)
    box = explorer.live()
    controls, image, text = box.children[1].children, box.children[2], box.children[3]
    assert [c.description for c in controls] and len(controls) == len(explorer.controls)
    for control in controls:  # each control, moved off its value, redraws
        before = (bytes(image.value), text.value)
        assert before[0].startswith(b"\x89PNG") and text.value.strip()
        other = next(v for _, v in control.options if v != control.value)
        control.value = other
        assert (bytes(image.value), text.value) != before, (name, control.description, other)
