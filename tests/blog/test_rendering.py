"""Rendering on publish and edit: stored HTML, and what happens when the renderer fails."""

import time

import pytest
from celery import current_app
from celery.contrib.testing.worker import start_worker
from celery.exceptions import Retry
from django.db import transaction

from contexts.blog import domain, services, tasks
from contexts.blog.models import Entry
from contexts.renderer import api as renderer_api
from tests.blog.conftest import fake_html

ENTRIES = "/api/v1/blogs/first-blog/entries"
HOSTILE = "<script>alert('x')</script> & *text*"


def stored(entry_id) -> Entry:
    return Entry.objects.get(pk=entry_id)


@pytest.fixture
def eager(monkeypatch):
    """Run as the embedded default does: no broker, tasks eager."""
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)


@pytest.fixture
def with_broker(monkeypatch):
    """Run as with a broker, recording the task messages instead of sending them."""
    sent = []
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(
        current_app, "send_task", lambda name, args=None, **kw: sent.append((name, args))
    )
    return sent


@pytest.mark.django_db(databases="__all__")
def test_a_failing_renderer_still_publishes_with_the_body_escaped(
    owner_client, blog, fake_renderer, eager, django_capture_on_commit_callbacks
):
    fake_renderer.failing = True

    with django_capture_on_commit_callbacks(using="blog", execute=True) as callbacks:
        response = owner_client.post(ENTRIES, {"title": "t", "body": HOSTILE}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["body"] == HOSTILE
    assert body["body_html"] == (
        '<pre class="entry-unrendered">&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; '
        "&amp; *text*</pre>"
    )
    assert "<script>" not in body["body_html"]
    # The inline retry after commit failed too, and did not fail the request.
    assert len(callbacks) == 1
    assert stored(body["id"]).rendered is False
    assert len(fake_renderer.calls) == 2


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


@pytest.mark.django_db(databases="__all__")
def test_with_a_broker_a_failed_render_queues_the_render_task_after_commit(
    owner_client, blog, fake_renderer, with_broker, django_capture_on_commit_callbacks
):
    fake_renderer.failing = True

    with django_capture_on_commit_callbacks(using="blog", execute=False) as callbacks:
        response = owner_client.post(ENTRIES, {"title": "t", "body": "b"}, format="json")
        assert with_broker == []  # nothing is sent before the entry is committed
    for callback in callbacks:
        callback()

    assert with_broker == [("blog.entry_render", [response.json()["id"]])]


@pytest.mark.django_db(databases="__all__")
def test_a_broken_broker_does_not_fail_the_request(
    owner_client, blog, fake_renderer, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(current_app, "send_task", refuse)
    fake_renderer.failing = True

    with django_capture_on_commit_callbacks(using="blog", execute=True):
        response = owner_client.post(ENTRIES, {"title": "t", "body": "b"}, format="json")

    assert response.status_code == 201
    assert stored(response.json()["id"]).rendered is False


@pytest.mark.django_db(databases="__all__")
def test_the_render_task_retries_while_the_renderer_fails_then_stores_the_html(
    blog, author, fake_renderer, api_client
):
    fake_renderer.failing = True
    entry = services.entry_publish(blog=blog, actor=author, title="t", body=HOSTILE)

    # Applied in-process, a retry is re-run inline; propagating, it raises while it fails.
    with pytest.raises(Retry):
        tasks.entry_render.apply(args=[str(entry.pk)], throw=True)
    assert stored(entry.pk).rendered is False

    fake_renderer.failing = False
    fake_renderer.failures_left = 1  # the first try fails, the retry works
    result = tasks.entry_render.apply(args=[str(entry.pk)], throw=False)

    assert result.result is True
    assert fake_renderer.calls[-2:] == [HOSTILE, HOSTILE]
    assert stored(entry.pk).rendered is True
    response = api_client.get(f"{ENTRIES}/{entry.pk}")
    assert response.json()["body_html"] == fake_html(HOSTILE)


def test_the_render_task_backs_off_exponentially_with_jitter(settings):
    task = tasks.entry_render

    assert domain.EntryRenderFailed in task.autoretry_for
    assert task.retry_backoff is True
    assert task.retry_jitter is True
    assert task.max_retries == settings.BLOG_RENDER_MAX_RETRIES


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
def test_the_render_task_ignores_entries_that_are_gone(entry_id, fake_renderer):
    assert tasks.entry_render.apply(args=[entry_id]).result is False


@pytest.mark.django_db(databases="__all__")
def test_the_sweep_renders_entries_still_waiting(blog, author, fake_renderer, eager):
    fake_renderer.failing = True
    waiting = services.entry_publish(blog=blog, actor=author, title="t", body="b")
    fake_renderer.failing = False

    assert tasks.entries_render_unrendered.apply().result == 1
    assert stored(waiting.pk).rendered is True


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
    redis_broker, blog, author, fake_renderer
):
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
