"""Prepared queries (kernel.prepared) give what their QuerySets give, on either backend.

CI runs this file on SQLite (run 1) and on PostgreSQL (run 2): the SQL is compiled per
database, and SQLite takes its datetimes as text.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections
from django.db.models import ForeignKey, Model
from django.db.models.signals import post_init, post_save
from django.test.utils import CaptureQueriesContext

from contexts.blog import selectors
from contexts.blog.models import Author, Blog, Entry
from contexts.kernel import prepared
from contexts.kernel.prepared import PreparedQuery, Window

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("fake_renderer"),
]


def _state(instance: Model | None) -> dict | None:
    """What a caller can read of an instance: its loaded fields and the related objects
    it holds, without querying for anything deferred."""
    if instance is None:
        return None
    deferred = instance.get_deferred_fields()
    fields = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in deferred
    }
    related = {
        field.name: _state(field.get_cached_value(instance))
        for field in instance._meta.concrete_fields
        if isinstance(field, ForeignKey) and field.is_cached(instance)
    }
    attributes = {name: value for name, value in vars(instance).items() if name != "_state"}
    stored = {"db": instance._state.db, "adding": instance._state.adding}
    return {
        "fields": fields,
        "deferred": deferred,
        "related": related,
        "attributes": attributes,
        "state": stored,
    }


@pytest.fixture
def entries(blog, make_entry) -> list[Entry]:
    """Six published entries of `blog`, the middle four published at one instant."""
    made = [make_entry(blog, title=f"Entry {n}", body=f"Body {n} ' %s ;") for n in range(6)]
    tie = made[1].published_at
    Entry.objects.filter(pk__in=[entry.pk for entry in made[1:5]]).update(published_at=tie)
    Entry.objects.filter(pk=made[5].pk).update(published_at=tie + timedelta(seconds=1))
    return list(Entry.objects.filter(blog=blog).order_by("pk"))


def test_rows_equal_the_querysets_with_joined_and_deferred_fields(entries):
    joined = PreparedQuery(
        lambda path, entry_id: Entry.objects.select_related("blog__owner").filter(
            blog__path=path, pk=entry_id
        ),
        path=str,
        entry_id=int,
    )
    lean = PreparedQuery(
        lambda blog_id: Entry.objects.filter(blog_id=blog_id).defer("body").order_by("pk"),
        blog_id=int,
    )
    blog = entries[0].blog

    for entry in entries:
        orm = Entry.objects.select_related("blog__owner").filter(blog__path=blog.path, pk=entry.pk)
        assert [_state(row) for row in joined(path=blog.path, entry_id=entry.pk)] == [
            _state(row) for row in orm
        ]
    prepared = lean(blog_id=blog.pk)
    orm_rows = list(Entry.objects.filter(blog_id=blog.pk).defer("body").order_by("pk"))
    assert [_state(row) for row in prepared] == [_state(row) for row in orm_rows]
    assert prepared[0].get_deferred_fields() == {"body"}
    assert isinstance(prepared[0].published_at, datetime)
    assert prepared[0].published_at.tzinfo is not None
    assert joined(path="no-such-blog", entry_id=entries[0].pk) == []


def test_a_model_something_hooks_into_is_made_by_the_orms_own_from_db(entries):
    made = []

    def seen(sender, instance, **kwargs):
        made.append(instance)

    post_init.connect(seen, sender=Author)
    try:
        joined = PreparedQuery(
            lambda blog_id: Entry.objects.select_related("blog__owner").filter(blog_id=blog_id),
            blog_id=int,
        )
        rows = joined(blog_id=entries[0].blog_id)
    finally:
        post_init.disconnect(seen, sender=Author)

    # Each owner was made through Model.__init__, which sends post_init.
    assert [id(row.blog.owner) for row in rows] == [id(instance) for instance in made]
    assert len(made) == len(entries)


def test_datetime_parameters_find_what_the_orm_finds_around_ties(entries):
    later = PreparedQuery(
        lambda blog_id, at, pk: Entry.objects.filter(
            blog_id=blog_id, published_at__gte=at, pk__gt=pk
        ).order_by("published_at", "pk"),
        blog_id=int,
        at=datetime,
        pk=int,
    )
    for entry in entries:
        orm = Entry.objects.filter(
            blog_id=entry.blog_id, published_at__gte=entry.published_at, pk__gt=entry.pk
        ).order_by("published_at", "pk")
        found = later(blog_id=entry.blog_id, at=entry.published_at, pk=entry.pk)
        assert [row.pk for row in found] == [row.pk for row in orm]


def test_the_neighbours_selector_agrees_with_the_entries_order(entries):
    in_order = list(selectors.entry_list(blog=entries[0].blog))  # newest first

    for index, entry in enumerate(in_order):
        older, newer = selectors.entry_neighbours(entry=entry)
        expected_older = in_order[index + 1] if index + 1 < len(in_order) else None
        expected_newer = in_order[index - 1] if index > 0 else None
        assert (older and older.pk, newer and newer.pk) == (
            expected_older and expected_older.pk,
            expected_newer and expected_newer.pk,
        )


def test_a_window_slices_as_the_queryset_does(entries):
    blog = entries[0].blog
    rows = selectors.entry_window(blog=blog, bodies=False)
    queryset = selectors.entry_list(blog=blog).defer(*selectors.BODIES)

    for start, stop in [(0, 3), (2, 5), (4, 10), (6, 9), (0, 0)]:
        window = rows[start:stop]
        assert [_state(row) for row in window] == [_state(row) for row in queryset[start:stop]]
        # Each row holds the very blog asked with, as the related manager's rows do.
        assert all(row.blog is blog for row in window)
    with pytest.raises(IndexError):
        rows[3:]
    with pytest.raises(IndexError):
        rows[::2]
    assert rows.count() == len(entries)  # the blog's stored count
    with pytest.raises(TypeError):
        selectors.entry_window(blog=blog, status="all").count()  # given no count


def test_a_window_refuses_a_known_object_its_rows_do_not_point_to(entries, author, make_blog):
    other = make_blog(author, path="other")
    window = Window(
        selectors._ENTRY_WINDOWS["published", False],
        known={"blog": other},
        blog_id=entries[0].blog_id,
    )

    with pytest.raises(ValueError):
        window[0:2]


def test_a_window_counts_with_what_it_was_given(author, make_blog):
    for path in ["one", "two", "three"]:
        make_blog(author, path=path)

    window = selectors.blog_window_by_owner(author=author)

    assert window.count() == len(window) == 3
    assert [blog.path for blog in window[0:2]] == ["three", "two"]
    assert [blog.path for blog in window] == ["three", "two", "one"]
    assert window[2].path == "one"
    with pytest.raises(IndexError):
        window[3]
    assert all(blog.owner.name == author.name for blog in window[0:3])


def test_annotations_come_with_the_rows(make_account, author_for):
    author_for(make_account(name="MixedCase")[0])

    found = selectors.author_get_by_name(name="MIXEDcase")

    assert found.name == "MixedCase"
    assert found.name_ci == "mixedcase"


def test_values_are_sent_as_parameters_never_as_sql(blog, make_entry):
    tricky = "50% off'); DROP TABLE blog_entry; -- %s %(x)s ?"
    make_entry(blog, title=tricky)
    titled = PreparedQuery(lambda title: Entry.objects.filter(title=title), title=str)

    assert [entry.title for entry in titled(title=tricky)] == [tricky]
    assert titled(title=tricky[:-1]) == []
    assert Entry.objects.count() == 1


def test_a_query_that_changes_its_parameter_is_refused():
    contains = PreparedQuery(lambda text: Blog.objects.filter(title__contains=text), text=str)

    with pytest.raises(ValueError, match="cannot prepare text"):
        contains(text="x")


def test_misuse_is_refused_with_a_type_error(blog):
    by_path = PreparedQuery(lambda path: Blog.objects.filter(path=path), path=str)

    with pytest.raises(TypeError):
        by_path(path=1)
    with pytest.raises(TypeError):
        by_path()
    with pytest.raises(TypeError):
        by_path(path=blog.path, other="x")
    with pytest.raises(TypeError):
        by_path(path=blog.path, limit=5)  # not a windowed query
    with pytest.raises(TypeError):
        PreparedQuery(lambda flag: Author.objects.filter(pk=flag), flag=bool)
    windowed = PreparedQuery(lambda: Blog.objects.order_by("pk"), window=True)
    with pytest.raises(TypeError):
        windowed()  # a window needs its limit
    assert [found.pk for found in by_path(path=blog.path)] == [blog.pk]
    assert [found.pk for found in Window(windowed)[0:1]] == [blog.pk]


def test_the_home_page_counts_come_from_the_stored_counts(author, make_blog, make_entry):
    empty, full = make_blog(author, path="empty"), make_blog(author, path="full")
    for n in range(3):
        make_entry(full, title=f"Entry {n}")
    make_blog(author, path="another")

    assert selectors.entry_count_published() == 3
    with_entries = selectors.blog_window_with_entries()
    assert with_entries.count() == selectors.blog_list_with_entries().count() == 1
    assert [blog.path for blog in with_entries[0:5]] == ["full"]
    assert empty.path not in {blog.path for blog in with_entries}
    assert [
        entry.title
        for entry in selectors.entry_window_published(only=("title", "blog__owner__name"))[0:2]
    ] == [
        "Entry 2",
        "Entry 1",
    ]


def test_a_prepared_insert_stores_the_row_save_would_store(blog):
    at = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    fields = {"title": 'It\'s "quoted"; -- not SQL', "body": "b", "created_at": at}
    saved = Entry.objects.create(blog=blog, **fields, published_at=at)

    inserted = prepared.insert(Entry(blog=blog, **fields, published_at=at), using="blog")

    assert inserted.pk not in (None, saved.pk)
    assert not inserted._state.adding
    stored = {
        row.pk: {f.attname: getattr(row, f.attname) for f in Entry._meta.concrete_fields}
        for row in Entry.objects.filter(pk__in=[saved.pk, inserted.pk])
    }
    assert {**stored[inserted.pk], "id": saved.pk} == stored[saved.pk]
    # Defaults came as save() gives them: revision 0, not rendered, no edit yet.
    assert (stored[inserted.pk]["revision"], stored[inserted.pk]["edited_at"]) == (0, None)


def test_a_prepared_insert_lets_save_run_what_hooks_into_saving(blog):
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.title, created))

    post_save.connect(receiver, sender=Entry)
    try:
        inserted = prepared.insert(Entry(blog=blog, title="Heard", body="b"), using="blog")
    finally:
        post_save.disconnect(receiver, sender=Entry)

    assert seen == [("Heard", True)]
    assert Entry.objects.filter(pk=inserted.pk, title="Heard").exists()


def test_a_connection_that_logs_its_queries_sees_prepared_statements(blog, entries):
    # On PostgreSQL the statements otherwise skip Django's cursor (psycopg's own, prepared
    # and server-bound): a test counting queries, or DEBUG, must still see each of them.
    with CaptureQueriesContext(connections["blog"]) as logged:
        inserted = prepared.insert(Entry(blog=blog, title="Logged", body="b"), using="blog")
        found = selectors._AUTHOR_OF(account_id=blog.owner.account_id)

    assert [row.pk for row in found] == [blog.owner.pk]
    assert Entry.objects.filter(pk=inserted.pk, title="Logged").exists()
    statements = [query["sql"] for query in logged.captured_queries]
    assert len(statements) == 2
    assert statements[0].startswith('INSERT INTO "blog_entry"')
    assert "blog_author" in statements[1]
