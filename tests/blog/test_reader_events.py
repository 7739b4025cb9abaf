"""The blog tells readers' projections (search) about published entries, in its events.

Each use case publishes inside its own transaction: a change that rolls back tells
nothing. Drafts are nobody's business but their owner's: their saves tell nothing.
"""

from dataclasses import fields
from datetime import datetime

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import transaction

from contexts.blog import api as blog_api
from contexts.blog import services
from contexts.blog.admin import BlogAdmin, EntryAdmin
from contexts.blog.models import Blog, Entry
from contexts.kernel.events import Event
from tests.events import outbox

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("held"),
]

READER_EVENTS = (
    blog_api.EntryPublished,
    blog_api.EntryChanged,
    blog_api.EntryUnpublished,
    blog_api.EntryDeleted,
    blog_api.BlogChanged,
    blog_api.BlogDeleted,
    blog_api.AccountContentDeleted,
)


def told() -> list[Event]:
    """Return the reader events in the blog's outbox, oldest first."""
    names = [event_type.type_name for event_type in READER_EVENTS]
    rows = outbox("blog").filter(type_name__in=names).order_by("id")
    return [Event.from_payload(row.payload) for row in rows]


def test_publishing_an_entry_tells_everything_search_shows(blog, author):
    entry = services.entry_publish(
        blog=blog, actor=author, title="Hello", body="Some *words* & more"
    )

    (event,) = told()
    assert isinstance(event, blog_api.EntryPublished)
    assert event.entry_id == entry.public_id
    assert event.revision == entry.revision == 0
    assert (event.blog_id, event.blog_path, event.blog_title) == (
        str(blog.pk),
        "first-blog",
        "First blog",
    )
    assert event.blog_updated_at == blog.updated_at
    assert event.blog_url_path == "/blogs/first-blog"
    assert (event.account_id, event.author_name) == (author.account_id, author.name)
    assert event.title == "Hello"
    assert event.text == "Some words & more"  # the rendered text, not the Markdown
    assert event.url_path == f"/blogs/first-blog/entries/{entry.pk}"
    assert event.published_at == entry.published_at
    assert isinstance(event.published_at, datetime)


def test_drafts_tell_nothing_until_published(blog, author):
    draft = services.entry_create(blog=blog, actor=author, title="Later", body="", status="draft")
    services.entry_edit(entry=draft, actor=author, title="Still later", body="Written")

    assert told() == []

    services.entry_edit(entry=draft, actor=author, status="published")

    (event,) = told()
    assert isinstance(event, blog_api.EntryPublished)
    assert (event.title, event.text, event.revision) == ("Still later", "Written", 2)


def test_edits_unpublishing_and_publishing_again_each_tell_with_a_higher_revision(
    blog, author, make_entry
):
    entry = make_entry(blog, title="One", body="First text")

    services.entry_edit(entry=entry, actor=author, title="Two")
    services.entry_edit(entry=entry, actor=author, body="Second text")
    services.entry_unpublish(entry=entry, actor=author)
    services.entry_edit(entry=entry, actor=author, status="published")
    services.entry_edit(entry=entry, actor=author, title="Two")  # no change: nothing to tell

    events = told()
    assert [type(event) for event in events] == [
        blog_api.EntryPublished,
        blog_api.EntryChanged,
        blog_api.EntryChanged,
        blog_api.EntryUnpublished,
        blog_api.EntryPublished,
    ]
    assert [event.revision for event in events] == [0, 1, 2, 3, 4]
    assert (events[1].title, events[1].text) == ("Two", "First text")
    assert (events[2].title, events[2].text) == ("Two", "Second text")
    assert events[3].entry_id == entry.public_id and events[3].blog_id == str(blog.pk)
    assert Entry.objects.get(pk=entry.pk).revision == 4


def test_a_late_render_tells_the_formatted_text(blog, author, fake_renderer):
    fake_renderer.failing = True
    entry = services.entry_publish(blog=blog, actor=author, title="T", body="**bold**")
    assert told()[0].text == "**bold**"  # the escaped source stands in meanwhile
    assert Entry.objects.get(pk=entry.pk).excerpt == "**bold**"
    fake_renderer.failing = False

    prepared = services.entry_render_prepare(entry_id=entry.public_id)
    services.entry_render_store(rendered=prepared)

    changed = told()[-1]
    assert isinstance(changed, blog_api.EntryChanged)
    assert changed.text == "**bold**"  # the fake renderer's HTML holds the source as text
    assert changed.revision == 1
    stored = Entry.objects.get(pk=entry.pk)
    assert stored.rendered and stored.revision == 1


def test_changing_a_blog_tells_its_new_title_and_time(blog, author):
    services.blog_update(blog=blog, actor=author, title="New title")

    (event,) = told()
    assert isinstance(event, blog_api.BlogChanged)
    assert (event.blog_id, event.path, event.title) == (str(blog.pk), blog.path, "New title")
    assert event.updated_at == Blog.objects.get(pk=blog.pk).updated_at
    assert event.account_id == author.account_id


def test_deleting_a_blog_or_an_account_tells_it(blog, author, make_entry):
    make_entry(blog)

    services.blog_delete(blog=blog, actor=author)
    services.account_content_delete(account_id=author.account_id)

    deleted, forgotten = told()[-2:]
    assert isinstance(deleted, blog_api.BlogDeleted)
    assert (deleted.blog_id, deleted.path) == (str(blog.pk), "first-blog")
    assert isinstance(forgotten, blog_api.AccountContentDeleted)
    assert forgotten.account_id == author.account_id


def test_a_change_that_rolls_back_tells_nothing(blog, author):
    with pytest.raises(RuntimeError), transaction.atomic(using="blog"):
        services.entry_publish(blog=blog, actor=author, title="Gone", body="text")
        raise RuntimeError("the use case's caller fails")

    assert told() == []
    assert not Entry.objects.filter(title="Gone").exists()


def test_removals_in_the_admin_go_through_the_services_and_tell_them(
    rf, admin_user, blog, make_entry, author, make_blog
):
    entry = make_entry(blog)
    other = make_blog(author, path="other-blog")
    request = rf.post("/admin/")
    request.user = admin_user

    EntryAdmin(Entry, admin_site).delete_queryset(request, Entry.objects.filter(pk=entry.pk))
    BlogAdmin(Blog, admin_site).delete_model(request, other)

    entry_deleted, blog_deleted = told()[-2:]
    assert isinstance(entry_deleted, blog_api.EntryDeleted)
    assert (entry_deleted.entry_id, entry_deleted.revision) == (entry.public_id, 1)
    assert isinstance(blog_deleted, blog_api.BlogDeleted)
    assert blog_deleted.blog_id == str(other.pk)
    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert not Blog.objects.filter(pk=other.pk).exists()


def test_the_admin_deletes_no_author_alone(admin_client, author):
    assert admin_client.get(f"/admin/blog/author/{author.pk}/delete/").status_code == 403


# --- the export ----------------------------------------------------------------------


def test_the_export_pages_every_published_entry_by_id_with_a_cursor(blog, author, make_entry):
    entries = [make_entry(blog, title=f"E{n}", body=f"Text *{n}*") for n in range(5)]
    services.entry_create(blog=blog, actor=author, title="Draft", body="", status="draft")
    services.entry_unpublish(entry=entries[2], actor=author)

    first = blog_api.entries_export(limit=2)
    second = blog_api.entries_export(after=first.next_after, limit=2)

    assert [e.title for e in first.entries] == ["E0", "E1"]
    assert [e.title for e in second.entries] == ["E3", "E4"]
    assert second.next_after is None
    exported = first.entries[0]
    assert exported.text == "Text 0"
    assert exported.url_path == f"/blogs/first-blog/entries/{entries[0].pk}"
    assert exported.author_name == author.name
    # The same fields as the event, so that a projection takes either.
    published = {f.name for f in fields(blog_api.EntryPublished)} - {"event_id", "occurred_at"}
    assert {f.name for f in fields(blog_api.PublishedEntry)} == published


@pytest.mark.parametrize(
    ("after", "limit", "field"), [("x1", 10, "after"), (None, 0, "limit"), (None, 1001, "limit")]
)
def test_the_export_refuses_a_bad_cursor_or_size(after, limit, field):
    with pytest.raises(blog_api.InvalidBlogInput) as caught:
        blog_api.entries_export(after=after, limit=limit)

    assert field in caught.value.fields
