"""Deliver one publication to its subscriber, and sweep up what a crash left behind."""

import logging
import random
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from contexts.kernel.events import registry
from contexts.kernel.events.config import events_config
from contexts.kernel.events.consumers import consume
from contexts.kernel.events.models import State
from contexts.kernel.events.stores import ProducerStore, producer_store, producer_stores
from contexts.kernel.events.subscriptions import subscriber
from contexts.kernel.events.types import Event

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 8000

COMPLETED = "completed"
DUPLICATE = "duplicate"
RETRY = "retry"
FAILED = "failed"
NOT_DUE = "not_due"
SKIPPED = "skipped"


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt came to; `retry_in` says when to try again, if at all."""

    status: str
    retry_in: float | None = None


def load_event(store: ProducerStore, event_id: str) -> Event:
    """Rebuild an event from its outbox row."""
    row = store.outbox.objects.using(store.alias).get(event_id=event_id)
    return Event.from_payload(row.payload)


def describe_error(exc: BaseException) -> str:
    """Return the error as kept in the registry: its type and message first, then where."""
    head = f"{type(exc).__name__}: {exc}"
    trace = "".join(traceback.format_exception(exc))
    return f"{head}\n\n{trace}"[:MAX_ERROR_LENGTH]


def deliver(
    alias: str,
    publication_id: int,
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Outcome:
    """Claim one publication, run its subscriber, and record how it went.

    Never raises for a handler's error: that is recorded (retry with backoff, or
    failed once the attempts are used up). Errors of the registry itself propagate,
    and the sweep then finds the publication stale.
    """
    config = events_config()
    store = producer_store(alias)
    now = now or timezone.now()
    held = registry.claim(store, publication_id, now=now)
    if held is None:
        wait = registry.seconds_until_due(store, publication_id, now=now)
        return Outcome(NOT_DUE, wait) if wait is not None else Outcome(SKIPPED)
    try:
        event = load_event(store, held.event_id)
        ran = consume(subscriber(held.event_type, held.subscriber), event)
    except Exception as exc:  # noqa: BLE001  (any handler error is the subscriber's failure)
        failure = registry.fail(
            store,
            held,
            error=describe_error(exc),
            policy=config.retry,
            now=timezone.now(),
            rng=rng,
        )
        logger.warning(
            "event %s to %s failed (attempt %d, now %s): %s: %s",
            held.event_type,
            held.subscriber,
            held.attempts,
            failure.state,
            type(exc).__name__,
            exc,
        )
        return Outcome(FAILED if failure.state == State.FAILED else RETRY, failure.retry_in)
    registry.complete(store, held, now=timezone.now())
    return Outcome(COMPLETED if ran else DUPLICATE)


def sweep(
    *,
    aliases: list[str] | None = None,
    grace: timedelta | None = None,
    limit: int | None = None,
    now: datetime | None = None,
) -> dict[str, list[int]]:
    """Find publications a crash left behind and return them, by alias, to be delivered.

    Those stuck in processing past the staleness threshold go back to pending (or to
    failed when their attempts are used up); pending ones due for longer than `grace`
    (default: the staleness threshold) have presumably lost their message.
    """
    config = events_config()
    now = now or timezone.now()
    grace = config.stale_after if grace is None else grace
    limit = config.sweep_batch if limit is None else limit
    found: dict[str, list[int]] = {}
    for alias, store in producer_stores().items():
        if aliases is not None and alias not in aliases:
            continue
        released = registry.release_stale(
            store, now=now, stale_after=config.stale_after, policy=config.retry, limit=limit
        )
        waiting = registry.due(store, now=now, grace=grace, limit=limit)
        ids = list(dict.fromkeys([*released, *waiting]))[:limit]
        if ids:
            found[alias] = ids
    return found
