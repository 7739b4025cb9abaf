"""The publication registry: each publication's state machine, claims and bookkeeping.

pending --claim--> processing --complete--> completed
                   processing --fail------> pending (next_attempt_at later) | failed
                   processing --stale-----> pending | failed        (the sweep)
failed | stale | pending --resubmit--> pending (attempts start again)

Every transition is one conditional UPDATE (or a row locked with SKIP LOCKED), so two
workers can never both hold a publication, and the answer of a worker whose claim was
taken over (its token no longer matches) changes nothing.
"""

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections, transaction
from django.db.models import Count, F, Min, Q

from contexts.kernel.events.models import PublicationBase, State
from contexts.kernel.events.stores import InboxStore, ProducerStore
from contexts.kernel.events.types import Event
from contexts.kernel.retry import RetryPolicy

STALE_ERROR = "The worker handling it stopped answering (no result within {seconds:g} s)."


@dataclass(frozen=True)
class Claim:
    """A publication a worker holds, with the token that proves the claim is still its own."""

    publication_id: int
    event_id: str
    event_type: str
    subscriber: str
    attempts: int
    token: uuid.UUID


@dataclass(frozen=True)
class Failure:
    """What became of a failed attempt: retried after `retry_in` seconds, or failed for good."""

    state: str
    retry_in: float | None
    applied: bool


def _publications(store: ProducerStore):
    return store.publications.objects.using(store.alias)


def record(
    store: ProducerStore, *, event: Event, payload: dict, subscribers: Iterable[str], now: datetime
) -> list[int]:
    """Write the event to the outbox and one pending publication per subscriber."""
    store.outbox.objects.using(store.alias).create(
        event_id=event.event_id,
        type_name=event.type_name,
        payload=payload,
        occurred_at=event.occurred_at,
        recorded_at=now,
    )
    rows = [
        store.publications(
            event_id=event.event_id,
            event_type=event.type_name,
            subscriber=name,
            state=State.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
        for name in subscribers
    ]
    if not rows:
        return []
    return [row.pk for row in _publications(store).bulk_create(rows)]


def claim(store: ProducerStore, publication_id: int, *, now: datetime) -> Claim | None:
    """Take a due pending publication for this worker, or return None if it is not one."""
    due = Q(pk=publication_id, state=State.PENDING, next_attempt_at__lte=now)
    token = uuid.uuid4()
    taken = {
        "state": State.PROCESSING,
        "claimed_at": now,
        "claim_token": token,
        "attempts": F("attempts") + 1,
    }
    if connections[store.alias].features.has_select_for_update_skip_locked:
        # PostgreSQL: lock the row or pass it by; a publication someone else is
        # claiming right now is theirs, not a reason to wait.
        with transaction.atomic(using=store.alias):
            row = _publications(store).select_for_update(skip_locked=True).filter(due).first()
            if row is None:
                return None
            _publications(store).filter(pk=publication_id).update(**taken)
        attempts = row.attempts + 1
    else:
        # SQLite: a compare-and-set UPDATE; the database serialises writers.
        if _publications(store).filter(due).update(**taken) != 1:
            return None
        row = _publications(store).get(pk=publication_id)
        attempts = row.attempts
    return Claim(
        publication_id=publication_id,
        event_id=str(row.event_id),
        event_type=row.event_type,
        subscriber=row.subscriber,
        attempts=attempts,
        token=token,
    )


def seconds_until_due(store: ProducerStore, publication_id: int, *, now: datetime) -> float | None:
    """Return how long a pending publication still waits for its next attempt, else None."""
    row = (
        _publications(store)
        .filter(pk=publication_id, state=State.PENDING, next_attempt_at__gt=now)
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return None if row is None else (row - now).total_seconds()


def _held(store: ProducerStore, held: Claim):
    return _publications(store).filter(
        pk=held.publication_id, state=State.PROCESSING, claim_token=held.token
    )


def complete(store: ProducerStore, held: Claim, *, now: datetime) -> bool:
    """Mark a held publication completed; False if the claim was taken over meanwhile."""
    return bool(
        _held(store, held).update(state=State.COMPLETED, completed_at=now, claim_token=None)
    )


def fail(
    store: ProducerStore,
    held: Claim,
    *,
    error: str,
    policy: RetryPolicy,
    now: datetime,
    rng: random.Random | None = None,
) -> Failure:
    """Record a failed attempt: back to pending after a backoff, or failed once exhausted."""
    if policy.exhausted(held.attempts):
        applied = _held(store, held).update(state=State.FAILED, last_error=error, claim_token=None)
        return Failure(State.FAILED, None, bool(applied))
    delay = policy.delay(held.attempts, rng=rng)
    applied = _held(store, held).update(
        state=State.PENDING,
        last_error=error,
        next_attempt_at=now + timedelta(seconds=delay),
        claim_token=None,
    )
    return Failure(State.PENDING, delay, bool(applied))


def _stale(stale_after: timedelta, now: datetime) -> Q:
    return Q(state=State.PROCESSING, claimed_at__lt=now - stale_after)


def _overdue(stale_after: timedelta, now: datetime) -> Q:
    return Q(state=State.PENDING, next_attempt_at__lt=now - stale_after)


def release_stale(
    store: ProducerStore, *, now: datetime, stale_after: timedelta, policy: RetryPolicy, limit: int
) -> list[int]:
    """Put publications stuck in processing back to pending (or failed); return the pending ones.

    A crashed worker's attempt counts, so an event that kills its worker every time
    ends failed instead of looping forever.
    """
    released = []
    ids = list(
        _publications(store)
        .filter(_stale(stale_after, now))
        .order_by("claimed_at")
        .values_list("pk", flat=True)[:limit]
    )
    error = STALE_ERROR.format(seconds=stale_after.total_seconds())
    for pk in ids:
        still_stale = _publications(store).filter(_stale(stale_after, now), pk=pk)
        if still_stale.filter(attempts__gte=policy.max_attempts).update(
            state=State.FAILED, last_error=error, claim_token=None
        ):
            continue
        if still_stale.update(
            state=State.PENDING, last_error=error, next_attempt_at=now, claim_token=None
        ):
            released.append(pk)
    return released


def due(store: ProducerStore, *, now: datetime, grace: timedelta, limit: int) -> list[int]:
    """Return pending publications due for longer than `grace` (their message presumed lost)."""
    return list(
        _publications(store)
        .filter(state=State.PENDING, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def _resubmittable(stale_after: timedelta, now: datetime) -> Q:
    return Q(state__in=[State.FAILED, State.PENDING]) | _stale(stale_after, now)


def resubmit(
    store: ProducerStore,
    *,
    ids: Iterable[int] | None,
    now: datetime,
    stale_after: timedelta,
) -> list[int]:
    """Give failed, stale or waiting publications a fresh round of attempts, due now.

    `ids=None` takes every one of them. Completed publications and those a live worker
    holds are left alone; the ids actually resubmitted are returned.
    """
    candidates = _publications(store).filter(_resubmittable(stale_after, now))
    if ids is not None:
        candidates = candidates.filter(pk__in=list(ids))
    chosen = list(candidates.order_by("pk").values_list("pk", flat=True))
    resubmitted = []
    for pk in chosen:
        if (
            _publications(store)
            .filter(_resubmittable(stale_after, now), pk=pk)
            .update(state=State.PENDING, attempts=0, next_attempt_at=now, claim_token=None)
        ):
            resubmitted.append(pk)
    return resubmitted


def purge_completed(store: ProducerStore, *, before: datetime) -> tuple[int, int]:
    """Delete publications completed before `before`, then outbox rows nobody needs any more.

    Returns (publications deleted, outbox events deleted).
    """
    publications, _ = (
        _publications(store).filter(state=State.COMPLETED, completed_at__lt=before).delete()
    )
    outbox, _ = (
        store.outbox.objects.using(store.alias)
        .filter(recorded_at__lt=before)
        .exclude(event_id__in=_publications(store).values("event_id"))
        .delete()
    )
    return publications, outbox


def purge_inbox(store: InboxStore, *, before: datetime) -> int:
    """Delete inbox rows older than `before` (their events were delivered long ago)."""
    deleted, _ = store.inbox.objects.using(store.alias).filter(processed_at__lt=before).delete()
    return deleted


def counts(store: ProducerStore, *, now: datetime, stale_after: timedelta) -> dict:
    """Return publications by state, the stale ones, and the oldest pending one's age."""
    by_state = {state.value: 0 for state in State}
    for row in _publications(store).values("state").annotate(n=Count("pk")).order_by():
        by_state[row["state"]] = row["n"]
    stale = _publications(store).filter(_stale(stale_after, now) | _overdue(stale_after, now))
    oldest = _publications(store).filter(state=State.PENDING).aggregate(at=Min("created_at"))
    return {
        **by_state,
        "stale": stale.count(),
        "oldest_pending_age_seconds": (
            round((now - oldest["at"]).total_seconds(), 3) if oldest["at"] else None
        ),
    }


def failed_rows(store: ProducerStore, *, limit: int) -> list[PublicationBase]:
    """Return failed publications, the most recently created first."""
    return list(_publications(store).filter(state=State.FAILED).order_by("-created_at")[:limit])


def is_stale(row: PublicationBase, *, now: datetime, stale_after: timedelta) -> bool:
    """Tell whether a publication is stuck in processing or left waiting past its time."""
    if row.state == State.PROCESSING:
        return row.claimed_at is not None and row.claimed_at < now - stale_after
    return row.state == State.PENDING and row.next_attempt_at < now - stale_after
