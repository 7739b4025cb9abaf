"""Property-based tests: no source crashes the renderer or yields an active page."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contexts.renderer.api import MAX_SOURCE_LENGTH, render
from tests.renderer.htmlcompare import text
from tests.renderer.inertness import problems

# Pieces that mean something to Markdown, HTML, URLs or the notations, so that random
# sources hit the interesting corners instead of plain prose.
_PIECES = [
    "[", "]", "(", ")", "<", ">", '"', "'", "`", "```", "*", "_", "~", "~~", "|", "-",
    ":", "!", "\\", "#", "&", ";", "=", "/", " ", "  ", "\t", "\n", "\n\n", "    ",
    "> ", "- ", "1. ", "- [ ] ", "- [x] ", "|---|", "[^1]", "[^1]: ", "]: ",
    "javascript:", "JavaScript:", "vbscript:", "data:", "data:text/html,", "http://",
    "https://", "https://x.example/", "www.x.example", "a@x.example", "//", "mailto:",
    "id:", "id:alice", ":title", ":title=", "[https://x.example/:title=", ":embed",
    "[https://x.example/:embed]", "[https://x.example/:title]",
    "<script>", "</script>", "<img src=x ", "onerror=", " onmouseover=", "alert(1)",
    "<a href=", "<svg ", "<iframe ", "style=", "&#106;", "&#x6A;", "&quot;", "&lt;",
    "\x00", "\u200b", "\ufeff", "\ue000", "\u202e", "日本", "é",
]  # fmt: skip

_MARKDOWNISH = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.text(min_size=1, max_size=5)), max_size=60
).map("".join)
# Any code point, lone surrogates included: JSON lets a client send them.
_ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=300)

_SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(src=_MARKDOWNISH)
def test_markdown_like_sources_render_to_inert_html(src):
    html = render(src).html

    assert isinstance(html, str)
    assert problems(html) == []


@_SETTINGS
@given(src=_ANY_TEXT)
def test_any_text_renders_to_inert_html(src):
    html = render(src).html

    assert problems(html) == []


@_SETTINGS
@given(src=_MARKDOWNISH)
def test_rendering_is_a_pure_function_of_the_source(src):
    assert render(src) == render(src)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True), min_size=1))
def test_plain_words_read_as_written(words):
    src = " ".join(words)[:MAX_SOURCE_LENGTH]

    assert text(render(src).html).strip() == src
