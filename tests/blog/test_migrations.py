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
