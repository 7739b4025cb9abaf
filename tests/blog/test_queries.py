"""Every list endpoint sends the same small number of SQL queries for 1 row as for 50."""

from contextlib import ExitStack

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from contexts.blog import services

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("fake_renderer"),
]


def queries_of(client, url: str) -> tuple[int, int, int]:
    """GET `url`; return (results, queries on the blog alias, queries on every alias)."""
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in settings.DATABASES
        }
        response = client.get(url)
    assert response.status_code == 200
    total = sum(len(context.captured_queries) for context in captured.values())
    return len(response.json()["results"]), len(captured["blog"].captured_queries), total


def make_blogs(numbers: range) -> None:
    for number in numbers:
        # A different owner for each blog, so that owners must be joined, not fetched.
        owner = services.author_ensure(account_id=f"account-{number}", name=f"owner{number}")
        services.blog_create(owner=owner, path=f"blog-{number:03}", title=f"Blog {number}")


def make_entries(blog, count: int) -> None:
    for number in range(count):
        services.entry_publish(blog=blog, actor=blog.owner, title=f"Entry {number}", body="b")


def test_listing_blogs_costs_the_same_queries_for_1_and_50_blogs(api_client):
    make_blogs(range(1))
    one = queries_of(api_client, "/api/v1/blogs?page_size=100")
    make_blogs(range(1, 50))
    fifty = queries_of(api_client, "/api/v1/blogs?page_size=100")

    assert one[0] == 1 and fifty[0] == 50
    # The list, and the public pages' version the page cache reads first.
    assert one[1] == fifty[1] == 2
    assert one[2] == fifty[2]


def test_listing_entries_costs_the_same_queries_for_1_and_50_entries(api_client, blog):
    make_entries(blog, 1)
    one = queries_of(api_client, "/api/v1/blogs/first-blog/entries?page_size=100")
    make_entries(blog, 49)
    fifty = queries_of(api_client, "/api/v1/blogs/first-blog/entries?page_size=100")

    assert one[0] == 1 and fifty[0] == 50
    # One query finds the blog, one fetches the page with each entry's blog joined, and
    # one reads the public pages' version for the page cache.
    assert one[1] == fifty[1] == 3
    assert one[2] == fifty[2]


def make_drafts(blog, count: int) -> None:
    for number in range(count):
        services.entry_create(
            blog=blog, actor=blog.owner, title=f"Draft {number}", body="", status="draft"
        )


def test_listing_drafts_costs_the_same_queries_for_1_and_50_entries(owner_client, blog):
    make_drafts(blog, 1)
    one = queries_of(owner_client, "/api/v1/blogs/first-blog/entries?status=all&page_size=100")
    make_drafts(blog, 24)
    make_entries(blog, 25)
    fifty = queries_of(owner_client, "/api/v1/blogs/first-blog/entries?status=all&page_size=100")

    assert one[0] == 1 and fifty[0] == 50
    # The token's refusal check, the blog, the page.
    assert one[1] == fifty[1] == 3
    assert one[2] == fifty[2]
