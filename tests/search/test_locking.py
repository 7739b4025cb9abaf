"""Changing the index holds the blog's row locked until the transaction ends: a rename or
a forget of that blog, or another event of it, waits instead of deciding on a stale row."""

import threading

import pytest
from django.db import OperationalError, connections, transaction

from contexts.blog import api as blog_api
from contexts.search import handlers
from contexts.search.models import IndexedBlog
from tests.search.conftest import entry_event

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def _lock_from_another_connection(blog_id: str) -> BaseException | None:
    """Try to lock the blog's row from another connection as a rename's UPDATE would (FOR
    NO KEY UPDATE), waiting 0.2 s at most; return the error, None when it got the lock."""
    outcome: list[BaseException | None] = []

    def lock() -> None:
        try:
            with transaction.atomic(using="search"), connections["search"].cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
                IndexedBlog.objects.select_for_update(no_key=True).get(blog_id=blog_id)
            outcome.append(None)
        except OperationalError as exc:
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=lock)
    thread.start()
    thread.join()
    return outcome[0]


def test_indexing_an_entry_holds_its_blogs_row_until_the_transaction_ends(postgres):
    handlers.on_entry_published(entry_event(blog_id="7", account_id="acc-7"))  # the blog's row

    with transaction.atomic(using="search"):
        handlers.on_entry_published(entry_event(blog_id="7", account_id="acc-7"))
        assert "lock timeout" in str(_lock_from_another_connection("7"))

    assert _lock_from_another_connection("7") is None


def test_hiding_an_entry_holds_its_blogs_row_until_the_transaction_ends(postgres):
    published = entry_event(blog_id="8")
    handlers.on_entry_published(published)

    with transaction.atomic(using="search"):
        handlers.on_entry_unpublished(
            blog_api.EntryUnpublished(entry_id=published.entry_id, revision=1, blog_id="8")
        )
        assert "lock timeout" in str(_lock_from_another_connection("8"))

    assert _lock_from_another_connection("8") is None
