"""The sanitizer's two allow-lists: the clean-markup grammar vouches only for what nh3 keeps."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contexts.renderer.api import LinkPreview
from contexts.renderer.services.markdown import markdown_to_html
from contexts.renderer.services.notation import apply_notations
from contexts.renderer.services.sanitizer import _CLEANER, is_known_clean, sanitize
from tests.renderer.htmlcompare import elements, normalize, text
from tests.renderer.inertness import problems
from tests.renderer.test_hostile_inputs import HOSTILE
from tests.renderer.test_properties import _MARKDOWNISH

# Markup shaped like the renderer's own, with one hostile detail each: the grammar
# must refuse every one (nh3 then cleans it).
LOOKALIKES = {
    "event handler": '<p onclick="alert(1)">x</p>',
    "unknown tag": "<script>alert(1)</script>",
    "javascript href": '<a href="javascript:alert(1)">x</a>',
    "entity in scheme": '<a href="&#106;avascript:alert(1)">x</a>',
    "entity colon": '<a href="javascript&#58;alert(1)">x</a>',
    "newline in scheme": '<a href="java\nscript:alert(1)">x</a>',
    "tab in scheme": '<a href="java\tscript:alert(1)">x</a>',
    "leading space": '<a href=" javascript:alert(1)">x</a>',
    "leading control": '<a href="\x01javascript:alert(1)">x</a>',
    "data href": '<a href="data:text/html,x">x</a>',
    "other scheme": '<a href="vbscript:x">x</a>',
    "single quotes": "<a href='javascript:alert(1)'>x</a>",
    "unquoted": "<a href=javascript:alert(1)>x</a>",
    "extra attribute": '<a href="https://x.example/" onmouseover="alert(1)">x</a>',
    "style": '<p style="color:red">x</p>',
    "footnote ref to javascript": '<a href="javascript:x" id="fnref-1" data-footnote-ref>1</a>',
    "http image": '<img src="http://x.example/a.png" alt="" />',
    "protocol-relative image": '<img src="//x.example/a.png" alt="" />',
    "backslash image": '<img src="/\\x.example/a.png" alt="" />',
    "data image": '<img src="data:image/png;base64,AA" alt="" />',
    "card image over http": '<img src="http://x.example/a.png" alt="" class="embed-card-image" />',
    "unknown class": '<span class="admin-banner">x</span>',
    "code class with space": '<code class="language-x hidden">x</code>',
    "input made usable": '<input type="text" />',
    "comment": "<!-- x --><p>y</p>",
    "svg": "<svg><a href='#'>x</a></svg>",
    "unclosed tag": '<a href="https://x.example/"',
}


@pytest.mark.parametrize("html", list(LOOKALIKES.values()), ids=list(LOOKALIKES))
def test_the_grammar_refuses_markup_with_any_hostile_detail(html):
    assert not is_known_clean(html)
    assert problems(sanitize(html)) == []


@pytest.mark.parametrize("src", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_raw_html_given_to_the_sanitizer_itself_comes_out_inert(src):
    # As if the engine had let raw HTML through: the sanitizer alone must still hold.
    assert problems(sanitize(src)) == []


def test_everything_the_renderer_writes_is_vouched_for_by_the_grammar():
    src = (
        "# H1\n\n###### H6\n\nSome *em* **strong** ~~del~~ `code` [a](https://x.example/ "
        '"t") [b](/local) [c](#here) [d](?q=1) [e](rel/path) [f](mailto:me@x.example)\n'
        "line  \nbreak https://x.example/auto www.x.example me@x.example\n\n"
        '![i](https://x.example/i.png "t") ![j](/j.png)\n\n> quote\n\n- a\n- [ ] b\n- [x] c\n\n'
        "3. three\n4. four\n\n| l | c | r | n |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n\n"
        "```python\nprint('<hi>')\n```\n\n---\n\nNote[^1] and again[^1].\n\n[^1]: The note.\n\n"
        "[https://x.example/:title=T] [https://x.example/] [https://x.example/t:title] "
        "[https://x.example/?a=1&b=2:embed] [https://y.example/:embed] id:alice\n"
    )
    links = {
        "https://y.example/": LinkPreview(
            title="Y", description="About Y", site_name="Y site", image_url="https://y.example/i"
        )
    }
    html, _ = apply_notations(markdown_to_html(src), links)

    assert is_known_clean(html)


_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_PREVIEWS = st.builds(
    LinkPreview,
    title=st.text(max_size=20),
    description=st.text(max_size=20),
    site_name=st.text(max_size=10),
    image_url=st.sampled_from(["", "https://i.example/a.png", "http://i.example/a.png", "x"]),
)


@_SETTINGS
@given(src=_MARKDOWNISH, preview=_PREVIEWS)
def test_what_the_grammar_vouches_for_nh3_would_keep_as_it_is(src, preview):
    links = {"https://x.example/": preview}
    html, _ = apply_notations(markdown_to_html(src.replace("\x00", "")), links)
    html = html.replace("<!-- raw HTML omitted -->", "")

    if is_known_clean(html):
        assert normalize(html) == normalize(_CLEANER.clean(html))


def test_a_long_document_that_does_not_match_is_refused_at_once():
    # The grammar never backtracks into text: this returns instead of running for ages.
    assert not is_known_clean("a" * 200_000 + "<x>")
    assert not is_known_clean("<p>" * 50_000 + "<p x>")


# Pieces of the renderer's markup and of attacks on it, glued at random: the grammar is
# fed markup no engine wrote, and must still vouch only for what nh3 would keep.
_MARKUP_PIECES = [
    '<a href="', '<img src="', '" alt="', '" title="', '" />', '">', '"', "'", ">", "<", "</a>",
    "<p>", "</p>", "<code>", '<code class="language-', '<li id="', '" id="fnref-',
    '" data-footnote-ref>', '" class="embed-card">', '<span class="embed-card-title">',
    "</span>", '" alt="" class="embed-card-image" />', "https://", "http://", "//", "/", "\\",
    "mailto:", "javascript:", "data:", "x.example", "x", ":", "#", "?", "=", "&amp;", "&#x27;",
    "&#106;", "&#58;", "&", "%5C", "%", "@", " ", "\t", "\n", "\x00", "\x01", "<!--", "-->",
    "<script>", " onclick=", "<svg>", "<br />", "<input type=\"checkbox\" disabled=\"\" />",
]  # fmt: skip
_MARKUP = st.lists(st.sampled_from(_MARKUP_PIECES), max_size=25).map("".join)


def _with_attributes(html: str) -> list[tuple[str, dict[str, str]]]:
    return [(tag, attrs) for tag, attrs in elements(html) if attrs]


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=_MARKUP)
def test_markup_the_grammar_vouches_for_is_markup_nh3_keeps_as_it_is(html):
    if is_known_clean(html):
        cleaned = _CLEANER.clean(html)
        # Stray or missing end tags may differ (nh3 balances them, and a stray </p> makes
        # an empty paragraph); the elements with attributes and the text must not.
        assert _with_attributes(html) == _with_attributes(cleaned)
        assert text(html) == text(cleaned)
        assert problems(html) == []


def test_balanced_markup_a_browser_would_restructure_is_left_to_nh3():
    # A footnote defined inside another: comrak writes <li> inside <li>.
    html = markdown_to_html("[^1]\n\n[^1]: [^1]: x\n")

    assert html.count("<li") == 2
    assert not is_known_clean(html)
    assert normalize(sanitize(html)) == normalize(_CLEANER.clean(html))


@pytest.mark.parametrize(
    "fragment",
    [
        "<p><em>a</p></em>",
        "<p>a",
        "</p>",
        "<ol><li>a</li></ol><li>b</li>",
        "<ul><li><li></li></li></ul>",
    ],
)
def test_known_tokens_that_do_not_nest_are_not_vouched_for(fragment):
    assert not is_known_clean(fragment)
