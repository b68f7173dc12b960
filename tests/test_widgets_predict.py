"""Predict, then reveal: the faces of lrnn.widgets.predict (the page script is tested in the browser)."""

import re

import pytest

from lrnn.widgets import predict


def test_markdown_face_asks_then_answers(monkeypatch):
    monkeypatch.delenv("LRNN_STATIC_SITE", raising=False)
    p = predict("How much is kept?", 0.37689, note="A little more than e^-1.")
    md = p.markdown()
    assert md.index("**Predict.** How much is kept?") < md.index("**Measured:** 0.377.")
    assert md.endswith("A little more than e^-1.")
    bundle = p._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/markdown"}  # Jupyter and the PDF: text only
    assert "Measured: 0.377" in bundle["text/plain"]


def test_site_face_hides_the_value_until_revealed(monkeypatch):
    monkeypatch.setenv("LRNN_STATIC_SITE", "1")
    p = predict("Growth over 119 steps?", 81234.5, decimals=1, scientific=True, unit="x")
    page = p._repr_mimebundle_()["text/html"]
    assert 'data-lrnn-predict="81234.5"' in page and 'data-shown="8.1e+04 x"' in page
    assert 'data-scientific="1"' in page
    answer = re.search(r'<p class="lrnn-predict-answer"[^>]*>(.*?)</p>', page).group(0)
    assert " hidden>" in answer and "8.1e+04" not in answer  # filled in by the script on reveal
    assert "<noscript>" in page and 'type="submit"' in page and 'inputmode="decimal"' in page


def test_choices_are_buttons(monkeypatch):
    monkeypatch.setenv("LRNN_STATIC_SITE", "1")
    page = predict("Factor?", 2.03, decimals=2, choices=(1, 1.41, 2, 4)).html()
    assert page.count('class="lrnn-predict-choice"') == 4 and "<input" not in page
    assert ">1.41</button>" in page and 'data-guess="4.0"' in page


def test_question_is_escaped(monkeypatch):
    page = predict("Is a < b & c?", 1.0).html()
    assert "a &lt; b &amp; c?" in page


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(question="", value=1.0), "question has type str"),
        (dict(question=3, value=1.0), "question has type int"),
        (dict(question="q", value=float("nan")), "value = nan"),
        (dict(question="q", value="abc"), "value = 'abc'"),
        (dict(question="q", value=1.0, decimals=-1), "decimals = -1"),
        (dict(question="q", value=1.0, choices=(1.0,)), "choices = \\(1.0,\\)"),
    ],
)
def test_bad_input_is_named(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        predict(**kwargs)
