"""Hatena-style notations: what each one renders to, and where it is left alone."""

import re

import pytest

from contexts.renderer.api import render
from tests.renderer.htmlcompare import elements, text

REL = "nofollow noopener noreferrer"


def links(src: str) -> list[tuple[str, str]]:
    """Return (href, text) of every link in the rendering of `src`."""
    html = render(src).html
    found = []
    for fragment in html.split("<a ")[1:]:
        attrs = elements("<a " + fragment.split(">", 1)[0] + ">")[0][1]
        found.append((attrs.get("href"), text("<a " + fragment.split("</a>", 1)[0] + "</a>")))
    return found


def test_url_with_title_is_one_link_reading_the_title():
    html = render("[https://example.com/:title=Some text]").html

    assert html == f'<p><a href="https://example.com/" rel="{REL}">Some text</a></p>\n'


def test_bare_url_notation_is_a_link_reading_the_url():
    assert links("[https://example.com/]") == [("https://example.com/", "https://example.com/")]


def test_title_notation_reads_the_url_until_titles_are_known():
    assert links("[https://example.com/:title]") == [
        ("https://example.com/", "https://example.com/")
    ]


def test_empty_title_reads_the_url():
    assert links("[https://example.com/:title=]") == [
        ("https://example.com/", "https://example.com/")
    ]


def test_mention_links_to_the_authors_page():
    html = render("thanks id:alice!").html

    # A link inside this site: no rel, it keeps its rank and referrer.
    assert html == '<p>thanks <a href="/authors/alice">id:alice</a>!</p>\n'


@pytest.mark.parametrize(
    "src",
    ["id:ab", "id:" + "a" * 17, "user_id:alice", "id:", "id: alice", "id:al-ice"],
    ids=["too short", "too long", "glued to a word", "empty", "space", "dash"],
)
def test_what_is_not_a_mention(src):
    assert links(src) == []


def test_mention_next_to_japanese_text_and_punctuation():
    assert links("こんにちはid:aliceさん、(id:bob42).") == [
        ("/authors/alice", "id:alice"),
        ("/authors/bob42", "id:bob42"),
    ]


def test_mention_of_sixteen_characters():
    name = "a" * 15 + "Z"

    assert links(f"id:{name}") == [(f"/authors/{name}", f"id:{name}")]


def test_url_and_title_are_decoded_then_escaped_once():
    html = render("[https://x.example/?a=1&b=2:title=Tom & Jerry]").html

    assert links("[https://x.example/?a=1&b=2:title=Tom & Jerry]") == [
        ("https://x.example/?a=1&b=2", "Tom & Jerry")
    ]
    assert 'href="https://x.example/?a=1&amp;b=2"' in html
    assert ">Tom &amp; Jerry</a>" in html


def test_title_keeps_its_emphasis():
    html = render("[https://x.example/:title=a *fine* page]").html

    assert (
        '<a href="https://x.example/" rel="nofollow noopener noreferrer">a <em>fine</em> page</a>'
        in html
    )


def test_unbalanced_emphasis_in_title_leaves_the_text_alone():
    assert links("[https://x.example/:title=a *b] c*") == []


def test_non_ascii_urls_are_percent_encoded():
    assert links('[https://x.example/パス?q="x":title=t]') == [
        ("https://x.example/%E3%83%91%E3%82%B9?q=%22x%22", "t")
    ]


def test_url_with_port_and_fragment():
    assert links("[http://x.example:8080/a#b]") == [
        ("http://x.example:8080/a#b", "http://x.example:8080/a#b")
    ]


@pytest.mark.parametrize(
    "src",
    [
        "[javascript:alert(1):title=x]",
        "[ftp://x.example/]",
        "[file:///etc/passwd]",
        "[data:text/html,x:title=y]",
        "[http://:title=no host]",
        "[https:///path]",
        "[https://x.example/ with space]",
    ],
)
def test_only_http_and_https_urls_with_a_host_make_notations(src):
    assert links(src) == []
    assert text(render(src).html).strip() == src


@pytest.mark.parametrize(
    "src",
    [
        "`[https://x.example/:title=t] id:alice`",
        "``[https://x.example/]``",
        "```\n[https://x.example/:title=t]\nid:alice\n```",
        "~~~python\n# id:alice [https://x.example/]\n~~~",
        "    [https://x.example/:title=t]\n    id:alice",
    ],
    ids=["code span", "double backtick span", "fenced block", "tilde fence", "indented block"],
)
def test_notations_are_not_applied_in_code(src):
    html = render(src).html

    assert [tag for tag, _ in elements(html) if tag == "a"] == []
    assert "[https://x.example/" in html


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("[see id:alice](https://y.example/)", [("https://y.example/", "see id:alice")]),
        (
            "[read [https://x.example/:title=t]](https://y.example/)",
            [("https://y.example/", "read [https://x.example/:title=t]")],
        ),
        (
            "<https://y.example/id:alice>",
            [("https://y.example/id:alice", "https://y.example/id:alice")],
        ),
        (
            "https://y.example/?who=id:alice",
            [("https://y.example/?who=id:alice", "https://y.example/?who=id:alice")],
        ),
        ("[id:alice][r]\n\n[r]: /somewhere", [("/somewhere", "id:alice")]),
    ],
    ids=["inline link", "notation in link text", "autolink", "bare url", "reference link"],
)
def test_notations_are_not_applied_inside_existing_links(src, expected):
    assert links(src) == expected


def test_notations_are_not_applied_inside_attributes():
    html = render('![id:alice [https://x.example/]](https://i.example/a.png "id:bob")').html

    assert elements(html) == [
        ("p", {}),
        (
            "img",
            {
                "src": "https://i.example/a.png",
                "alt": "id:alice [https://x.example/]",
                "title": "id:bob",
            },
        ),
    ]


def test_mention_as_footnote_label_is_linked_only_in_text():
    html = render("x[^id:abcd]\n\n[^id:abcd]: by id:carol").html

    assert ("/authors/carol", "id:carol") in links("x[^id:abcd]\n\n[^id:abcd]: by id:carol")
    # The label in the footnote's id is not a mention (the id is scoped to the source).
    assert re.search(r'<li id="fn-[0-9a-f]{8}-id:abcd">', html)


def test_notations_work_in_headings_lists_tables_quotes_and_emphasis():
    src = (
        "# [https://x.example/:title=Head]\n\n"
        "- id:alice\n\n"
        "| a |\n|---|\n| [https://x.example/t] |\n\n"
        "> id:bob42\n\n"
        "*[https://x.example/e:title=em]*\n"
    )

    assert links(src) == [
        ("https://x.example/", "Head"),
        ("/authors/alice", "id:alice"),
        ("https://x.example/t", "https://x.example/t"),
        ("/authors/bob42", "id:bob42"),
        ("https://x.example/e", "em"),
    ]


def test_a_mention_inside_a_notation_url_is_part_of_the_url():
    assert links("[https://x.example/id:abcd] id:abcd") == [
        ("https://x.example/id:abcd", "https://x.example/id:abcd"),
        ("/authors/abcd", "id:abcd"),
    ]


def test_many_notations_in_one_paragraph():
    src = " ".join(f"id:user{i} [https://x.example/{i}:title=t{i}]" for i in range(2000))

    found = links(src)

    assert len(found) == 4000
    assert found[-1] == ("https://x.example/1999", "t1999")


def test_external_notation_links_carry_rel():
    html = render("[https://x.example/]").html

    assert elements(html)[1][1]["rel"] == "nofollow noopener noreferrer"
