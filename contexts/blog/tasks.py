"""Celery tasks of the blog context: thin adapters that take ids and call a service."""

import logging

from celery import shared_task

from contexts.blog import services

logger = logging.getLogger(__name__)


@shared_task(name="blog.idempotency_records_purge")
def idempotency_records_purge() -> int:
    """Delete expired Idempotency-Key records; meant for the beat schedule."""
    return services.idempotency_records_purge()
