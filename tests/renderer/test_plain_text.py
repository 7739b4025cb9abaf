"""plain_text: what a reader sees of rendered HTML, and an excerpt cut at a word boundary."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contexts.renderer import api as renderer_api


def test_the_text_is_the_rendered_words_without_markup_on_one_line():
    source = "# Title\n\nHello *world* &amp; `a < b`\n\n- one\n- two\n\n"
    html = renderer_api.render(source + "| x | y |\n|---|---|\n| 1 | 2 |\n").html

    plain = renderer_api.plain_text(html)

    assert plain.text == "Title Hello world & a < b one two x y 1 2"
    assert plain.excerpt == plain.text


def test_blocks_separate_words_and_footnote_markers_are_left_out():
    html = renderer_api.render("First[^1] para.\n\nSecond para.\n\n[^1]: The note.\n").html

    text = renderer_api.plain_text(html).text

    assert text == "First para. Second para. The note."
    assert "↩" not in text


def test_control_characters_are_left_out():
    assert renderer_api.plain_text("<p>a\x01b\x7fc\x0bd</p>").text == "abcd"


def test_a_long_text_is_cut_at_the_last_word_that_fits_with_an_ellipsis():
    html = "<p>" + " ".join(f"word{n:03d}" for n in range(100)) + "</p>"

    excerpt = renderer_api.plain_text(html, excerpt_length=30).excerpt

    assert excerpt == "word000 word001 word002…"
    assert len(excerpt) <= 30


def test_a_text_without_spaces_in_reach_is_cut_at_the_limit():
    excerpt = renderer_api.plain_text("<p>" + "語" * 500 + "</p>", excerpt_length=50).excerpt

    assert excerpt == "語" * 49 + "…"


def test_the_excerpt_of_an_unrendered_entry_is_its_escaped_source_as_text():
    plain = renderer_api.plain_text('<pre class="entry-unrendered">**a** &lt;b&gt;</pre>')

    assert plain.text == "**a** <b>"


@given(st.text(max_size=2000), st.integers(min_value=2, max_value=400))
def test_an_excerpt_is_never_longer_than_asked_and_is_a_prefix_of_the_text(source, limit):
    html = renderer_api.render(source).html

    plain = renderer_api.plain_text(html, excerpt_length=limit)

    assert len(plain.excerpt) <= limit
    if plain.excerpt.endswith("…") and plain.excerpt != plain.text:
        assert plain.text.startswith(plain.excerpt[:-1].rstrip(" ,;:.-–—"))
    else:
        assert plain.excerpt == plain.text


@pytest.mark.parametrize("html", ["<p>unclosed <b>bold", "</div></p>text<br/>", "<<>>&amp"])
def test_broken_html_still_gives_text(html):
    assert isinstance(renderer_api.plain_text(html).text, str)
