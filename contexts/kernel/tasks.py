"""Celery tasks of the shared kernel: deliver each event publication, sweep, purge."""

from celery import shared_task

from contexts.kernel.events import delivery, dispatch, operations
from contexts.kernel.events.dispatch import DELIVER_TASK, PURGE_TASK, SWEEP_TASK


@shared_task(bind=True, name=DELIVER_TASK, ignore_result=True)
def deliver_publication(self, alias: str, publication_id: int) -> str:
    """Deliver one publication to its subscriber; schedule the retry when it failed."""
    outcome = delivery.deliver(alias, publication_id)
    # Eagerly (no broker) a retry would run at once, inside the caller: the publication
    # stays pending with its next_attempt_at, for the sweep or `events resubmit`.
    if outcome.retry_in is not None and not self.request.is_eager:
        dispatch.send_deliveries(alias, [publication_id], countdown=outcome.retry_in)
    return outcome.status


@shared_task(name=SWEEP_TASK, ignore_result=True)
def sweep_publications() -> int:
    """Send again what a crash left pending or stuck in processing (Celery beat runs it)."""
    return sum(len(ids) for ids in operations.sweep_now().values())


@shared_task(name=PURGE_TASK, ignore_result=True)
def purge_publications() -> int:
    """Delete completed publications older than the retention setting (Celery beat runs it)."""
    deleted = operations.purge_expired()
    return sum(sum(row.values()) for row in deleted.values())
