"""The public pages: home, a blog, an entry, an author, and the friendly error pages."""

import pytest
from django.test import Client

from contexts.blog.models import Entry
from contexts.blog.web import views
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


def test_home_lists_blogs_newest_first_with_their_authors():
    alice, bob = register("alice"), register("bob")
    make_blog(alice, "older-blog", "Older blog")
    make_blog(bob, "newer-blog", "Newer blog")

    response = Client().get("/")

    assert response.status_code == 200
    page = text(response)
    assert page.index("Newer blog") < page.index("Older blog")
    assert 'href="/blogs/newer-blog"' in page
    assert 'href="/authors/bob"' in page


def test_home_without_blogs_invites_to_sign_up():
    response = Client().get("/")

    assert response.status_code == 200
    assert "No blogs yet" in text(response)
    assert 'href="/signup"' in text(response)


def test_home_pages_by_ten():
    alice = register("alice")
    for number in range(12):
        make_blog(alice, f"blog-{number:02d}", f"Blog number {number:02d}")

    first, second = Client().get("/"), Client().get("/?page=2")

    assert text(first).count('class="card"') == 10
    assert "Blog number 11" in text(first) and "Blog number 00" not in text(first)
    assert "Page 1 of 2" in text(first) and 'href="?page=2"' in text(first)
    assert text(second).count('class="card"') == 2
    assert "Blog number 00" in text(second)


def test_a_page_number_out_of_range_or_not_a_number_shows_a_real_page():
    alice = register("alice")
    make_blog(alice, "only-blog", "Only blog")

    for query in ("?page=99", "?page=abc", "?page=-1"):
        response = Client().get("/" + query)
        assert response.status_code == 200
        assert "Only blog" in text(response)


def test_blog_page_shows_rendered_entries_newest_first_five_per_page():
    blog = make_blog(register("alice"))
    for number in range(7):
        publish(blog, f"Entry {number}", f"Body of **entry {number}**")

    first = Client().get("/blogs/alice-notes")
    second = Client().get("/blogs/alice-notes?page=2")

    assert first.status_code == 200
    page = text(first)
    assert "Alice&#x27;s notes" in page
    assert page.count('class="entry"') == 5
    assert page.index("Entry 6") < page.index("Entry 2")
    assert "<strong>entry 6</strong>" in page
    assert "Entry 1" not in page
    assert text(second).count('class="entry"') == 2


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

    for url in (f"/blogs/alice-notes/entries/{entry.pk}", "/blogs/alice-notes"):
        page = text(Client().get(url))
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
    assert "Alice&#x27;s notes" in text(response)
    assert "Bob cooks" not in text(response)


def test_author_names_ignore_case_in_the_address():
    make_blog(register("Alice"), "alice-notes", "Alice's notes")

    response = Client().get("/authors/aLiCe")

    assert response.status_code == 200
    assert "Alice&#x27;s notes" in text(response)


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

    monkeypatch.setattr(views.selectors, "blog_list", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/")

    assert response.status_code == 500
    assert "Something went wrong" in text(response)
    assert "boom" not in text(response)


def test_the_stylesheet_is_served_from_the_project_not_a_cdn():
    page = text(Client().get("/"))

    assert "/static/blog/site.css" in page
    assert "https://" not in page.split("</head>")[0]
