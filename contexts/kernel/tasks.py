"""Celery tasks of the shared kernel: the periodic purge of done event rows."""

from celery import shared_task

from contexts.kernel.events import operations

PURGE_TASK = "kernel.events.purge"


@shared_task(name=PURGE_TASK, ignore_result=True)
def purge_events() -> int:
    """Delete sent outbox rows and completed inbox rows past retention (Celery beat runs it)."""
    deleted = operations.purge_expired()
    return sum(sum(row.values()) for row in deleted.values())
