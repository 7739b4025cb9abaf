"""`manage.py search reindex`: the index rebuilt from the blog's export after data loss."""

import importlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from contexts.blog import services as blog_services
from contexts.search import api as search_api
from contexts.search import handlers
from contexts.search.models import Document, ForgottenAccount, IndexedBlog
from tests.search.conftest import entry_event

pytestmark = pytest.mark.django_db(databases="__all__")

full_text = importlib.import_module("contexts.search.migrations.0002_full_text")


def titles(q: str) -> list[str]:
    return sorted(hit.title for hit in search_api.search(q=q, limit=100))


def reindex(*args: str) -> str:
    out = StringIO()
    call_command("search", "reindex", *args, stdout=out)
    return out.getvalue()


def test_reindex_brings_back_every_published_entry_after_the_index_was_lost(
    blog, author, make_entry, make_blog
):
    for number in range(7):
        make_entry(blog, title=f"Kept {number}", body="A *findable* text")
    draft = blog_services.entry_create(
        blog=blog, actor=author, title="Draft", body="findable", status="draft"
    )
    assert draft.is_draft
    # The index is lost (here: it never heard of these entries).
    Document.objects.all().delete()
    IndexedBlog.objects.all().delete()
    assert titles("findable") == []

    output = reindex("--batch", "3")

    assert titles("findable") == [f"Kept {n}" for n in range(7)]
    assert "Indexed 7 published entries" in output
    (hit, *_) = search_api.search(q="findable")
    assert hit.blog_title == "First blog" and hit.author_name == author.name


def test_reindex_takes_out_what_the_blog_no_longer_publishes(blog, make_entry):
    # The index missed an entry's event, and shows one the blog no longer has (its
    # deletion's event was lost).
    make_entry(blog, title="Still there", body="word")
    handlers.on_entry_published(entry_event(entry_id="999999", title="Phantom", text="word"))
    assert titles("word") == ["Phantom"]

    output = reindex()

    assert titles("word") == ["Still there"]
    assert "1 no longer published taken out" in output


def test_reindex_never_brings_back_what_the_index_knows_is_deleted(blog, author, make_entry):
    make_entry(blog, title="Of a forgotten account", body="word")
    ForgottenAccount.objects.create(account_id=author.account_id)

    output = reindex()

    assert titles("word") == []
    assert "1 skipped" in output


@pytest.mark.parametrize("batch", ["0", "1001"])
def test_reindex_refuses_a_batch_out_of_range(batch):
    with pytest.raises(CommandError, match="--batch must be 1-1000"):
        reindex("--batch", batch)


# --- the full-text index needs its engine ----------------------------------------------


def test_the_migration_refuses_an_sqlite_without_fts5_and_says_what_to_do(monkeypatch):
    class Editor:
        connection = connections["search"]

    if Editor.connection.vendor != "sqlite":
        pytest.skip("the SQLite migration path only")
    monkeypatch.setattr(full_text, "sqlite_has_fts5", lambda connection: False)

    with pytest.raises(RuntimeError, match="FTS5") as caught:
        full_text.forward(None, Editor())

    assert "PostgreSQL" in str(caught.value)


def test_this_pythons_sqlite_has_fts5():
    connection = connections["search"]
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default's database only")

    assert full_text.sqlite_has_fts5(connection)
