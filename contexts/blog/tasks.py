"""Celery tasks of the blog context: thin adapters that take ids and call a service."""

import logging

from celery import shared_task
from django.conf import settings

from contexts.blog import selectors, services
from contexts.blog.domain import EntryRenderFailed

logger = logging.getLogger(__name__)


@shared_task(
    name=services.RENDER_TASK,
    autoretry_for=(EntryRenderFailed,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=settings.BLOG_RENDER_MAX_RETRIES,
)
def entry_render(entry_id: str) -> bool:
    """Render a waiting entry and store its HTML; retried with backoff until it works."""
    return services.entry_render(entry_id=entry_id)


@shared_task(name="blog.entries_render_unrendered")
def entries_render_unrendered(limit: int = 100) -> int:
    """Queue a render for entries still waiting (retries exhausted, or a lost message).

    Meant for the beat schedule; returns how many were queued.
    """
    ids = selectors.entry_ids_unrendered(limit=limit)
    for entry_id in ids:
        entry_render.delay(entry_id)
    return len(ids)


@shared_task(name="blog.idempotency_records_purge")
def idempotency_records_purge() -> int:
    """Delete expired Idempotency-Key records; meant for the beat schedule."""
    return services.idempotency_records_purge()
