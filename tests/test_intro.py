"""The introduction's claims about the paper and the book, checked against the sources."""

import re
from pathlib import Path

from _tools.ledger import ledger

INTRO = (Path(__file__).resolve().parents[1] / "book" / "intro.md").read_text()


def _flat(text):
    return re.sub(r"\s+", " ", text)


def test_intro_names_the_equations_that_are_not_code():
    implemented = {r.eq for r in ledger() if r.code or r.symbolic}
    not_code = set(range(1, 251)) - implemented
    assert not_code == set(range(1, 14)) | set(range(47, 73)), sorted(not_code)
    text = _flat(INTRO)
    assert f"all 250 of the paper's equations and names the {len(not_code)} that are not code" in text
    assert "Eqs. 1-13" in text and "Eqs. 47-72" in text


def test_intro_says_the_unrolling_is_argued_not_proved():
    # Proposition 1 is argued, not proved: erratum P15
    text = _flat(INTRO)
    assert "*argues* why it may be unrolled" in text and "*proves*" not in text
    assert "{ref}`P15 <erratum-p15>`" in text
