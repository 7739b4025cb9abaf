"""The character rule: control and bidi characters refused, line breaks kept in multi-line text."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contexts.kernel.text import (
    WHITESPACE,
    _char_problem,
    seconds_words,
    text_pattern,
    text_problem,
)

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
CONTROLS = ["\x01", "\x07", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]


@pytest.mark.parametrize("char", CONTROLS + ["\t", "\n", "\r"])
def test_control_characters_are_refused_in_a_line_naming_them(char):
    assert text_problem(f"a{char}b") == f"Control characters are not allowed: U+{ord(char):04X}."


@pytest.mark.parametrize("char", CONTROLS)
def test_control_characters_are_refused_in_multi_line_text(char):
    assert text_problem(f"a{char}b", multiline=True).startswith("Control characters")


def test_multi_line_text_keeps_its_line_breaks_and_tabs():
    assert text_problem("line\r\nnext\n\tindented", multiline=True) is None


@pytest.mark.parametrize("char", BIDI)
@pytest.mark.parametrize("multiline", [False, True])
def test_bidi_embedding_override_and_isolate_controls_are_refused(char, multiline):
    problem = text_problem(f"exe.{char}txt", multiline=multiline)

    assert problem == f"Bidirectional control characters are not allowed: U+{ord(char):04X}."


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a\x00b", "Null characters are not allowed."),
        ("a\ud800b", "Surrogate characters are not allowed: U+D800."),
    ],
)
def test_what_no_database_can_store_is_refused(text, problem):
    assert text_problem(text, multiline=True) == problem


@pytest.mark.parametrize(
    "text", ["Plain", "日本語のタイトル", "עברית and العربية", "emoji 😀", "\u200e mark", " ", ""]
)
def test_ordinary_text_in_any_script_is_fine(text):
    # Bidi *marks* (U+200E, U+200F) are ordinary punctuation of right-to-left text.
    assert text_problem(text) is None


@given(st.text())
def test_the_openapi_pattern_says_what_the_rule_does(text):
    for multiline in (False, True):
        accepted = text_problem(text, multiline=multiline) is None
        assert bool(re.fullmatch(text_pattern(multiline=multiline, blank=True), text)) == accepted
        not_blank = re.fullmatch(text_pattern(multiline=multiline, blank=False), text)
        assert bool(not_blank) == (accepted and bool(text.strip()))


@pytest.mark.parametrize(
    ("seconds", "words"), [(1, "1 second"), (2, "2 seconds"), (57, "57 seconds")]
)
def test_a_wait_is_said_in_words_singular_for_one(seconds, words):
    assert seconds_words(seconds) == words


def test_the_whitespace_class_is_what_python_strips():
    """DRF trims with str.strip(); the documents' patterns must call the same text blank."""
    whitespace = re.compile(f"[{WHITESPACE}]")
    for code in range(0x110000):
        char = chr(code)
        assert bool(whitespace.fullmatch(char)) == char.isspace(), hex(code)


TEXTS = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(max_codepoint=0xA0)),
    st.text(alphabet="ab\t\n\r\x00\x1f\x7f\x85\x9f\xa0\u202a\u202e\u2066\u2069\u200e\ud800\udfff"),
)


@given(TEXTS)
def test_the_search_finds_what_the_rule_says_character_by_character(text):
    for multiline in (False, True):
        assert text_problem(text, multiline=multiline) == _char_problem(text, multiline=multiline)
