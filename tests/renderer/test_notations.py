"""Hatena-style notations: what each one renders to, and where it is left alone."""

import re

import pytest

from contexts.renderer.api import InvalidLinks, LinkPreview, render
from tests.renderer.htmlcompare import elements, text
from tests.renderer.inertness import problems

REL = "nofollow noopener noreferrer"


def links(src: str) -> list[tuple[str | None, str]]:
    """Return (href, text) of every link in the rendering of `src`."""
    return links_of(src, {})


def links_of(src: str, metadata: dict) -> list[tuple[str | None, str]]:
    """Return (href, text) of every link in the rendering of `src` with `metadata`."""
    html = render(src, links=metadata).html
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


# --- titles and cards from link metadata ----------------------------------------------

PAGE = "https://example.com/page"


def test_title_notation_reads_the_known_title_escaped():
    links = {PAGE: LinkPreview(title='Tom & <Jerry> "live"')}
    html = render(f"[{PAGE}:title]", links=links).html

    assert html == (f'<p><a href="{PAGE}" rel="{REL}">Tom &amp; &lt;Jerry&gt; "live"</a></p>\n')


def test_title_notation_reads_the_url_while_the_title_is_unknown_or_empty():
    for links in ({}, {PAGE: LinkPreview()}, {PAGE: LinkPreview(title="   ")}):
        assert links_of(f"[{PAGE}:title]", links) == [(PAGE, PAGE)]


def test_an_explicit_title_wins_and_needs_no_metadata():
    rendered = render(f"[{PAGE}:title=Mine]", links={PAGE: LinkPreview(title="Fetched")})

    assert links_of(f"[{PAGE}:title=Mine]", {PAGE: LinkPreview(title="Fetched")}) == [
        (PAGE, "Mine")
    ]
    assert rendered.link_urls == ()


def test_rendering_reports_the_urls_whose_metadata_it_uses_once_each_in_order():
    src = (
        "[https://b.example/:title] [https://a.example/:embed] [https://b.example/:title]\n"
        "[https://c.example/] [https://d.example/:title=D] id:alice `[https://e.example/:title]`"
    )

    assert render(src).link_urls == ("https://b.example/", "https://a.example/")


def test_metadata_is_keyed_by_the_url_as_a_browser_requests_it():
    src = '[https://x.example/パス?a=1&b="2":title]'
    url = "https://x.example/%E3%83%91%E3%82%B9?a=1&b=%222%22"

    assert render(src).link_urls == (url,)
    assert links_of(src, {url: LinkPreview(title="Path")}) == [(url, "Path")]


def test_embed_is_a_card_with_image_title_description_and_site():
    preview = LinkPreview(
        title="A <page>",
        description="What it & says",
        site_name="Example Site",
        image_url="https://example.com/i.png?a=1&b=2",
    )
    html = render(f"[{PAGE}:embed]", links={PAGE: preview}).html

    assert elements(html) == [
        ("p", {}),
        ("a", {"href": PAGE, "rel": REL, "class": "embed-card"}),
        (
            "img",
            {"src": "https://example.com/i.png?a=1&b=2", "alt": "", "class": "embed-card-image"},
        ),
        ("span", {"class": "embed-card-title"}),
        ("span", {"class": "embed-card-description"}),
        ("span", {"class": "embed-card-site"}),
    ]
    assert text(html) == "A <page>What it & saysExample Site\n"


def test_embed_no_longer_links_to_the_url_with_embed_appended():
    html = render("[https://example.com/:embed]").html

    assert ":embed" not in html
    assert [href for href, _ in links("[https://example.com/:embed]")] == ["https://example.com/"]


def test_embed_card_shows_the_url_and_host_until_the_page_is_known():
    html = render(f"[{PAGE}:embed]").html

    assert [attrs.get("class") for tag, attrs in elements(html) if tag == "span"] == [
        "embed-card-title",
        "embed-card-site",
    ]
    assert text(html) == f"{PAGE}example.com\n"


@pytest.mark.parametrize(
    "image_url",
    ["http://example.com/i.png", "//example.com/i.png", "/i.png", "javascript:alert(1)", "x"],
)
def test_embed_card_shows_its_image_only_over_https(image_url):
    html = render(f"[{PAGE}:embed]", links={PAGE: LinkPreview(title="T", image_url=image_url)}).html

    assert [tag for tag, _ in elements(html) if tag == "img"] == []
    assert problems(html) == []


def test_hostile_metadata_is_shown_as_text():
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
    preview = LinkPreview(
        title=hostile,
        description=hostile,
        site_name=hostile,
        image_url='https://i.example/"onerror="alert(1)',
    )
    html = render(f"[{PAGE}:embed] [{PAGE}:title]", links={PAGE: preview}).html

    assert problems(html) == []
    assert text(html).count(hostile) == 4


@pytest.mark.parametrize("links", [["x"], {"https://x.example/": "title"}, {1: LinkPreview()}])
def test_links_that_are_not_previews_by_url_are_refused_as_a_field_error(links):
    with pytest.raises(InvalidLinks) as caught:
        render("[https://x.example/:title]", links=links)

    assert caught.value.fields == {"links": ["links must map URLs to LinkPreview values."]}
