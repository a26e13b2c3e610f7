"""HTML from other tools as the Markdown Discord shows and the plain text answers are judged by."""

from __future__ import annotations

from tutorbot.content.banks.markup import has_picture, html_to_markdown, html_to_text


def test_formatting_is_kept_and_what_runs_or_hides_is_dropped() -> None:
    html = (
        "<p>What is <b>2</b> &times; <i>3</i>?</p><script>alert('x')</script>"
        "<style>p{}</style><!-- note --><ul><li>one</li><li>two</li></ul><img src='a.png'>"
    )
    assert html_to_markdown(html) == "What is **2** × *3*?\n\n- one\n- two\n\n[picture]"
    assert has_picture(html)


def test_plain_text_of_html_for_accepted_answers() -> None:
    assert html_to_text("Caf&eacute;<br>au <b>lait</b>") == "Café au lait"
    assert html_to_text("  just   text ") == "just text"


def test_html_nested_too_deep_to_convert_keeps_its_words() -> None:
    assert html_to_markdown("<b>" * 5000 + "deep" + "</b>" * 5000) == "deep"
    assert html_to_text("<i>" * 50_000 + "x") == "x"
