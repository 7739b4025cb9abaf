"""Queries become plain words; snippets are escaped, then marked."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contexts.search import domain


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        ("Hello World", ["hello", "world"]),
        ('"unbalanced quote', ["unbalanced", "quote"]),
        ("(a OR b) AND NOT c*", ["a", "or", "b", "and", "not", "c"]),
        ("title:x NEAR(y z) ^start -minus", ["title", "x", "near", "y", "z", "start", "minus"]),
        ("nul\x00byte", ["nul", "byte"]),
        ("again again AGAIN", ["again"]),
        ("***", []),
        ("日本語 のテキスト", ["日本語", "のテキスト"]),
    ],
)
def test_a_query_becomes_its_words_and_nothing_of_any_query_syntax(q, terms):
    assert domain.query_terms(q) == terms


def test_a_query_keeps_at_most_sixteen_words_of_at_most_sixty_four_characters():
    terms = domain.query_terms(" ".join(f"w{n}" for n in range(40)) + " " + "x" * 100)

    assert len(terms) == domain.MAX_TERMS
    assert domain.query_terms("y" * 100) == ["y" * 64]


@pytest.mark.parametrize("q", ["", "   ", "\t\n", None, 12, "x" * 201])
def test_a_blank_missing_or_too_long_query_is_refused_naming_q(q):
    with pytest.raises(domain.InvalidQuery) as caught:
        domain.check_query(q)

    assert list(caught.value.fields) == ["q"]


def test_a_query_of_one_to_two_hundred_characters_is_taken():
    assert domain.check_query("a") == "a"
    assert domain.check_query("x" * 200) == "x" * 200


def test_a_snippet_is_escaped_before_its_matches_are_marked():
    marked = f'<script>alert("{domain.MARK_START}hi{domain.MARK_END}")</script> & more'

    assert domain.snippet_html(marked) == (
        "&lt;script&gt;alert(&quot;<mark>hi</mark>&quot;)&lt;/script&gt; &amp; more"
    )


def test_stray_marks_never_reach_the_page():
    marked = f"a{domain.MARK_END}b{domain.MARK_START}c"

    assert domain.snippet_html(marked) == "abc"


@given(st.text(max_size=300))
def test_any_text_gives_a_snippet_with_no_markup_but_marks(text):
    html = domain.snippet_html(domain.index_text(text))

    assert "<" not in html.replace("<mark>", "").replace("</mark>", "")


def test_the_index_keeps_no_control_characters():
    assert domain.index_text(f"a\x00b{domain.MARK_START}c{domain.MARK_END}d\ne") == "abcd\ne"
