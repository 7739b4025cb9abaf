"""Helpers of the search tests: the blog's events as the search context receives them."""

import itertools
from datetime import UTC, datetime, timedelta

from contexts.blog import api as blog_api
from tests.blog.conftest import (  # noqa: F401  (fixtures of blogs and entries)
    account,
    author,
    author_for,
    blog,
    make_account,
    make_blog,
    make_entry,
)

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
_ids = itertools.count(1)


def at(minutes: int) -> datetime:
    """Return T0 plus some minutes: the times events carry."""
    return T0 + timedelta(minutes=minutes)


def entry_event(
    event_type: type = blog_api.EntryPublished,
    *,
    entry_id: str | None = None,
    revision: int = 0,
    blog_id: str = "10",
    blog_path: str = "notes",
    blog_title: str = "Notes",
    blog_updated_at: datetime = T0,
    account_id: str = "acc-1",
    author_name: str = "alice",
    title: str = "An entry",
    text: str = "Some text.",
    published_at: datetime = T0,
):
    """Return an EntryPublished (or EntryChanged) event as the blog would publish it."""
    entry_id = entry_id or str(next(_ids))
    return event_type(
        entry_id=entry_id,
        revision=revision,
        blog_id=blog_id,
        blog_path=blog_path,
        blog_title=blog_title,
        blog_updated_at=blog_updated_at,
        blog_url_path=f"/blogs/{blog_path}",
        account_id=account_id,
        author_name=author_name,
        title=title,
        text=text,
        url_path=f"/blogs/{blog_path}/entries/{entry_id}",
        published_at=published_at,
    )
