"""REST API: Idempotency-Key on POST .../entries replays the first answer, once per account."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from contexts.blog import services
from contexts.blog.models import Entry, IdempotencyRecord
from tests.blog.test_api_blogs import assert_error

pytestmark = pytest.mark.usefixtures("fake_renderer")

ENTRIES = "/api/v1/blogs/first-blog/entries"
PAYLOAD = {"title": "Once", "body": "only *once*"}


def post(client, key, payload=PAYLOAD, url=ENTRIES):
    return client.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db(databases="__all__")
def test_the_same_key_replays_the_first_response_instead_of_publishing_again(owner_client, blog):
    first = post(owner_client, "key-1")
    second = post(owner_client, "key-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Entry.objects.count() == 1


@pytest.mark.django_db(databases="__all__")
def test_a_replay_is_the_first_response_even_after_the_entry_changed(owner_client, blog):
    first = post(owner_client, "key-1")
    owner_client.patch(f"{ENTRIES}/{first.json()['id']}", {"title": "Edited"}, format="json")

    second = post(owner_client, "key-1")

    assert second.json()["title"] == "Once"
    assert Entry.objects.count() == 1


@pytest.mark.django_db(databases="__all__")
def test_the_same_key_with_a_different_body_is_409(owner_client, blog):
    post(owner_client, "key-1")

    response = post(owner_client, "key-1", {"title": "Once", "body": "something else"})

    assert_error(response, 409, "idempotency_conflict")
    assert Entry.objects.count() == 1


@pytest.mark.django_db(databases="__all__")
def test_the_same_key_for_another_blog_is_409(owner_client, blog, author, make_blog):
    make_blog(author, path="second-blog")
    post(owner_client, "key-1")

    response = post(owner_client, "key-1", url="/api/v1/blogs/second-blog/entries")

    assert_error(response, 409, "idempotency_conflict")


@pytest.mark.django_db(databases="__all__")
def test_different_keys_publish_separately(owner_client, blog):
    first = post(owner_client, "key-1")
    second = post(owner_client, "key-2")

    assert first.json()["id"] != second.json()["id"]
    assert Entry.objects.count() == 2


@pytest.mark.django_db(databases="__all__")
def test_keys_of_different_accounts_are_independent(
    owner_client, blog, make_account, author_for, client_for, make_blog
):
    other_account, _ = make_account()
    make_blog(author_for(other_account), path="other-blog")
    other = client_for(other_account)

    mine = post(owner_client, "shared-key")
    theirs = post(other, "shared-key", url="/api/v1/blogs/other-blog/entries")

    assert mine.status_code == theirs.status_code == 201
    assert theirs.json()["blog"]["path"] == "other-blog"
    assert Entry.objects.count() == 2


@pytest.mark.django_db(databases="__all__")
def test_a_key_older_than_24_hours_no_longer_counts(owner_client, blog):
    post(owner_client, "key-1")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))

    again = post(owner_client, "key-1", {"title": "New", "body": "different"})

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Entry.objects.count() == 2
    assert IdempotencyRecord.objects.get().fingerprint  # the old record was replaced


@pytest.mark.django_db(databases="__all__")
def test_a_failed_request_does_not_use_up_the_key(owner_client, blog):
    invalid = post(owner_client, "key-1", {"title": "", "body": "b"})
    valid = post(owner_client, "key-1", {"title": "Fixed", "body": "b"})

    assert invalid.status_code == 400
    assert valid.status_code == 201
    assert "Idempotent-Replayed" not in valid


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("key", ["", "x" * 256, "tab\tkey", "caf\u00e9"])
def test_a_malformed_key_is_400_naming_the_header(owner_client, blog, key):
    response = owner_client.post(ENTRIES, PAYLOAD, format="json", headers={"Idempotency-Key": key})

    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert not Entry.objects.exists()


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("key", ["a", "x" * 255, "with space and ~!@#$%^&*()"])
def test_keys_of_1_to_255_printable_characters_are_accepted(owner_client, blog, key):
    assert post(owner_client, key).status_code == 201


@pytest.mark.django_db(databases="__all__")
def test_a_key_without_a_token_is_still_401(api_client, blog):
    response = post(api_client, "key-1")

    assert response.status_code == 401


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_concurrent_requests_with_one_key_publish_once(postgres, account, author, blog, token_for):
    token = token_for(account[0])
    start = threading.Barrier(4)
    answers = []

    def send() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        start.wait()
        try:
            answers.append(post(client, "race"))
        finally:
            for connection in connections.all():
                connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [201] * 4
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert Entry.objects.count() == 1


@pytest.mark.django_db(databases="__all__")
def test_the_service_replays_without_rendering_again(blog, author, fake_renderer):
    def respond(entry):
        return 201, {"id": entry.public_id}, f"/x/{entry.pk}"

    kwargs = dict(blog=blog, actor=author, title="t", body="b", key="k", fingerprint="f")
    first = services.entry_publish_idempotent(respond=respond, **kwargs)
    calls = len(fake_renderer.calls)
    second = services.entry_publish_idempotent(respond=respond, **kwargs)

    assert (second.status, second.body, second.location) == (201, first.body, first.location)
    assert second.replayed and not first.replayed
    assert len(fake_renderer.calls) == calls
