"""Operators in Django's admin: the blog's data, read-only, and its event deliveries."""

import pytest

from contexts.blog import services
from contexts.blog.domain import EntryRenderPending
from contexts.blog.models import AccountTombstone
from contexts.kernel.events.models import InboxState, RelayState
from tests.events import inbox_row, outbox_row

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_admin_lists_blogs_and_entries_read_only(admin_client, entry):
    blogs = admin_client.get("/admin/blog/blog/")
    entries = admin_client.get("/admin/blog/entry/")

    assert blogs.status_code == 200
    assert entry.blog.path in blogs.content.decode()
    assert entries.status_code == 200
    assert entry.title in entries.content.decode()
    assert admin_client.get("/admin/blog/entry/add/").status_code == 403


def test_a_failed_event_shows_its_error_and_the_resubmit_action_applies_it(
    admin_client, blog, author, fake_renderer, eager, settings, django_capture_on_commit_callbacks
):
    settings.EVENTS_MAX_ATTEMPTS = 1
    fake_renderer.failing = True
    with django_capture_on_commit_callbacks(using="blog", execute=True):
        entry = services.entry_publish(blog=blog, actor=author, title="t", body="*b*")
    row = inbox_row("blog", EntryRenderPending)
    assert row.state == InboxState.FAILED
    assert outbox_row("blog", EntryRenderPending).state == RelayState.SENT

    listing = admin_client.get("/admin/blog/inboxrecord/?state__exact=failed")

    assert listing.status_code == 200
    page = listing.content.decode()
    assert "blog.EntryRenderPending.v1" in page
    assert "EntryRenderFailed" in page
    assert admin_client.get(f"/admin/blog/inboxrecord/{row.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/blog/outboxevent/").status_code == 200

    fake_renderer.failing = False
    response = admin_client.post(
        "/admin/blog/inboxrecord/",
        {"action": "resubmit", "_selected_action": [row.pk]},
        follow=True,
    )

    assert "1 row(s) resubmitted." in response.content.decode()
    row.refresh_from_db()
    assert row.state == InboxState.COMPLETED
    entry.refresh_from_db()
    assert entry.rendered is True


def test_tombstones_are_shown_but_cannot_be_deleted_from_the_admin(admin_client, author):
    services.account_content_delete(account_id=author.account_id)
    tombstone = AccountTombstone.objects.get()

    listing = admin_client.get("/admin/blog/accounttombstone/")

    assert listing.status_code == 200
    assert author.account_id in listing.content.decode()
    url = f"/admin/blog/accounttombstone/{tombstone.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert AccountTombstone.objects.filter(pk=tombstone.pk).exists()
