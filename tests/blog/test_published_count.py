"""A blog's stored count of published entries: kept by every change, and what pages count."""

import pytest
from django.test import Client

from contexts.blog import services
from contexts.blog.models import Blog, Entry
from tests.blog.conftest_web import ALL_DATABASES, make_blog, publish, register, text

pytestmark = pytest.mark.django_db(databases=ALL_DATABASES)


def stored_and_real(blog: Blog) -> tuple[int, int]:
    real = Entry.objects.filter(blog=blog, published_at__isnull=False).count()
    return Blog.objects.get(pk=blog.pk).published_entries, real


def test_the_count_follows_publishing_unpublishing_drafts_and_removal():
    author = register("alice")
    blog = make_blog(author)
    first, second = publish(blog, "One"), publish(blog, "Two")
    draft = services.entry_create(blog=blog, actor=author, title="D", body="x", status="draft")
    assert stored_and_real(blog) == (2, 2)

    services.entry_unpublish(entry=first, actor=author)
    assert stored_and_real(blog) == (1, 1)
    services.entry_unpublish(entry=first, actor=author)  # a draft already: no change
    assert stored_and_real(blog) == (1, 1)
    services.entry_edit(entry=draft, actor=author, status="published")
    assert stored_and_real(blog) == (2, 2)
    services.entry_edit(entry=second, actor=author, title="Two again")
    assert stored_and_real(blog) == (2, 2)
    services.entry_remove(entry=second)
    services.entry_remove(entry=first)  # a draft: not counted
    assert stored_and_real(blog) == (1, 1)


def test_deep_pages_show_the_right_entries_and_the_last_page_for_a_page_too_far():
    blog = make_blog(register("alice"))
    for number in range(12):
        publish(blog, f"Entry {number:02}")

    third = text(Client().get("/blogs/alice-notes?page=3"))
    too_far = text(Client().get("/blogs/alice-notes?page=9"))
    home = text(Client().get("/?page=2"))

    assert "Entry 01" in third and "Entry 00" in third and "Entry 02" not in third
    # The last page, as before (its sign-in link returns to the address asked for).
    assert too_far.replace("page%3D9", "page%3D3") == third
    assert "Entry 01" in home and "Entry 00" in home and "Entry 02" not in home


def test_the_lists_of_blogs_with_entries_follow_the_count():
    author = register("alice")
    blog = make_blog(author)
    entry = publish(blog, "The only one")
    assert "alice-notes" in text(Client().get("/blogs"))

    services.entry_unpublish(entry=entry, actor=author)

    assert "alice-notes" not in text(Client().get("/blogs"))
    assert "alice-notes" not in text(Client().get("/"))
