"""Fixtures for the kernel's event machinery: eager or captured dispatch, and the stores."""

import pytest

from blog_project.celery import app as celery_app
from contexts.kernel.events import dispatch
from contexts.kernel.events.stores import producer_store

ALIAS = "default"


@pytest.fixture
def eager():
    """Run tasks in-process, as the embedded default does, whatever broker is configured."""
    keys = ("task_always_eager", "task_eager_propagates")
    before = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(dict.fromkeys(keys, True))
    yield
    celery_app.conf.update(before)


class SentDeliveries(list):
    """The (alias, publication id, countdown) of every delivery task that was sent."""

    def ids(self) -> list[int]:
        return [publication_id for _, publication_id, _ in self]


@pytest.fixture
def sent(monkeypatch) -> SentDeliveries:
    """Record delivery tasks instead of sending them (no broker, nothing run)."""
    record = SentDeliveries()

    def fake_send(alias, ids, *, countdown=None):
        record.extend((alias, publication_id, countdown) for publication_id in ids)

    monkeypatch.setattr(dispatch, "send_deliveries", fake_send)
    monkeypatch.setattr(dispatch, "is_eager", lambda: False)
    return record


@pytest.fixture
def store():
    """The test app's producer store (outbox and publications, in alias "default")."""
    return producer_store(ALIAS)
