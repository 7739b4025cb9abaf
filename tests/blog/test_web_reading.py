"""A reader's pages beyond the lists: feeds, sharing tags, links between entries,
the sitemap, robots.txt."""

from datetime import timedelta

import feedparser
import pytest
from django.contrib.sitemaps import Sitemap
from django.test import Client
from django.utils import timezone

from contexts.blog import services
from contexts.blog.models import Author, Entry
from tests.blog.conftest_web import ALL_DATABASES, client_of, make_blog, publish, register, text

pytestmark = pytest.mark.django_db(databases=ALL_DATABASES)


def parsed(url: str) -> feedparser.FeedParserDict:
    response = Client().get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


# --- feeds ---------------------------------------------------------------------------


def test_the_site_feed_has_the_newest_entries_with_full_html_and_stable_ids():
    alice, bob = register("alice"), register("bob")
    first = publish(make_blog(alice, "alices", "Alice's notes"), "First", "Some *words* here")
    second = publish(make_blog(bob, "bobs", "Bob cooks"), "Second", "| a |\n|---|\n| 1 |")

    feed = parsed("/feed")

    assert [item.title for item in feed.entries] == ["Second", "First"]
    newest, older = feed.entries
    assert newest.id == f"http://testserver/blogs/bobs/entries/{second.pk}"
    assert newest.link == newest.id
    assert newest.author == "bob"
    assert "<table>" in newest.content[0].value
    assert older.content[0].value == first.body_html.strip()
    assert older.summary == "Some words here"
    assert newest.published_parsed[:6] == second.published_at.utctimetuple()[:6]
    assert feed.feed.updated_parsed[:6] == second.published_at.utctimetuple()[:6]
    assert parsed("/feed").entries[0].id == newest.id  # stable: the same id every time


def test_an_edit_moves_an_entrys_updated_time_and_the_feeds():
    blog = make_blog(register("alice"))
    entry = publish(blog, "Title", "Text")
    later = timezone.now() + timedelta(hours=1)
    Entry.objects.filter(pk=entry.pk).update(edited_at=later)

    feed = parsed("/blogs/alice-notes/feed")

    assert feed.entries[0].updated_parsed[:6] == later.utctimetuple()[:6]
    assert feed.entries[0].published_parsed[:6] == entry.published_at.utctimetuple()[:6]
    assert feed.feed.updated_parsed[:6] == later.utctimetuple()[:6]


def test_a_blog_feed_and_an_author_feed_hold_only_theirs():
    alice, bob = register("alice"), register("bob")
    notes, recipes = make_blog(alice, "notes", "Notes"), make_blog(alice, "recipes", "Recipes")
    publish(notes, "In notes")
    publish(recipes, "In recipes")
    publish(make_blog(bob, "bobs", "Bob's"), "By bob")

    assert [e.title for e in parsed("/blogs/notes/feed").entries] == ["In notes"]
    assert parsed("/blogs/notes/feed").feed.title == "Notes"
    assert [e.title for e in parsed("/authors/alice/feed").entries] == ["In recipes", "In notes"]
    assert [e.title for e in parsed("/authors/ALICE/feed").entries] == ["In recipes", "In notes"]


def test_feeds_leave_drafts_out_and_unknown_blogs_or_authors_are_404():
    blog = make_blog(register("alice"))
    services.entry_create(blog=blog, actor=blog.owner, title="Draft", body="", status="draft")

    assert parsed("/feed").entries == []
    assert parsed("/blogs/alice-notes/feed").entries == []
    assert Client().get("/blogs/nobody/feed").status_code == 404
    assert Client().get("/authors/nobody/feed").status_code == 404


def test_a_feed_stays_valid_xml_whatever_an_entry_holds():
    blog = make_blog(register("alice"))
    entry = publish(blog, "Bell", "Text")
    # Stored before text fields refused control characters: feeds must still hold it.
    Entry.objects.filter(pk=entry.pk).update(
        title="Bell\x07 & <b>tag</b>",
        body_html="<p>Text with a \x01 control and &lt;script&gt;x&lt;/script&gt;</p>",
    )

    (item,) = parsed("/feed").entries

    assert item.title == "Bell & <b>tag</b>"
    assert "<script>" not in item.content[0].value


@pytest.mark.parametrize("url", ["/rss", "/atom.xml"])
def test_where_readers_look_for_a_feed_they_are_sent_to_it(url):
    response = Client().get(url)

    assert response.status_code == 301
    assert response["Location"] == "/feed"


def test_pages_announce_their_feeds():
    blog = make_blog(register("alice"))
    entry = publish(blog)
    site_feed = 'rel="alternate" type="application/atom+xml" title="Blogs: the newest entries"'

    for url in ("/", f"/blogs/{blog.path}", f"/blogs/{blog.path}/entries/{entry.pk}"):
        assert site_feed in text(Client().get(url)), url
    for url in (f"/blogs/{blog.path}", f"/blogs/{blog.path}/entries/{entry.pk}"):
        assert (
            'type="application/atom+xml" title="Alice&#39;s notes" href="/blogs/alice-notes/feed"'
            in text(Client().get(url))
        )
    assert 'href="/authors/alice/feed"' in text(Client().get("/authors/alice"))


# --- sharing ---------------------------------------------------------------------------


def test_an_entry_page_tells_a_shared_link_its_title_excerpt_and_canonical_address():
    blog = make_blog(register("alice"))
    entry = publish(blog, 'Say "hi"', "Hello **there**, <reader>.")
    url = f"http://testserver/blogs/alice-notes/entries/{entry.pk}"

    page = text(Client().get(f"/blogs/alice-notes/entries/{entry.pk}"))

    head = page.split("</head>", 1)[0]
    assert f'<link rel="canonical" href="{url}">' in head
    assert '<meta name="description" content="Hello there, .">' in head
    assert '<meta property="og:type" content="article">' in head
    assert '<meta property="og:title" content="Say &#34;hi&#34;">' in head
    assert f'<meta property="og:url" content="{url}">' in head
    assert '<meta property="og:description" content="Hello there, .">' in head
    assert '<meta name="twitter:card" content="summary">' in head
    assert '<meta name="twitter:title" content="Say &#34;hi&#34;">' in head
    assert f'content="{entry.published_at.isoformat()}"' in head
    assert '<meta property="article:author" content="http://testserver/authors/alice">' in head


def test_a_blog_page_tells_a_shared_link_its_title_description_and_address():
    blog = make_blog(register("alice"))
    for number in range(6):
        publish(blog, f"Entry {number}")

    head = text(Client().get("/blogs/alice-notes")).split("</head>", 1)[0]
    second = text(Client().get("/blogs/alice-notes?page=2")).split("</head>", 1)[0]

    assert '<link rel="canonical" href="http://testserver/blogs/alice-notes">' in head
    assert '<meta name="description" content="About things">' in head
    assert '<meta property="og:type" content="website">' in head
    assert '<meta property="og:title" content="Alice&#39;s notes">' in head
    assert '<link rel="canonical" href="http://testserver/blogs/alice-notes?page=2">' in second


def test_a_draft_seen_by_its_owner_asks_not_to_be_indexed():
    client = client_of("alice")
    blog = make_blog(Author.objects.get(name="alice"))
    draft = services.entry_create(blog=blog, actor=blog.owner, title="D", body="", status="draft")

    head = text(client.get(f"/blogs/alice-notes/entries/{draft.pk}")).split("</head>", 1)[0]

    assert '<meta name="robots" content="noindex">' in head


# --- links between entries ---------------------------------------------------------------


def test_an_entry_links_to_the_older_and_newer_entries_of_its_blog():
    alice = register("alice")
    blog = make_blog(alice)
    older, middle, newer = (publish(blog, title) for title in ("Older", "Middle", "Newer"))
    publish(make_blog(alice, "other", "Other"), "Elsewhere")
    services.entry_create(blog=blog, actor=alice, title="A draft", body="", status="draft")

    page = text(Client().get(f"/blogs/alice-notes/entries/{middle.pk}"))
    first = text(Client().get(f"/blogs/alice-notes/entries/{older.pk}"))
    last = text(Client().get(f"/blogs/alice-notes/entries/{newer.pk}"))

    label = '"><span class="entry-nav__label">'
    assert f'href="/blogs/alice-notes/entries/{newer.pk}{label}Newer</span> Newer</a>' in page
    assert f'href="/blogs/alice-notes/entries/{older.pk}{label}Older</span> Older</a>' in page
    assert "entry-nav__older" not in first and "entry-nav__newer" in first
    assert "entry-nav__newer" not in last and "entry-nav__older" in last
    assert "Elsewhere" not in page and "A draft" not in page


def test_entries_published_at_the_same_time_still_link_in_a_line():
    blog = make_blog(register("alice"))
    entries = [publish(blog, f"E{n}") for n in range(3)]
    Entry.objects.filter(blog=blog).update(published_at=entries[0].published_at)

    page = text(Client().get(f"/blogs/alice-notes/entries/{entries[1].pk}"))

    assert f'/entries/{entries[0].pk}"><span class="entry-nav__label">Older' in page
    assert f'/entries/{entries[2].pk}"><span class="entry-nav__label">Newer' in page


# --- sitemap and robots.txt ----------------------------------------------------------------


def test_the_sitemap_index_lists_the_sections_and_they_list_every_public_page():
    blog = make_blog(register("alice"))
    entry = publish(blog)
    make_blog(register("bob"), "empty", "Empty")
    draft = services.entry_create(blog=blog, actor=blog.owner, title="D", body="", status="draft")

    index = text(Client().get("/sitemap.xml"))
    entries = text(Client().get("/sitemap-entries.xml"))
    blogs = text(Client().get("/sitemap-blogs.xml"))

    for section in ("home", "blogs", "entries"):
        assert f"<loc>http://testserver/sitemap-{section}.xml</loc>" in index
    assert f"<loc>http://testserver/blogs/alice-notes/entries/{entry.pk}</loc>" in entries
    assert f"/entries/{draft.pk}<" not in entries
    assert "<lastmod>" in entries
    assert "<loc>http://testserver/blogs/alice-notes</loc>" in blogs
    assert "/blogs/empty<" not in blogs
    assert "<loc>http://testserver/</loc>" in text(Client().get("/sitemap-home.xml"))


def test_past_its_limit_a_section_is_split_into_pages_the_index_lists(monkeypatch):
    monkeypatch.setattr(Sitemap, "limit", 2)
    blog = make_blog(register("alice"))
    entries = [publish(blog, f"E{n}") for n in range(5)]

    index = text(Client().get("/sitemap.xml"))
    third = text(Client().get("/sitemap-entries.xml?p=3"))

    assert "<loc>http://testserver/sitemap-entries.xml?p=3</loc>" in index
    assert "sitemap-entries.xml?p=4" not in index
    assert third.count("<url>") == 1 and f"/entries/{entries[4].pk}<" in third
    assert Client().get("/sitemap-entries.xml?p=4").status_code == 404


def test_robots_txt_names_the_sitemap_by_its_absolute_address():
    response = Client().get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /my/" in lines and "Disallow: /search" in lines
