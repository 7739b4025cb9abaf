"""The account-deletion saga end to end: DELETE /api/v1/me, then everything of it is gone.

The accounts context deletes the account and publishes AccountDeleted in the same
transaction; the blog context's handler deletes the author, blogs and entries and keeps
a tombstone that refuses the account's still-unexpired tokens. In the embedded default
(eager) that happens right after the commit; with a broker a worker process does it.
"""

import time
from dataclasses import dataclass

import pytest
from django.test import Client
from rest_framework.test import APIClient

from blog_project.celery import app as celery_app
from contexts.blog import selectors
from contexts.blog.models import Author, Blog, Entry
from tests.e2e.journeys import (
    Writer,
    blog_paths,
    create_blog,
    delete_account,
    deliveries_settled,
    events_status,
    publish_entry,
    register,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

SETTLE_TIMEOUT = 30.0


@dataclass(frozen=True)
class World:
    """Two writers: alice, whose account goes, and bob, who must not notice."""

    alice: Writer
    alice_path: str
    alice_entry_ids: list[str]
    bob: Writer
    bob_path: str
    bob_entry_id: str


def _given_alice_with_a_blog_and_bob_with_his(alice: Writer) -> World:
    create_blog(alice, "alices-notes", title="Alice's notes")
    entries = [
        publish_entry(alice, "alices-notes", "First", "Hello *world*"),
        publish_entry(alice, "alices-notes", "Second", "More of it"),
    ]
    bob = register("bob")
    create_blog(bob, "bobs-notes", title="Bob's notes")
    bob_entry = publish_entry(bob, "bobs-notes", "Bob's entry", "Still here")
    # The starting point is what it claims to be, so that the checks below can fail.
    assert APIClient().get("/api/v1/blogs/alices-notes").status_code == 200
    assert Client().get("/authors/alice").status_code == 200
    assert sorted(blog_paths()) == ["alices-notes", "bobs-notes"]
    return World(
        alice=alice,
        alice_path="alices-notes",
        alice_entry_ids=[entry["id"] for entry in entries],
        bob=bob,
        bob_path="bobs-notes",
        bob_entry_id=bob_entry["id"],
    )


def _assert_unauthenticated(response, code: str) -> None:
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == code
    assert response.json()["detail"]


def _assert_the_account_and_all_it_wrote_are_gone(world: World) -> None:
    alice, anonymous, browser = world.alice, APIClient(), Client()

    # The token speaks for nobody any more.
    _assert_unauthenticated(alice.client.get("/api/v1/me"), "invalid_token")

    # Its blog and entries are gone from the API...
    blog = anonymous.get(f"/api/v1/blogs/{world.alice_path}")
    assert blog.status_code == 404
    assert blog.json()["code"] == "blog_not_found"
    assert anonymous.get(f"/api/v1/blogs/{world.alice_path}/entries").status_code == 404
    for entry_id in world.alice_entry_ids:
        response = anonymous.get(f"/api/v1/blogs/{world.alice_path}/entries/{entry_id}")
        assert response.status_code == 404
    assert world.alice_path not in blog_paths()

    # ...and from the web pages.
    assert browser.get(f"/blogs/{world.alice_path}").status_code == 404
    for entry_id in world.alice_entry_ids:
        assert browser.get(f"/blogs/{world.alice_path}/entries/{entry_id}").status_code == 404
    assert browser.get(f"/authors/{alice.name}").status_code == 404
    assert world.alice_path not in browser.get("/").content.decode()

    # The old, still unexpired token cannot write, nor bring the author back.
    refused = alice.client.post(
        "/api/v1/blogs", {"path": "alice-returns", "title": "Back"}, format="json"
    )
    _assert_unauthenticated(refused, "account_deleted")
    assert selectors.author_get_by_account(account_id=alice.account_id) is None
    assert not Blog.objects.filter(path__in=["alice-returns", world.alice_path]).exists()
    assert not Entry.objects.filter(blog__path=world.alice_path).exists()

    # The password no longer signs in.
    signed_in = sign_in(alice.name, alice.password)
    assert signed_in.status_code == 401
    assert signed_in.json()["code"] == "authentication_failed"


def _assert_the_other_writer_is_untouched(world: World) -> None:
    anonymous, bob = APIClient(), world.bob
    assert anonymous.get(f"/api/v1/blogs/{world.bob_path}").json()["owner"] == {"name": "bob"}
    entry = anonymous.get(f"/api/v1/blogs/{world.bob_path}/entries/{world.bob_entry_id}")
    assert entry.status_code == 200
    assert blog_paths() == [world.bob_path]
    assert Client().get(f"/authors/{bob.name}").status_code == 200
    assert bob.client.get("/api/v1/me").json()["name"] == "bob"
    assert sign_in(bob.name, bob.password).status_code == 201
    created = bob.client.post("/api/v1/blogs", {"path": "bobs-second", "title": "2"}, format="json")
    assert created.status_code == 201


def _assert_no_delivery_failed() -> None:
    status = events_status()
    assert status["total"]["outbox"]["failed"] == status["total"]["inbox"]["failed"] == 0
    assert deliveries_settled(status)
    # Two registrations and one deletion went through the accounts outbox, and the blog
    # applied each of them once.
    assert status["outbox"]["accounts"]["sent"] == 3
    assert status["inbox"]["blog"]["completed"] == 3


@pytest.mark.in_process
def test_deleting_an_account_deletes_its_blogs_entries_and_tokens_right_after_commit(eager):
    world = _given_alice_with_a_blog_and_bob_with_his(register("alice"))

    response = delete_account(world.alice)

    assert response.status_code == 204
    assert response.content == b""
    # Eager (the embedded default): the handler already ran when the response came back.
    _assert_the_account_and_all_it_wrote_are_gone(world)
    _assert_the_other_writer_is_untouched(world)
    _assert_no_delivery_failed()


@pytest.mark.in_process
def test_a_wrong_password_deletes_nothing(eager):
    world = _given_alice_with_a_blog_and_bob_with_his(register("alice"))

    response = world.alice.client.delete("/api/v1/me", {"password": "not-it-at-all"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "wrong_password"
    assert APIClient().get(f"/api/v1/blogs/{world.alice_path}").status_code == 200
    assert world.alice.client.get("/api/v1/me").status_code == 200
    assert Author.objects.filter(account_id=world.alice.account_id).exists()
    assert not selectors.account_is_deleted(account_id=world.alice.account_id)
    assert events_status()["outbox"]["accounts"]["sent"] == 2


@pytest.mark.in_process  # starts a worker of its own, on broker names of its own
@pytest.mark.services
def test_a_real_worker_carries_the_deletion_saga_through(worker):
    assert not celery_app.conf.task_always_eager
    alice = register("alice")
    # The worker, not a sign-in or a first write, creates the author from AccountRegistered.
    _wait_until(
        lambda: Client().get("/authors/alice").status_code == 200,
        what="the worker delivers AccountRegistered",
        worker=worker,
    )
    world = _given_alice_with_a_blog_and_bob_with_his(alice)

    response = delete_account(world.alice)

    assert response.status_code == 204
    # The saga runs in the worker: wait until the blog is gone and every delivery settled.
    _wait_until(
        lambda: (
            APIClient().get(f"/api/v1/blogs/{world.alice_path}").status_code == 404
            and deliveries_settled(events_status())
        ),
        what="the worker delivers AccountDeleted",
        worker=worker,
    )
    _assert_the_account_and_all_it_wrote_are_gone(world)
    _assert_the_other_writer_is_untouched(world)
    _assert_no_delivery_failed()
    # The events went through the worker process (inside `celery worker`, as `make
    # worker` runs it), not through this one.
    assert "events relay started" in worker.log()
    assert "events consumer started" in worker.log()


def _wait_until(predicate, *, what: str, worker) -> None:
    """Poll `predicate` until it holds, or fail with the worker's log after the deadline."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(
        f"timed out waiting until {what}; events: {events_status()}\n{worker.log()[-3000:]}"
    )
