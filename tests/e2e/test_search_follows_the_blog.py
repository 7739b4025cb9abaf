"""Search follows what the blog publishes, through events alone.

In the embedded default the index changes right after the blog's commit; with a broker,
a worker process carries the events and a change shows within seconds.
"""

import time

import pytest
from rest_framework.test import APIClient

from blog_project.celery import app as celery_app
from tests.e2e.journeys import (
    create_blog,
    delete_account,
    deliveries_settled,
    events_status,
    publish_entry,
    register,
)

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

SETTLE_TIMEOUT = 30.0


def found(q: str) -> list[str]:
    response = APIClient().get("/api/v1/search", {"q": q})
    assert response.status_code == 200, response.content
    return [result["entry"]["title"] for result in response.json()["results"]]


@pytest.mark.in_process
def test_the_index_follows_every_change_right_after_commit(eager):
    alice = register("alice")
    create_blog(alice, "notes", title="Alice's notes")
    entry = publish_entry(alice, "notes", "Garlic bread", "Toast it with *butter*.")
    draft = alice.client.post(
        "/api/v1/blogs/notes/entries",
        {"title": "Secret garlic", "body": "Not yet", "status": "draft"},
        format="json",
    ).json()
    url = f"/api/v1/blogs/notes/entries/{entry['id']}"

    assert found("garlic") == ["Garlic bread"]  # drafts are nobody's to find
    assert found("butter") == ["Garlic bread"]  # the rendered text, not the Markdown

    alice.client.patch(url, {"title": "Onion bread"}, format="json")
    assert found("garlic") == []
    assert found("onion") == ["Onion bread"]

    alice.client.patch("/api/v1/blogs/notes", {"title": "Kitchen notes"}, format="json")
    hit = APIClient().get("/api/v1/search", {"q": "onion"}).json()["results"][0]
    assert hit["entry"]["blog"] == {"path": "notes", "title": "Kitchen notes"}

    assert alice.client.delete(url).status_code == 204  # unpublish
    assert found("onion") == []
    alice.client.patch(url, {"status": "published"}, format="json")
    assert found("onion") == ["Onion bread"]

    draft_url = f"/api/v1/blogs/notes/entries/{draft['id']}"
    alice.client.patch(draft_url, {"status": "published"}, format="json")
    assert found("secret") == ["Secret garlic"]

    assert alice.client.delete("/api/v1/blogs/notes").status_code == 204
    assert found("onion") == found("secret") == []

    bob = register("bob")
    create_blog(bob, "bobs")
    publish_entry(bob, "bobs", "Bob's onion soup", "Onions, slowly.")
    assert found("onion") == ["Bob's onion soup"]
    assert delete_account(bob).status_code == 204
    assert found("onion") == []

    status = events_status()
    assert status["total"]["inbox"]["failed"] == status["total"]["outbox"]["failed"] == 0
    assert status["inbox"]["search"]["completed"] > 0


@pytest.mark.services
def test_with_a_worker_a_new_entry_appears_and_an_unpublished_one_disappears_in_seconds(worker):
    assert not celery_app.conf.task_always_eager
    alice = register("alice")
    create_blog(alice, "notes")
    started = time.monotonic()
    entry = publish_entry(alice, "notes", "Saffron rice", "Yellow and fragrant.")

    appeared = _wait_until(lambda: found("saffron") == ["Saffron rice"], worker=worker)

    unpublished = time.monotonic()
    url = f"/api/v1/blogs/notes/entries/{entry['id']}"
    assert alice.client.delete(url).status_code == 204
    disappeared = _wait_until(lambda: found("saffron") == [], worker=worker)

    assert appeared - started < SETTLE_TIMEOUT
    assert disappeared - unpublished < SETTLE_TIMEOUT
    _wait_until(lambda: deliveries_settled(events_status()), worker=worker)
    assert events_status()["total"]["inbox"]["failed"] == 0


def _wait_until(predicate, *, worker) -> float:
    """Poll until `predicate` holds and return when; fail with the worker's log after the
    deadline."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.1)
    pytest.fail(f"timed out; events: {events_status()}\n{worker.log()[-3000:]}")
