"""Celery tasks of the fetcher: thin adapters that take a URL and call a service."""

from celery import shared_task

from contexts.fetcher import services


@shared_task(name=services.FETCH_TASK, ignore_result=True)
def link_fetch(url: str) -> str:
    """Fetch one linked page and keep what it says (failures are recorded, not raised)."""
    return services.link_fetch(url=url)
