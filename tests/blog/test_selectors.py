"""Blog reads on the database: order, visibility, lookups that raise blog errors."""

import pytest

from contexts.blog import domain, selectors, services

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("fake_renderer"),
]


def test_blog_list_is_newest_first_with_owners(author, make_blog, make_account, author_for):
    make_blog(author, path="first")
    make_blog(author_for(make_account(name="Bobby")[0]), path="second")
    make_blog(author, path="third")

    blogs = list(selectors.blog_list())

    assert [blog.path for blog in blogs] == ["third", "second", "first"]
    assert blogs[1].owner.name == "Bobby"


def test_blog_list_by_owner_has_only_that_authors_blogs(
    author, make_blog, make_account, author_for
):
    make_blog(author, path="mine")
    make_blog(author_for(make_account()[0]), path="theirs")

    assert [blog.path for blog in selectors.blog_list_by_owner(author=author)] == ["mine"]


def test_blog_get_finds_by_path_and_refuses_unknown_or_odd_paths(blog):
    assert selectors.blog_get(path="first-blog").pk == blog.pk
    for path in ["nope", "First-Blog", "x", "a\x00b", "a" * 1000, ""]:
        with pytest.raises(domain.BlogNotFound):
            selectors.blog_get(path=path)


def test_author_get_by_name_ignores_case(make_account, author_for):
    author = author_for(make_account(name="MixedCase")[0])

    assert selectors.author_get_by_name(name="mixedcase").pk == author.pk
    assert selectors.author_get_by_name(name="MIXEDCASE").pk == author.pk
    for name in ["other", "", "x" * 40, "nul\x00"]:
        with pytest.raises(domain.AuthorNotFound):
            selectors.author_get_by_name(name=name)


def test_author_get_by_account_is_none_before_the_first_write(account, author_for):
    assert selectors.author_get_by_account(account_id=account[0].id) is None

    author = author_for(account[0])

    assert selectors.author_get_by_account(account_id=account[0].id).pk == author.pk


def test_entry_list_is_newest_published_first_and_leaves_drafts_to_who_asks(
    blog, author, make_entry
):
    first = make_entry(blog, title="first")
    hidden = make_entry(blog, title="hidden")
    last = make_entry(blog, title="last")
    services.entry_unpublish(entry=hidden, actor=author)
    draft = services.entry_create(blog=blog, actor=author, title="d", body="", status="draft")

    visible = list(selectors.entry_list(blog=blog))
    drafts = list(selectors.entry_list(blog=blog, status="draft"))
    everything = list(selectors.entry_list(blog=blog, status="all"))

    assert [entry.pk for entry in visible] == [last.pk, first.pk]
    # Drafts newest first, before the published entries.
    assert [entry.pk for entry in drafts] == [draft.pk, hidden.pk]
    assert [entry.pk for entry in everything] == [draft.pk, hidden.pk, last.pk, first.pk]
    assert visible[0].blog.path == "first-blog"


def test_entry_get_finds_drafts_only_when_asked(blog, author, make_blog, make_entry):
    entry = make_entry(blog)
    other_blog = make_blog(author, path="other-blog")

    assert selectors.entry_get(blog=blog, entry_id=str(entry.pk)).pk == entry.pk
    for entry_id in ["abc", "", "1.0", "-1", "１", "9" * 30, str(entry.pk) + " "]:
        with pytest.raises(domain.EntryNotFound):
            selectors.entry_get(blog=blog, entry_id=entry_id)
    with pytest.raises(domain.EntryNotFound):
        selectors.entry_get(blog=other_blog, entry_id=str(entry.pk))

    services.entry_unpublish(entry=entry, actor=author)

    with pytest.raises(domain.EntryNotFound):
        selectors.entry_get(blog=blog, entry_id=str(entry.pk))
    found = selectors.entry_get(blog=blog, entry_id=str(entry.pk), include_drafts=True)
    assert found.pk == entry.pk


def test_entry_neighbours_walk_the_published_order_ties_included(blog, make_blog, make_entry):
    from datetime import UTC, datetime, timedelta

    from contexts.blog.models import Entry

    at = datetime(2026, 5, 1, 12, tzinfo=UTC)
    # Three entries published in the same instant among others: ties go by id.
    times = [at - timedelta(hours=1), at, at, at, at + timedelta(hours=1)]
    entries = []
    for number, published in enumerate(times):
        entry = make_entry(blog, title=f"E{number}")
        Entry.objects.filter(pk=entry.pk).update(published_at=published)
        entries.append(Entry.objects.get(pk=entry.pk))
    elsewhere = make_entry(make_blog(blog.owner, path="elsewhere"))
    Entry.objects.filter(pk=elsewhere.pk).update(published_at=at)
    draft = make_entry(blog, title="Draft")
    Entry.objects.filter(pk=draft.pk).update(published_at=None)
    order = sorted(entries, key=lambda entry: (entry.published_at, entry.pk), reverse=True)

    for place, entry in enumerate(order):
        older, newer = selectors.entry_neighbours(entry=entry)
        assert (older.pk if older else None) == (
            order[place + 1].pk if place + 1 < len(order) else None
        )
        assert (newer.pk if newer else None) == (order[place - 1].pk if place else None)
    assert selectors.entry_neighbours(entry=Entry.objects.get(pk=draft.pk)) == (None, None)
