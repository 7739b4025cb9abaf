"""The drafts migration keeps the meaning of every existing entry."""

from datetime import timedelta

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

BEFORE = ("blog", "0002_events_and_tombstones")
AFTER = ("blog", "0003_drafts_and_credentials")


def _migrate(target):
    executor = MigrationExecutor(connections["blog"])
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest():
    """Leave the blog schema migrated to its latest state, whatever the test did."""
    yield
    executor = MigrationExecutor(connections["blog"])
    executor.migrate(executor.loader.graph.leaf_nodes("blog"))


def test_published_entries_stay_published_and_unpublished_ones_become_drafts():
    old = _migrate(BEFORE)
    author = old.get_model("blog", "Author").objects.create(account_id="a1", name="alice")
    blog = old.get_model("blog", "Blog").objects.create(path="notes", title="N", owner=author)
    entry = old.get_model("blog", "Entry")
    then = timezone.now() - timedelta(days=3)
    kept = entry.objects.create(blog=blog, title="kept", body="b", published_at=then)
    hidden = entry.objects.create(
        blog=blog, title="hidden", body="b", published_at=then, unpublished_at=timezone.now()
    )

    new = _migrate(AFTER).get_model("blog", "Entry")

    assert new.objects.get(pk=kept.pk).published_at == then
    assert new.objects.get(pk=hidden.pk).published_at is None
    assert {e.created_at for e in new.objects.all()} == {then}

    back = _migrate(BEFORE).get_model("blog", "Entry")
    restored = back.objects.get(pk=hidden.pk)
    assert restored.published_at == then and restored.unpublished_at is not None
    assert back.objects.get(pk=kept.pk).unpublished_at is None


def test_entries_saved_before_excerpts_get_theirs_from_their_stored_html():
    old = _migrate(("blog", "0005_entry_links"))
    author = old.get_model("blog", "Author").objects.create(account_id="a2", name="bob")
    blog = old.get_model("blog", "Blog").objects.create(path="older", title="O", owner=author)
    entry = old.get_model("blog", "Entry")
    words = " ".join(f"word{n}" for n in range(100))
    long_one = entry.objects.create(blog=blog, title="long", body="b", body_html=f"<p>{words}</p>")
    short = entry.objects.create(
        blog=blog, title="short", body="b", body_html="<p>Hi <b>you</b></p>"
    )

    new = _migrate(("blog", "0007_entry_excerpts_backfill")).get_model("blog", "Entry")

    assert new.objects.get(pk=short.pk).excerpt == "Hi you"
    excerpt = new.objects.get(pk=long_one.pk).excerpt
    assert excerpt.endswith("…") and len(excerpt) <= 280
    assert words.startswith(excerpt[:-1])
    assert new.objects.get(pk=short.pk).revision == 0
