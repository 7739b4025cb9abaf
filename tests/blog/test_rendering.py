"""Rendering on publish and edit: stored HTML, and what happens when the renderer fails."""

import time

import pytest
from celery import current_app
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import timezone

from contexts.blog import domain, handlers, services
from contexts.blog.domain import EntryRenderPending
from contexts.blog.models import Entry, EventPublication, OutboxEvent
from contexts.kernel.events import dispatch, operations
from contexts.kernel.events.models import State
from contexts.renderer import api as renderer_api
from tests.blog.conftest import fake_html

ENTRIES = "/api/v1/blogs/first-blog/entries"
HOSTILE = "<script>alert('x')</script> & *text*"


def stored(entry_id) -> Entry:
    return Entry.objects.get(pk=entry_id)


def render_publication(entry_id) -> EventPublication:
    """The registry's record of the EntryRenderPending event for one entry."""
    event = OutboxEvent.objects.get(
        type_name=EntryRenderPending.type_name, payload__entry_id=str(entry_id)
    )
    return EventPublication.objects.get(event_id=event.event_id)


@pytest.mark.django_db(databases="__all__")
def test_a_failing_renderer_still_publishes_with_the_body_escaped(
    owner_client, blog, fake_renderer, eager, django_capture_on_commit_callbacks
):
    fake_renderer.failing = True

    with django_capture_on_commit_callbacks(using="blog", execute=True):
        response = owner_client.post(ENTRIES, {"title": "t", "body": HOSTILE}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["body"] == HOSTILE
    assert body["body_html"] == (
        '<pre class="entry-unrendered">&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; '
        "&amp; *text*</pre>"
    )
    assert "<script>" not in body["body_html"]
    # The delivery right after commit failed too, did not fail the request, and is
    # recorded for a retry with backoff.
    assert stored(body["id"]).rendered is False
    assert len(fake_renderer.calls) == 2
    publication = render_publication(body["id"])
    assert publication.state == State.PENDING
    assert publication.attempts == 1
    assert "EntryRenderFailed" in publication.last_error
    assert publication.next_attempt_at > timezone.now()


@pytest.mark.django_db(databases="__all__")
def test_without_a_broker_the_entry_is_rendered_again_right_after_commit(
    owner_client, blog, fake_renderer, eager, django_capture_on_commit_callbacks
):
    fake_renderer.failures_left = 1  # fails while publishing, works a moment later

    with django_capture_on_commit_callbacks(using="blog", execute=True):
        response = owner_client.post(ENTRIES, {"title": "t", "body": "*b*"}, format="json")

    entry_id = response.json()["id"]
    assert response.status_code == 201
    assert stored(entry_id).rendered is True
    assert owner_client.get(f"{ENTRIES}/{entry_id}").json()["body_html"] == fake_html("*b*")
    assert render_publication(entry_id).state == State.COMPLETED


@pytest.mark.django_db(databases="__all__")
def test_with_a_broker_a_failed_render_sends_its_delivery_only_after_commit(
    owner_client, blog, fake_renderer, sent, django_capture_on_commit_callbacks
):
    fake_renderer.failing = True

    with django_capture_on_commit_callbacks(using="blog", execute=False) as callbacks:
        response = owner_client.post(ENTRIES, {"title": "t", "body": "b"}, format="json")
        assert sent == []  # nothing is sent before the entry is committed
    for callback in callbacks:
        callback()

    publication = render_publication(response.json()["id"])
    assert sent.ids() == [publication.pk]


@pytest.mark.django_db(databases="__all__")
def test_a_broken_broker_does_not_fail_the_request(
    owner_client, blog, fake_renderer, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(dispatch, "is_eager", lambda: False)
    monkeypatch.setattr(dispatch, "send_deliveries", refuse)
    fake_renderer.failing = True

    with django_capture_on_commit_callbacks(using="blog", execute=True):
        response = owner_client.post(ENTRIES, {"title": "t", "body": "b"}, format="json")

    assert response.status_code == 201
    assert stored(response.json()["id"]).rendered is False
    # The outbox kept it: the sweep sends it once the broker is back.
    assert render_publication(response.json()["id"]).state == State.PENDING


@pytest.mark.django_db(databases="__all__")
def test_a_render_that_keeps_failing_ends_failed_and_resubmit_renders_it(
    blog, author, fake_renderer, api_client, eager, settings, django_capture_on_commit_callbacks
):
    settings.EVENTS_MAX_ATTEMPTS = 1
    fake_renderer.failing = True
    with django_capture_on_commit_callbacks(using="blog", execute=True):
        entry = services.entry_publish(blog=blog, actor=author, title="t", body=HOSTILE)

    publication = render_publication(entry.pk)
    assert publication.state == State.FAILED
    assert "EntryRenderFailed" in publication.last_error
    assert stored(entry.pk).rendered is False

    fake_renderer.failing = False
    resubmitted = operations.resubmit(refs=[f"blog:{publication.pk}"])

    assert resubmitted == {"blog": [publication.pk]}
    assert render_publication(entry.pk).state == State.COMPLETED
    response = api_client.get(f"{ENTRIES}/{entry.pk}")
    assert response.json()["body_html"] == fake_html(HOSTILE)


@pytest.mark.django_db(databases="__all__")
def test_the_render_task_leaves_an_entry_edited_meanwhile_alone(blog, author, fake_renderer):
    fake_renderer.failing = True
    entry = services.entry_publish(blog=blog, actor=author, title="t", body="first")
    fake_renderer.failing = False
    services.entry_edit(entry=entry, actor=author, body="second")

    assert services.entry_render(entry_id=str(entry.pk)) is False
    assert stored(entry.pk).body_html == fake_html("second")


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("entry_id", ["999999", "not-a-number"])
def test_the_render_handler_ignores_entries_that_are_gone(entry_id, fake_renderer):
    handlers.on_entry_render_pending(EntryRenderPending(entry_id=entry_id))

    assert fake_renderer.calls == []


@pytest.mark.django_db(databases="__all__")
def test_a_slow_renderer_is_given_up_on_within_the_budget(
    owner_client, blog, fake_renderer, settings
):
    settings.BLOG_RENDER_TIMEOUT_SECONDS = 0.05
    fake_renderer.hanging = True

    response = owner_client.post(ENTRIES, {"title": "t", "body": "slow"}, format="json")
    fake_renderer.release.set()

    assert response.status_code == 201
    assert response.json()["body_html"] == domain.unrendered_html("slow")
    assert stored(response.json()["id"]).rendered is False


@pytest.mark.django_db(databases="__all__")
def test_a_failed_re_render_on_edit_keeps_the_new_body_escaped(owner_client, entry, fake_renderer):
    fake_renderer.failing = True

    response = owner_client.patch(f"{ENTRIES}/{entry.pk}", {"body": "<b>new</b>"}, format="json")

    assert response.status_code == 200
    assert response.json()["body_html"] == domain.unrendered_html("<b>new</b>")
    assert stored(entry.pk).rendered is False


@pytest.mark.django_db(databases="__all__")
def test_reading_never_renders(api_client, entry, fake_renderer):
    calls = len(fake_renderer.calls)

    api_client.get(ENTRIES)
    api_client.get(f"{ENTRIES}/{entry.pk}")

    assert len(fake_renderer.calls) == calls


@pytest.mark.django_db(databases="__all__")
def test_publishing_uses_the_real_renderer_and_stores_sanitized_html(blog, author):
    entry = services.entry_publish(
        blog=blog, actor=author, title="t", body="# Title\n\n<script>alert(1)</script>"
    )

    assert stored(entry.pk).rendered is True
    assert "<h1" in entry.body_html
    assert "<script" not in entry.body_html
    assert entry.body_html == renderer_api.render(entry.body).html


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_real_worker_retries_the_render_with_backoff_until_it_works(
    redis_broker, blog, author, fake_renderer, settings
):
    settings.EVENTS_RETRY_BASE_SECONDS = 0.2
    fake_renderer.failures_left = 2  # the publish and the worker's first try fail
    with start_worker(current_app, pool="threads", concurrency=1, perform_ping_check=False):
        with transaction.atomic(using="blog"):
            entry = services.entry_publish(blog=blog, actor=author, title="t", body="*b*")
        for _ in range(300):
            if stored(entry.pk).rendered:
                break
            time.sleep(0.1)

    assert stored(entry.pk).body_html == fake_html("*b*")
    assert len(fake_renderer.calls) >= 3
    publication = render_publication(entry.pk)
    assert publication.state == State.COMPLETED
    assert publication.attempts >= 2
