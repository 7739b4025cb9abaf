"""Hand publications to Celery: a task per publication, eager in the embedded default.

The tasks are defined in contexts.kernel.tasks and looked up here by name, so that the
events package never imports the task module that imports it.
"""

import logging
from datetime import timedelta

from celery import current_app
from celery.app.task import Task

from contexts.kernel.events import delivery
from contexts.kernel.events.config import events_config

logger = logging.getLogger(__name__)

DELIVER_TASK = "kernel.events.deliver"
SWEEP_TASK = "kernel.events.sweep"
PURGE_TASK = "kernel.events.purge"

# A broker that does not answer must not hold a request for long: the publication is
# already committed as pending, and the sweep sends it later.
SEND_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}


def is_eager() -> bool:
    """Tell whether tasks run in-process (no broker: the embedded default)."""
    return bool(current_app.conf.task_always_eager)


def _task(name: str) -> Task:
    return current_app.tasks[name]


def send_deliveries(alias: str, ids: list[int], *, countdown: float | None = None) -> None:
    """Send one delivery task per publication (run at once when eager)."""
    task = _task(DELIVER_TASK)
    queue = events_config().queue
    options = {"queue": queue} if queue else {}
    for publication_id in ids:
        task.apply_async(
            (alias, publication_id),
            countdown=countdown,
            retry=True,
            retry_policy=SEND_RETRY_POLICY,
            **options,
        )


def deliver_after_commit(alias: str, ids: list[int]) -> None:
    """Send the deliveries of a committed transaction; never raise into the caller.

    In the embedded default the handlers run here, in-process, and a failed attempt
    stays pending until its next attempt is due. Nothing then runs a beat scheduler,
    so each commit also retries a few publications of this alias that are due.
    """
    try:
        send_deliveries(alias, ids)
        if is_eager():
            limit = events_config().eager_sweep_limit
            swept = delivery.sweep(aliases=[alias], grace=timedelta(0), limit=limit)
            for swept_alias, swept_ids in swept.items():
                send_deliveries(swept_alias, swept_ids)
    except Exception:  # noqa: BLE001  (the state change is committed; the sweep catches up)
        logger.exception(
            "could not deliver %d publication(s) of alias '%s' now; they stay pending "
            "and the periodic sweep (or `manage.py events resubmit`) delivers them",
            len(ids),
            alias,
        )
