"""Rendering on publish and edit: stored HTML, and what happens when the renderer fails."""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from contexts.blog import domain, handlers, services
from contexts.blog.domain import EntryPublished, EntryRenderPending
from contexts.blog.models import Entry
from contexts.kernel.events import operations
from contexts.kernel.events import transports as event_transports
from contexts.kernel.events.models import InboxState, RelayState
from contexts.kernel.events.stores import consumer_stores, producer_stores
from contexts.kernel.events.worker import EventsWorker
from contexts.renderer import api as renderer_api
from tests.blog.conftest import fake_html
from tests.events import inbox_row, outbox_row, relay_here

ENTRIES = "/api/v1/blogs/first-blog/entries"
HOSTILE = "<script>alert('x')</script> & *text*"


def stored(entry_id) -> Entry:
    return Entry.objects.get(pk=entry_id)


def render_event(entry_id):
    """The blog inbox's record of the EntryRenderPending event for one entry."""
    return inbox_row("blog", EntryRenderPending, entry_id=str(entry_id))


@pytest.mark.django_db(databases="__all__")
def test_a_failing_renderer_still_publishes_with_the_body_escaped(
    owner_client, blog, fake_renderer, eager, django_capture_on_commit_callbacks, caplog
):
    fake_renderer.failing = True

    with django_capture_on_commit_callbacks(using="blog", execute=True):
        response = owner_client.post(ENTRIES, {"title": "t", "body": HOSTILE}, format="json")

    assert response.status_code == 201
    # Not an Unavailable error but a bug (here a RuntimeError): logged with its traceback.
    failed = [r for r in caplog.records if r.getMessage().startswith("Rendering failed")]
    assert failed and all(r.levelname == "ERROR" and r.exc_info for r in failed)
    body = response.json()
    assert body["body"] == HOSTILE
    assert body["body_html"] == (
        '<pre class="entry-unrendered">&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; '
        "&amp; *text*</pre>"
    )
    assert "<script>" not in body["body_html"]
    # The render right after commit failed too, did not fail the request, and is
    # recorded for a retry with backoff.
    assert stored(body["id"]).rendered is False
    assert len(fake_renderer.calls) == 2
    row = render_event(body["id"])
    assert row.state == InboxState.PENDING
    assert row.attempts == 1
    assert "EntryRenderFailed" in row.last_error
    assert row.next_attempt_at > timezone.now()


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
    assert render_event(entry_id).state == InboxState.COMPLETED


@pytest.mark.django_db(databases="__all__")
def test_with_a_broker_a_failed_render_waits_in_the_outbox_for_the_relay(
    owner_client, blog, fake_renderer, held, django_capture_on_commit_callbacks
):
    fake_renderer.failing = True

    with django_capture_on_commit_callbacks(using="blog", execute=True):
        response = owner_client.post(ENTRIES, {"title": "t", "body": "b"}, format="json")

    entry_id = response.json()["id"]
    assert response.status_code == 201
    row = outbox_row("blog", EntryRenderPending, entry_id=entry_id)
    assert row.state == RelayState.PENDING  # the worker's relay sends it
    published = outbox_row("blog", EntryPublished, entry_id=entry_id)
    fake_renderer.failing = False
    assert sorted(relay_here("blog").sent) == sorted([row.pk, published.pk])


@pytest.mark.django_db(databases="__all__")
def test_a_broken_broker_does_not_fail_the_request_and_the_outbox_keeps_the_event(
    owner_client, blog, fake_renderer, held, settings, monkeypatch
):
    def refuse(self, envelopes):
        raise ConnectionError("broker down")

    settings.EVENTS_BROKER_URL = "redis://127.0.0.1:9/0"  # never reached: send is refused
    monkeypatch.setattr(event_transports.BrokerTransport, "send", refuse)
    fake_renderer.failing = True

    response = owner_client.post(ENTRIES, {"title": "t", "body": "b"}, format="json")
    found = operations.sweep_now()  # what the worker's relay does

    entry_id = response.json()["id"]
    assert response.status_code == 201
    assert stored(entry_id).rendered is False
    assert found.send_failed["blog"] == 2  # EntryRenderPending, and EntryPublished
    row = outbox_row("blog", EntryRenderPending, entry_id=entry_id)
    assert (row.state, row.attempts) == (RelayState.PENDING, 1)
    assert row.last_error.startswith("ConnectionError: broker down")


@pytest.mark.django_db(databases="__all__")
def test_a_render_that_keeps_failing_ends_failed_and_resubmit_renders_it(
    blog, author, fake_renderer, api_client, eager, settings, django_capture_on_commit_callbacks
):
    settings.EVENTS_MAX_ATTEMPTS = 1
    fake_renderer.failing = True
    with django_capture_on_commit_callbacks(using="blog", execute=True):
        entry = services.entry_publish(blog=blog, actor=author, title="t", body=HOSTILE)

    row = render_event(entry.pk)
    assert row.state == InboxState.FAILED
    assert "EntryRenderFailed" in row.last_error
    assert stored(entry.pk).rendered is False

    fake_renderer.failing = False
    resubmitted = operations.resubmit(refs=[f"inbox:blog:{row.pk}"])

    assert resubmitted == {"outbox": [], "inbox": [f"inbox:blog:{row.pk}"]}
    assert render_event(entry.pk).state == InboxState.COMPLETED
    response = api_client.get(f"{ENTRIES}/{entry.pk}")
    assert response.json()["body_html"] == fake_html(HOSTILE)


@pytest.mark.django_db(databases="__all__")
def test_the_render_task_leaves_an_entry_edited_meanwhile_alone(blog, author, fake_renderer):
    fake_renderer.failing = True
    entry = services.entry_publish(blog=blog, actor=author, title="t", body="first")
    fake_renderer.failing = False
    services.entry_edit(entry=entry, actor=author, body="second")

    stale = domain.RenderedBody(entry_id=entry.pk, body="first", html=fake_html("first"))
    assert services.entry_render_store(rendered=stale) is False
    assert stored(entry.pk).body_html == fake_html("second")
    assert services.entry_render_prepare(entry_id=str(entry.pk)) is None  # rendered already


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("entry_id", ["999999", "not-a-number"])
def test_the_render_handler_ignores_entries_that_are_gone(entry_id, fake_renderer):
    event = EntryRenderPending(entry_id=entry_id)
    handlers.on_entry_render_pending(event, handlers.render_pending_entry(event))

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
    redis_broker, events_prefix, blog, author, fake_renderer, settings
):
    settings.EVENTS_RETRY_BASE_SECONDS = 0.2
    settings.EVENTS_POLL_SECONDS = 0.1
    fake_renderer.failures_left = 2  # the publish and the worker's first try fail
    # The events worker's threads, in this process so that they use the fake renderer.
    worker = EventsWorker(
        producers={"blog": producer_stores()["blog"]}, consumers={"blog": consumer_stores()["blog"]}
    ).start()
    try:
        assert worker.ready.wait(30)
        with transaction.atomic(using="blog"):
            entry = services.entry_publish(blog=blog, actor=author, title="t", body="*b*")
        for _ in range(300):
            if stored(entry.pk).rendered:
                break
            time.sleep(0.1)
    finally:
        worker.stop()

    assert stored(entry.pk).body_html == fake_html("*b*")
    assert len(fake_renderer.calls) >= 3
    row = render_event(entry.pk)
    assert row.state == InboxState.COMPLETED
    assert row.attempts >= 2
