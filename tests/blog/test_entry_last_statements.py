"""A new entry's last statements: the blog's count, the pages' version and the outbox rows.

On PostgreSQL they go as one statement (services._count_published_and_pages_changed with
the rows held: HeldRows.fetch_with); elsewhere one by one. Either way: a blog deleted
meanwhile is BlogNotFound and nothing is written, a missing version row is made again,
and the events are written in the order they were published.
CI runs this file on SQLite (run 1) and on PostgreSQL (run 2).
"""

import threading
import time

import pytest
from django.db import connections, transaction

from contexts.blog import domain, services
from contexts.blog.domain import EntryPublished, EntryRenderPending
from contexts.blog.models import Blog, Entry, PageVersion
from tests.events import outbox

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("held"),
]


def _version() -> str:
    # The row is made by a migration; a test that flushed the tables (transaction=True)
    # may have taken it away.
    return PageVersion.objects.get_or_create(pk=1, defaults={"version": "v0"})[0].version


def _published(blog: Blog) -> int:
    return Blog.objects.get(pk=blog.pk).published_entries


def test_a_blog_deleted_meanwhile_is_not_found_and_nothing_is_written(blog, author, fake_renderer):
    version = _version()
    before = outbox("blog").count()
    Blog.objects.filter(pk=blog.pk).delete()  # after the request found it

    with pytest.raises(domain.BlogNotFound):
        services.entry_create(blog=blog, actor=author, title="t", body="b")

    assert not Entry.objects.exists()
    assert outbox("blog").count() == before
    assert PageVersion.objects.get(pk=1).version == version


def test_the_count_and_the_version_change_with_the_new_entry(blog, author, fake_renderer):
    version = _version()
    count = _published(blog)

    entry = services.entry_create(blog=blog, actor=author, title="t", body="b")

    assert _published(blog) == count + 1
    assert PageVersion.objects.get(pk=1).version != version
    row = outbox("blog").filter(type_name=EntryPublished.type_name).get()
    assert row.payload["entry_id"] == str(entry.pk) and row.payload["title"] == "t"


def test_a_missing_version_row_is_made_again(blog, author, fake_renderer):
    _version()
    PageVersion.objects.all().delete()
    count = _published(blog)

    services.entry_create(blog=blog, actor=author, title="t", body="b")

    assert _published(blog) == count + 1
    assert PageVersion.objects.filter(pk=1).exists()


def test_the_events_of_a_failed_render_are_written_in_the_order_they_were_published(
    blog, author, fake_renderer
):
    _version()
    fake_renderer.failing = True

    entry = services.entry_create(blog=blog, actor=author, title="t", body="b")

    rows = list(outbox("blog").filter(payload__entry_id=str(entry.pk)).order_by("id"))
    assert [row.type_name for row in rows] == [
        EntryRenderPending.type_name,
        EntryPublished.type_name,
    ]
    assert rows[0].recorded_at <= rows[1].recorded_at


def test_a_draft_holds_the_blog_and_leaves_the_count_and_version_alone(blog, author, fake_renderer):
    version = _version()
    count = _published(blog)

    services.entry_create(blog=blog, actor=author, title="t", body="b", status="draft")

    assert _published(blog) == count
    assert PageVersion.objects.get(pk=1).version == version


@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(databases="__all__", transaction=True)
def test_on_postgresql_the_blogs_row_is_taken_before_the_pages_version(blog, author, fake_renderer):
    _version()
    # Every write takes a blog's row before the pages' version: a new entry that took
    # them the other way round could deadlock with an edit. While another transaction
    # holds the blog, the new entry waits for it without holding the version.
    holding, checked = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def hold_the_blog() -> None:
        try:
            with transaction.atomic(using="blog"):
                Blog.objects.select_for_update().get(pk=blog.pk)
                holding.set()
                checked.wait(timeout=30)
        finally:
            connections.close_all()

    def write() -> None:
        try:
            outcome["entry"] = services.entry_create(blog=blog, actor=author, title="t", body="b")
        except Exception as exc:  # noqa: BLE001  (the test reports it)
            outcome["error"] = exc
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_blog)
    holder.start()
    assert holding.wait(timeout=30)
    writer = threading.Thread(target=write)
    writer.start()
    try:
        _wait_for_a_lock_wait()
        with transaction.atomic(using="blog"):
            # Taken at once: the waiting entry does not hold it.
            PageVersion.objects.select_for_update(nowait=True).get(pk=1)
    finally:
        checked.set()
        holder.join(timeout=30)
        writer.join(timeout=30)

    assert "error" not in outcome, outcome
    assert _published(blog) == 1


def _wait_for_a_lock_wait() -> None:
    """Return once some backend of this database waits for a row lock."""
    with connections["blog"].cursor() as cursor:
        for _ in range(300):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the new entry never waited for the blog's row")
