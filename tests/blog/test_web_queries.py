"""List pages send the same number of SQL queries whatever the number of rows."""

import pytest
from django.test import Client

from contexts.blog import services
from contexts.blog.models import Author, Entry
from tests.blog.conftest_web import (
    ALL_DATABASES,
    client_of,
    count_queries,
    make_blog,
    publish,
    register,
)

pytestmark = pytest.mark.django_db(databases=ALL_DATABASES)


def _queries_of_page(client: Client, url: str) -> int:
    responses = []
    queries = count_queries(lambda: responses.append(client.get(url)))
    assert responses[0].status_code == 200
    return queries


def _add_blogs(owner: Author, count: int) -> None:
    for number in range(count):
        make_blog(owner, f"extra-blog-{number:02d}", f"Extra blog {number}")


def _add_entries(blog, count: int) -> None:
    for number in range(count):
        publish(blog, f"Extra entry {number}", f"Body *{number}*")


def _add_drafts(blog, count: int) -> None:
    for number in range(count):
        services.entry_create(
            blog=blog, actor=blog.owner, title=f"Draft {number}", body="", status="draft"
        )


def test_home_page_queries_do_not_grow_with_blogs_or_entries():
    alice, bob = register("alice"), register("bob")
    publish(make_blog(alice))
    client = Client()
    with_one = _queries_of_page(client, "/")

    for number in range(49):
        publish(make_blog(bob, f"extra-blog-{number:02d}", f"Extra blog {number}"))
    with_fifty = _queries_of_page(client, "/")

    assert with_one == with_fifty


def test_blogs_page_queries_do_not_grow_with_blogs():
    alice = register("alice")
    publish(make_blog(alice))
    client = Client()
    with_one = _queries_of_page(client, "/blogs")

    for number in range(49):
        publish(make_blog(alice, f"extra-blog-{number:02d}", f"Extra blog {number}"))
    with_fifty = _queries_of_page(client, "/blogs")

    assert with_one == with_fifty


def test_entry_page_queries_do_not_grow_with_the_blogs_entries():
    blog = make_blog(register("alice"))
    first = publish(blog)
    client = Client()
    with_one = _queries_of_page(client, f"/blogs/alice-notes/entries/{first.pk}")

    _add_entries(blog, 49)
    with_fifty = _queries_of_page(client, f"/blogs/alice-notes/entries/{first.pk}")

    assert with_one == with_fifty


@pytest.mark.parametrize("url", ["/feed", "/blogs/alice-notes/feed", "/authors/alice/feed"])
def test_feed_queries_do_not_grow_with_entries(url):
    blog = make_blog(register("alice"))
    publish(blog)
    client = Client()
    with_one = _queries_of_page(client, url)

    _add_entries(blog, 49)
    with_fifty = _queries_of_page(client, url)

    assert with_one == with_fifty


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-entries.xml", "/sitemap-blogs.xml"])
def test_sitemap_queries_do_not_grow_with_entries_or_blogs(url):
    alice = register("alice")
    publish(make_blog(alice))
    client = Client()
    with_one = _queries_of_page(client, url)

    for number in range(49):
        publish(make_blog(alice, f"extra-blog-{number:02d}", f"Extra blog {number}"))
    with_fifty = _queries_of_page(client, url)

    assert with_one == with_fifty


def test_public_blog_page_queries_do_not_grow_with_entries():
    blog = make_blog(register("alice"))
    publish(blog)
    client = Client()
    with_one = _queries_of_page(client, "/blogs/alice-notes")

    _add_entries(blog, 49)
    with_fifty = _queries_of_page(client, "/blogs/alice-notes")

    assert with_one == with_fifty


def test_my_blogs_page_queries_do_not_grow_with_blogs():
    client = client_of("alice")
    alice = Author.objects.get(name="alice")
    make_blog(alice)
    with_one = _queries_of_page(client, "/my/blogs")

    _add_blogs(alice, 49)
    with_fifty = _queries_of_page(client, "/my/blogs")

    assert with_one == with_fifty


def test_manage_blog_page_queries_do_not_grow_with_entries():
    client = client_of("alice")
    blog = make_blog(Author.objects.get(name="alice"))
    publish(blog)
    with_one = _queries_of_page(client, "/my/blogs/alice-notes")

    _add_entries(blog, 49)
    with_fifty = _queries_of_page(client, "/my/blogs/alice-notes")

    assert with_one == with_fifty
    assert Entry.objects.filter(blog=blog).count() == 50


def test_manage_blog_page_queries_do_not_grow_with_drafts():
    client = client_of("alice")
    blog = make_blog(Author.objects.get(name="alice"))
    _add_drafts(blog, 1)
    with_one = _queries_of_page(client, "/my/blogs/alice-notes")

    _add_drafts(blog, 24)
    _add_entries(blog, 25)
    with_fifty = _queries_of_page(client, "/my/blogs/alice-notes")

    assert with_one == with_fifty
    assert Entry.objects.filter(blog=blog, published_at__isnull=True).count() == 25


def test_author_page_queries_do_not_grow_with_blogs():
    alice = register("alice")
    make_blog(alice)
    client = Client()
    with_one = _queries_of_page(client, "/authors/alice")

    _add_blogs(alice, 49)
    with_fifty = _queries_of_page(client, "/authors/alice")

    assert with_one == with_fifty


def test_list_pages_stay_within_a_small_fixed_number_of_queries():
    alice = register("alice")
    blog = make_blog(alice)
    _add_entries(blog, 12)
    _add_blogs(alice, 12)
    client = Client()

    # Paginating costs a count and a page; a blog or author lookup one more; the home
    # page's blogs one more; the page cache's version one more.
    assert _queries_of_page(client, "/") <= 4
    assert _queries_of_page(client, "/blogs/alice-notes") <= 4
    assert _queries_of_page(client, "/authors/alice") <= 4
