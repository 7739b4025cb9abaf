"""The public pages: home, a blog, an entry, an author, and the friendly error pages."""

import pytest
from django.test import Client

from contexts.blog import services
from contexts.blog.models import Entry
from contexts.blog.web import views
from contexts.renderer import api as renderer_api
from tests.blog.conftest_web import (
    ALL_DATABASES,
    client_of,
    make_blog,
    publish,
    register,
    sign_in,
    text,
)

pytestmark = pytest.mark.django_db(databases=ALL_DATABASES)


def test_home_lists_the_newest_entries_of_every_blog_with_blog_author_date_and_excerpt():
    alice, bob = register("alice"), register("bob")
    publish(make_blog(alice, "alices", "Alice's notes"), "Older entry", "The *first* words.")
    publish(make_blog(bob, "bobs", "Bob cooks"), "Newer entry", "Pasta **tonight**.")

    response = Client().get("/")

    assert response.status_code == 200
    page = text(response)
    assert page.index("Newer entry") < page.index("Older entry")
    assert 'href="/blogs/bobs/entries/' in page and 'href="/blogs/alices/entries/' in page
    assert 'href="/blogs/bobs">Bob cooks</a> by <a href="/authors/bob">bob</a>' in page
    assert "<time datetime=" in page
    # Excerpts: the rendered text, without its markup.
    assert '<p class="entry__excerpt">Pasta tonight.</p>' in page
    assert "<strong>tonight</strong>" not in page


def test_home_lists_the_blogs_with_entries_below_the_entries_and_not_the_empty_ones():
    alice = register("alice")
    publish(make_blog(alice, "written", "A written blog"), "Only entry")
    make_blog(alice, "empty", "An empty blog")
    drafts = make_blog(alice, "drafts", "A blog of drafts")
    services.entry_create(blog=drafts, actor=alice, title="Draft", body="", status="draft")

    page = text(Client().get("/"))

    assert page.index("Only entry") < page.index('id="home-blogs-title"')
    assert page.index('id="home-blogs-title"') < page.rindex("A written blog")
    assert "An empty blog" not in page
    assert "A blog of drafts" not in page and "Draft" not in page
    assert "An empty blog" not in text(Client().get("/blogs"))
    assert "A written blog" in text(Client().get("/blogs"))


def test_home_without_entries_invites_to_sign_up():
    make_blog(register("alice"), "empty", "An empty blog")

    response = Client().get("/")

    assert response.status_code == 200
    assert "No entries yet" in text(response)
    assert 'href="/signup"' in text(response)
    assert "An empty blog" not in text(response)


def test_home_pages_entries_by_ten_and_shows_blogs_on_the_first_page():
    blog = make_blog(register("alice"), "notes", "Notes")
    for number in range(12):
        publish(blog, f"Entry number {number:02d}", "Text")

    first, second = Client().get("/"), Client().get("/?page=2")

    assert text(first).count('class="entry"') == 10
    assert "Entry number 11" in text(first) and "Entry number 01" not in text(first)
    assert "Page 1 of 2" in text(first) and 'href="?page=2"' in text(first)
    assert text(second).count('class="entry"') == 2
    assert "Entry number 00" in text(second)
    assert 'id="home-blogs-title"' in text(first)
    assert 'id="home-blogs-title"' not in text(second)


def test_a_page_number_out_of_range_or_not_a_number_shows_a_real_page():
    publish(make_blog(register("alice"), "only-blog", "Only blog"), "Only entry")

    for query in ("?page=99", "?page=abc", "?page=-1"):
        response = Client().get("/" + query)
        assert response.status_code == 200
        assert "Only entry" in text(response)


def test_blog_page_shows_excerpts_with_read_more_newest_first_five_per_page():
    blog = make_blog(register("alice"))
    for number in range(7):
        publish(blog, f"Entry {number}", f"Body of **entry {number}**")

    first = Client().get("/blogs/alice-notes")
    second = Client().get("/blogs/alice-notes?page=2")

    assert first.status_code == 200
    page = text(first)
    assert "Alice&#39;s notes" in page
    assert page.count('class="entry"') == 5
    assert page.index("Entry 6") < page.index("Entry 2")
    assert '<p class="entry__excerpt">Body of entry 6</p>' in page
    assert "<strong>entry 6</strong>" not in page  # no whole bodies on a list
    newest = Entry.objects.get(title="Entry 6")
    assert f'<a href="/blogs/alice-notes/entries/{newest.pk}">Read more' in page
    assert page.count("Read more") == 5
    assert "Entry 1" not in page
    assert text(second).count('class="entry"') == 2


def test_a_long_excerpt_is_cut_at_a_word_boundary_with_no_broken_markup():
    blog = make_blog(register("alice"))
    words = " ".join(f"**word{n}** <i>x</i> [link](https://example.com/{n})" for n in range(80))
    entry = publish(blog, "Long", words)

    page = text(Client().get("/blogs/alice-notes"))

    excerpt = page.split('<p class="entry__excerpt">', 1)[1].split("</p>", 1)[0]
    assert excerpt == entry.excerpt
    assert excerpt.endswith("…") and len(excerpt) <= 280
    # The text as read, cut where a word ends.
    whole = renderer_api.plain_text(entry.body_html).text
    kept = excerpt.removesuffix("…")
    assert whole.startswith(kept) and whole[len(kept)] == " "
    assert "<" not in excerpt and "*" not in excerpt and "word0 x link" in excerpt


def test_entry_page_shows_the_rendered_html_of_the_body():
    blog = make_blog(register("alice"))
    entry = publish(blog, "Tables", "| a | b |\n|---|---|\n| 1 | 2 |\n\nSee id:alice")

    response = Client().get(f"/blogs/alice-notes/entries/{entry.pk}")

    assert response.status_code == 200
    page = text(response)
    assert '<h1 class="entry__title">Tables</h1>' in page
    assert "<table>" in page
    assert "/authors/alice" in page


def test_a_hostile_body_never_reaches_the_page_as_markup():
    blog = make_blog(register("alice"))
    entry = publish(blog, "<script>alert(1)</script>", "<script>alert(2)</script>\n\nhi")

    page = text(Client().get(f"/blogs/alice-notes/entries/{entry.pk}"))

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_entry_whose_html_is_pending_shows_its_body_escaped():
    blog = make_blog(register("alice"))
    entry = publish(blog, "Pending", "**bold** <b>not markup</b>")
    Entry.objects.filter(pk=entry.pk).update(rendered=False, body_html="")

    page = text(Client().get(f"/blogs/alice-notes/entries/{entry.pk}"))
    assert "Rendering pending" in page
    assert '<pre class="raw-body">**bold** &lt;b&gt;not markup&lt;/b&gt;</pre>' in page
    assert "<strong>bold</strong>" not in page


def test_an_unpublished_entry_is_gone_from_the_public_pages():
    blog = make_blog(register("alice"))
    kept, hidden = publish(blog, "Kept entry"), publish(blog, "Hidden entry")
    Entry.objects.filter(pk=hidden.pk).update(published_at=None)

    assert "Hidden entry" not in text(Client().get("/blogs/alice-notes"))
    assert "Kept entry" in text(Client().get("/blogs/alice-notes"))
    response = Client().get(f"/blogs/alice-notes/entries/{hidden.pk}")
    assert response.status_code == 404
    assert kept.pk != hidden.pk


def test_author_page_lists_the_authors_blogs_only():
    alice, bob = register("alice"), register("bob")
    make_blog(alice, "alice-notes", "Alice's notes")
    make_blog(bob, "bob-cooks", "Bob cooks")

    response = Client().get("/authors/alice")

    assert response.status_code == 200
    assert "Alice&#39;s notes" in text(response)
    assert "Bob cooks" not in text(response)


def test_author_names_ignore_case_in_the_address():
    make_blog(register("Alice"), "alice-notes", "Alice's notes")

    response = Client().get("/authors/aLiCe")

    assert response.status_code == 200
    assert "Alice&#39;s notes" in text(response)


def test_author_without_blogs_says_so():
    register("carol")

    response = Client().get("/authors/carol")

    assert response.status_code == 200
    assert "no blogs yet" in text(response)


@pytest.mark.parametrize(
    "url",
    [
        "/no/such/page",
        "/blogs/no-such-blog",
        "/blogs/Not_A_Path",
        "/blogs/alice-notes/entries/999999",
        "/blogs/alice-notes/entries/not-a-number",
        "/blogs/alice-notes/entries/99999999999999999999999",
        "/authors/nobody",
        "/authors/" + "x" * 300,
        "/blogs/alice-notes/entries/1%00",
    ],
)
def test_unknown_pages_answer_a_friendly_404(url):
    make_blog(register("alice"))

    response = Client().get(url)

    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert 'href="/"' in text(response)


def test_an_entry_of_another_blog_is_not_found_under_this_one():
    alice = register("alice")
    make_blog(alice, "alice-notes")
    other = publish(make_blog(alice, "alice-other", "Other"), "Elsewhere")

    response = Client().get(f"/blogs/alice-notes/entries/{other.pk}")

    assert response.status_code == 404


def test_the_header_shows_who_is_signed_in():
    client = client_of("alice")

    page = text(client.get("/"))

    assert "Signed in as" in page and "<strong>alice</strong>" in page
    assert 'href="/my/blogs"' in page
    assert 'action="/signout"' in page
    assert 'href="/signin' not in page


def test_the_header_offers_sign_in_and_sign_up_to_visitors():
    page = text(Client().get("/"))

    assert 'href="/signin"' in page and 'href="/signup"' in page
    assert "Signed in as" not in page


def test_owners_see_a_manage_link_on_their_public_blog_and_others_do_not():
    make_blog(register("alice"))
    bob = client_of("bob")
    alice = Client()
    sign_in(alice, "alice")

    assert 'href="/my/blogs/alice-notes"' in text(alice.get("/blogs/alice-notes"))
    assert 'href="/my/blogs/alice-notes"' not in text(bob.get("/blogs/alice-notes"))
    assert 'href="/my/blogs/alice-notes"' not in text(Client().get("/blogs/alice-notes"))


def test_a_friendly_500_page_is_served_when_something_breaks(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.selectors, "entry_window_published", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/")

    assert response.status_code == 500
    assert "Something went wrong" in text(response)
    assert "boom" not in text(response)


def test_the_stylesheet_is_served_from_the_project_not_a_cdn():
    page = text(Client().get("/"))

    assert "/static/blog/site.css" in page
    assert "https://" not in page.split("</head>")[0]
