"""Blog use cases on the database: authors, blogs, entries, ownership, account deletion."""

import dataclasses
from datetime import timedelta

import pytest
from django.utils import timezone

from contexts.blog import api as blog_api
from contexts.blog import domain, services
from contexts.blog.models import Author, Blog, Entry, IdempotencyRecord
from tests.blog.conftest import fake_html

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("fake_renderer"),
]


# --- authors -------------------------------------------------------------------------


def test_author_ensure_creates_the_author_once_and_follows_its_name():
    first = services.author_ensure(account_id="acc-1", name="alice")
    again = services.author_ensure(account_id="acc-1", name="alice")
    renamed = services.author_ensure(account_id="acc-1", name="Alice")

    assert again.pk == first.pk == renamed.pk
    assert Author.objects.get(account_id="acc-1").name == "Alice"
    assert Author.objects.count() == 1


@pytest.mark.parametrize(
    ("account_id", "name", "field"),
    [("", "alice", "account_id"), ("acc", "", "name"), ("acc", "x" * 17, "name")],
)
def test_author_ensure_refuses_what_cannot_be_an_account(account_id, name, field):
    with pytest.raises(domain.InvalidBlogInput) as caught:
        services.author_ensure(account_id=account_id, name=name)

    assert field in caught.value.fields


# --- blogs ---------------------------------------------------------------------------


def test_blog_create_stores_the_blog_for_its_owner(author):
    blog = services.blog_create(owner=author, path="my-notes", title="Notes", description="d")

    stored = Blog.objects.get(path="my-notes")
    assert stored.pk == blog.pk
    assert (stored.title, stored.description, stored.owner_id) == ("Notes", "d", author.pk)
    assert stored.created_at == stored.updated_at


def test_blog_create_refuses_a_taken_path(author, make_account, author_for):
    services.blog_create(owner=author, path="taken", title="One")
    other = author_for(make_account()[0])

    with pytest.raises(domain.BlogPathTaken) as caught:
        services.blog_create(owner=other, path="taken", title="Two")

    assert caught.value.status == 409 and caught.value.code == "path_taken"
    assert Blog.objects.filter(path="taken").count() == 1


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"path": "ab"}, "path"),
        ({"path": "-abc"}, "path"),
        ({"path": "Upper"}, "path"),
        ({"path": "a" * 65}, "path"),
        ({"path": "abc\n"}, "path"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "t" * 255}, "title"),
        ({"title": "nul\x00"}, "title"),
        ({"description": "d" * 513}, "description"),
    ],
)
def test_blog_create_names_each_invalid_field(author, fields, bad):
    values = {"path": "good-path", "title": "Title", "description": "", **fields}

    with pytest.raises(domain.InvalidBlogInput) as caught:
        services.blog_create(owner=author, **values)

    assert list(caught.value.fields) == [bad]
    assert not Blog.objects.exists()


def test_blog_limits_are_inclusive(author):
    blog = services.blog_create(owner=author, path="a" * 64, title="t" * 254, description="d" * 512)

    assert Blog.objects.get(pk=blog.pk).path == "a" * 64
    assert services.blog_create(owner=author, path="abc", title="t").path == "abc"


def test_blog_update_changes_title_and_description_for_the_owner(blog, author):
    before = blog.updated_at

    services.blog_update(blog=blog, actor=author, title="New title", description="")

    stored = Blog.objects.get(pk=blog.pk)
    assert (stored.title, stored.description) == ("New title", "")
    assert stored.updated_at > before
    assert stored.path == "first-blog"


def test_blog_update_by_someone_else_is_refused(blog, make_account, author_for):
    stranger = author_for(make_account()[0])

    with pytest.raises(domain.NotOwner):
        services.blog_update(blog=blog, actor=stranger, title="Mine now")

    assert Blog.objects.get(pk=blog.pk).title == "First blog"


def test_blog_delete_removes_its_entries(blog, author, make_entry, make_blog):
    make_entry(blog)
    make_entry(blog)
    other = make_blog(author, path="kept")
    kept = make_entry(other)

    services.blog_delete(blog=blog, actor=author)

    assert not Blog.objects.filter(pk=blog.pk).exists()
    assert list(Entry.objects.values_list("pk", flat=True)) == [kept.pk]


def test_blog_delete_by_someone_else_is_refused(blog, make_account, author_for):
    with pytest.raises(domain.NotOwner):
        services.blog_delete(blog=blog, actor=author_for(make_account()[0]))

    assert Blog.objects.filter(pk=blog.pk).exists()


# --- entries -------------------------------------------------------------------------


def test_entry_publish_stores_the_rendered_html(blog, author, fake_renderer):
    entry = services.entry_publish(blog=blog, actor=author, title="Hi", body="**bold**")

    stored = Entry.objects.get(pk=entry.pk)
    assert stored.body == "**bold**"
    assert stored.body_html == fake_html("**bold**")
    assert stored.rendered is True
    assert stored.edited_at is None
    assert (stored.status, stored.published_at) == ("published", stored.created_at)
    assert fake_renderer.calls == ["**bold**"]


def test_entry_publish_by_someone_else_is_refused(blog, make_account, author_for):
    with pytest.raises(domain.NotOwner):
        services.entry_publish(blog=blog, actor=author_for(make_account()[0]), title="x", body="y")

    assert not Entry.objects.exists()


def test_entry_publish_refuses_a_body_over_the_limit(blog, author):
    with pytest.raises(domain.BodyTooLarge) as caught:
        services.entry_publish(blog=blog, actor=author, title="Big", body="x" * 100_001)

    assert caught.value.status == 413
    assert not Entry.objects.exists()


def test_entry_publish_accepts_a_body_at_the_limit(blog, author):
    entry = services.entry_publish(blog=blog, actor=author, title="Big", body="x" * 100_000)

    assert len(Entry.objects.get(pk=entry.pk).body) == 100_000


@pytest.mark.parametrize(
    ("title", "body", "bad"),
    [("", "b", "title"), ("t" * 501, "b", "title"), ("t", "nul\x00", "body")],
)
def test_entry_publish_names_invalid_fields(blog, author, title, body, bad):
    with pytest.raises(domain.InvalidBlogInput) as caught:
        services.entry_publish(blog=blog, actor=author, title=title, body=body)

    assert list(caught.value.fields) == [bad]


def test_entry_edit_renders_again_and_records_the_edit(entry, author, fake_renderer):
    services.entry_edit(entry=entry, actor=author, body="new *body*")

    stored = Entry.objects.get(pk=entry.pk)
    assert stored.title == "Hello"
    assert stored.body_html == fake_html("new *body*")
    assert stored.edited_at is not None and stored.edited_at >= stored.published_at


def test_entry_edit_of_the_title_alone_keeps_the_body(entry, author):
    services.entry_edit(entry=entry, actor=author, title="Renamed")

    stored = Entry.objects.get(pk=entry.pk)
    assert (stored.title, stored.body) == ("Renamed", "Hello *world*")
    assert stored.rendered is True


def test_entry_edit_by_someone_else_is_refused(entry, make_account, author_for):
    with pytest.raises(domain.NotOwner):
        services.entry_edit(entry=entry, actor=author_for(make_account()[0]), title="Mine")

    assert Entry.objects.get(pk=entry.pk).title == "Hello"


def test_entry_unpublish_returns_the_entry_to_draft_and_it_can_be_published_again(entry, author):
    first_published_at = entry.published_at
    services.entry_unpublish(entry=entry, actor=author)
    services.entry_unpublish(entry=entry, actor=author)  # twice is harmless

    stored = Entry.objects.get(pk=entry.pk)
    assert (stored.status, stored.published_at) == ("draft", None)
    services.entry_edit(entry=stored, actor=author, title="Back")
    services.entry_edit(entry=stored, actor=author, status="published")

    again = Entry.objects.get(pk=entry.pk)
    assert (again.title, again.status) == ("Back", "published")
    assert again.published_at > first_published_at


def test_entry_unpublish_by_someone_else_is_refused(entry, make_account, author_for):
    with pytest.raises(domain.NotOwner):
        services.entry_unpublish(entry=entry, actor=author_for(make_account()[0]))

    assert Entry.objects.get(pk=entry.pk).status == "published"


# --- what other contexts use ---------------------------------------------------------


def test_account_content_delete_removes_only_that_accounts_things(
    account, blog, make_entry, make_account, author_for, make_blog
):
    make_entry(blog)
    other_author = author_for(make_account()[0])
    other_blog = make_blog(other_author, path="survives")
    make_entry(other_blog)
    IdempotencyRecord.objects.create(
        account_id=account[0].id, key="k", fingerprint="f", response_status=201, response_body={}
    )

    blog_api.account_content_delete(account_id=account[0].id)

    assert list(Blog.objects.values_list("path", flat=True)) == ["survives"]
    assert Entry.objects.filter(blog=other_blog).count() == Entry.objects.count() == 1
    assert not Author.objects.filter(account_id=account[0].id).exists()
    assert not IdempotencyRecord.objects.exists()


def test_blogs_of_account_returns_frozen_summaries_newest_first(account, author, make_blog):
    make_blog(author, path="older", title="Older")
    make_blog(author, path="newer", title="Newer")

    blogs = blog_api.blogs_of_account(account_id=account[0].id)

    assert [summary.path for summary in blogs] == ["newer", "older"]
    assert blogs[0].owner_name == account[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        blogs[0].title = "changed"  # type: ignore[misc]
    assert blog_api.blogs_of_account(account_id="nobody") == []


def test_api_author_ensure_returns_a_dto(account):
    info = blog_api.author_ensure(account_id=account[0].id, name=account[0].name)

    assert info == blog_api.AuthorInfo(
        account_id=account[0].id, name=account[0].name, created_at=info.created_at
    )


def test_idempotency_records_purge_deletes_only_expired_records():
    old = timezone.now() - timedelta(hours=25)
    IdempotencyRecord.objects.create(
        account_id="a",
        key="old",
        fingerprint="f",
        response_status=201,
        response_body={},
        created_at=old,
    )
    IdempotencyRecord.objects.create(
        account_id="a", key="new", fingerprint="f", response_status=201, response_body={}
    )

    assert services.idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
