"""The consumer's side: receive events into the inbox, apply each subscriber once, keep the record.

pending --claim--> pending, held by one worker until its lease (next_attempt_at) ends
held --applied--> completed, in the same transaction as the handler's effect
held --handler fails--> pending (next_attempt_at after a backoff) | failed (attempts used up)
held --worker dies--> due again when the lease ends (the attempt counts, so an event that
                      kills its worker every time ends failed instead of looping)
failed | pending --resubmit--> pending (attempts start again)

Receiving inserts one row per subscriber, ignoring rows that exist: a redelivered message
changes nothing. Applying happens in one transaction per batch, the events of a handler
that says so (subscriptions.applied_together_by) in one call; should a handler fail, the
batch is applied again event by event with a savepoint each, so that a failing handler
rolls back only its own effect.
"""

import random
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from opentelemetry.trace import SpanKind

from contexts.kernel import requestcontext, sql, tracing
from contexts.kernel.events.envelopes import Envelope
from contexts.kernel.events.errors import describe_error
from contexts.kernel.events.models import InboxBase, InboxState
from contexts.kernel.events.stores import ConsumerStore
from contexts.kernel.events.subscriptions import Subscriber, subscriber, subscribers_of
from contexts.kernel.events.types import Event
from contexts.kernel.metrics import OUTCOME_FAILED, OUTCOME_OK, OUTCOME_RETRY, record_delivered
from contexts.kernel.retry import RetryPolicy

LOST_ERROR = (
    "The worker applying it stopped before it finished (its lease of {seconds:g} s ran out)."
)

COMPLETED = "completed"
RETRY = "retry"
FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    """How applying one inbox row went."""

    row_id: int
    type_name: str
    subscriber: str
    status: str


@dataclass
class ProcessResult:
    """What one pass over the inbox did."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return len(self.outcomes)

    def ids(self, status: str) -> list[int]:
        return [item.row_id for item in self.outcomes if item.status == status]


def _rows(store: ConsumerStore, envelopes: Iterable[Envelope], **values: Any) -> list[InboxBase]:
    return [
        store.inbox(
            event_id=envelope.event_id,
            subscriber=item.name,
            type_name=envelope.type_name,
            payload=envelope.payload,
            headers=envelope.headers,
            **values,
        )
        for envelope in envelopes
        for item in subscribers_of(envelope.type_name, context=store.context)
    ]


def receive(store: ConsumerStore, envelopes: Iterable[Envelope], *, now: datetime) -> int:
    """Insert one pending row per subscriber of this context for each envelope.

    Rows that exist already (a redelivery) are left as they are. Returns the number of
    rows offered; events no subscriber of this context wants are dropped.
    """
    rows = _rows(store, envelopes, next_attempt_at=now, received_at=now)
    if rows:
        with transaction.atomic(using=store.alias):
            store.rows.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def receive_claimed(
    store: ConsumerStore, envelopes: Iterable[Envelope], *, now: datetime, lease: timedelta
) -> tuple[uuid.UUID, list[InboxBase]]:
    """receive(), with the new rows claimed at once by this worker (a transaction less).

    Returns the claim and the rows it holds: a redelivered event's existing row is not
    among them.
    """
    token = uuid.uuid4()
    rows = _rows(
        store,
        envelopes,
        received_at=now,
        attempts=1,
        claim_token=token,
        next_attempt_at=now + lease,
    )
    return token, _insert_new(store, rows)


def _insert_new(store: ConsumerStore, rows: list[InboxBase]) -> list[InboxBase]:
    """INSERT the rows that do not exist yet, in one statement; return those, saved, in
    the order of their ids. A redelivered event's existing row is left as it is.

    The statement returns what it inserted: a query for the rows by their claim token
    scanned the whole inbox (no index holds the token), a read that grew with it."""
    inserted = {
        (event_id, name): pk
        for pk, event_id, name in sql.insert_new(
            store.alias, rows, returning=("id", "event_id", "subscriber")
        )
    }
    new = []
    for row in rows:
        row.pk = inserted.get((uuid.UUID(str(row.event_id)), row.subscriber))
        if row.pk is not None:
            row._state.adding, row._state.db = False, store.alias
            new.append(row)
    return sorted(new, key=lambda row: row.pk)


def receive_applied(
    store: ConsumerStore,
    envelopes: Iterable[Envelope],
    *,
    now: datetime,
    lease: timedelta,
    policy: RetryPolicy,
    rng: random.Random | None = None,
) -> ProcessResult:
    """receive_claimed() then apply_claimed(), in one transaction when it can: each new
    row goes in completed, with its handlers' effects (BEGIN, one INSERT, the handlers,
    COMMIT, where the two steps took two transactions, a read of the rows and a check of
    the claim). A redelivered event's existing row is left as it is, its handlers not run.

    Nothing is recorded before the commit: should the process die in a handler, the
    event's attempt is not counted. So only for envelopes delivered the first time: the
    caller sends those read again (a dead reader's) through receive_claimed(), whose
    committed claim counts each attempt. Should a handler fail, or one of the batch's
    subscribers have a prepare step (it runs outside the transaction), the batch is
    received and applied in two steps as before.
    """
    envelopes = list(envelopes)
    rows = _rows(
        store,
        envelopes,
        received_at=now,
        attempts=1,
        state=InboxState.COMPLETED,
        completed_at=now,
        next_attempt_at=now,
    )
    if not rows:
        return ProcessResult()
    ready: list[tuple[InboxBase, Subscriber, Event]] | None
    try:
        ready = [
            (row, subscriber(row.type_name, row.subscriber), Event.from_payload(row.payload))
            for row in rows
        ]
    except Exception:  # noqa: BLE001  (recorded as the subscriber's failure by the two steps)
        ready = None
    if ready is not None and all(item.prepare is None for _, item, _ in ready):
        try:
            with transaction.atomic(using=store.alias):
                new = {id(row) for row in _insert_new(store, rows)}
                mine = [entry for entry in ready if id(entry[0]) in new]
                try:
                    _apply_fast(mine, {})
                except Exception as exc:  # noqa: BLE001  (any handler error is the subscriber's)
                    raise _HandlerFailed from exc
        except _HandlerFailed:
            pass
        else:
            result = ProcessResult(
                [Outcome(row.pk, row.type_name, row.subscriber, COMPLETED) for row, _, _ in mine]
            )
            _count_outcomes(store, result, {row.pk: event.occurred_at for row, _, event in mine})
            return result
    token, claimed = receive_claimed(store, envelopes, now=now, lease=lease)
    return apply_claimed(store, token, claimed, lease=lease, policy=policy, rng=rng)


def _due(now: datetime) -> Q:
    return Q(state=InboxState.PENDING, next_attempt_at__lte=now)


def claim(
    store: ConsumerStore, *, limit: int, now: datetime, lease: timedelta, policy: RetryPolicy
) -> tuple[uuid.UUID, list[InboxBase]]:
    """Take up to `limit` due rows for this worker for the length of a lease.

    A due row whose attempts are already used up was held by a worker that died on its
    last attempt: it ends failed instead of being tried once more.
    """
    token = uuid.uuid4()
    if not store.rows.filter(_due(now)).exists():
        # The usual answer, in one query instead of a locking transaction's three.
        return token, []
    with transaction.atomic(using=store.alias):
        ids = list(
            store.rows.select_for_update(skip_locked=True)
            .filter(_due(now))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return token, []
        store.rows.filter(pk__in=ids, attempts__gte=policy.max_attempts).update(
            state=InboxState.FAILED,
            last_error=LOST_ERROR.format(seconds=lease.total_seconds()),
            claim_token=None,
        )
        store.rows.filter(pk__in=ids, attempts__lt=policy.max_attempts).update(
            attempts=F("attempts") + 1, next_attempt_at=now + lease, claim_token=token
        )
    return token, list(store.rows.filter(claim_token=token).order_by("next_attempt_at", "pk"))


def _extend(store: ConsumerStore, token: uuid.UUID, lease: timedelta) -> None:
    store.rows.filter(claim_token=token, state=InboxState.PENDING).update(
        next_attempt_at=timezone.now() + lease
    )


def _apply(item: Subscriber, event: Event, prepared: dict[int, Any], row: InboxBase) -> None:
    with _delivering(row, "apply"):
        if item.prepare is None:
            item.handler(event)
        else:
            item.handler(event, prepared[row.pk])


@contextmanager
def _delivering(row: InboxBase, step: str) -> Iterator[None]:
    """Run a subscriber's step as part of the request that published the event: its request
    id (logs, calls) and, when tracing, a span that is the child of the publish span."""
    headers = row.headers or {}
    token = requestcontext.set_request_id(headers.get(requestcontext.REQUEST_ID_HEADER))
    try:
        with tracing.span(
            f"{step} {row.type_name} by {row.subscriber}",
            kind=SpanKind.CONSUMER,
            attributes={"event.type": row.type_name, "event.subscriber": row.subscriber},
            parent=headers,
        ):
            yield
    finally:
        requestcontext.reset_request_id(token)


def process(
    store: ConsumerStore,
    *,
    limit: int,
    lease: timedelta,
    policy: RetryPolicy,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> ProcessResult:
    """Claim up to `limit` due rows and apply their subscribers; record every outcome.

    Never raises for a handler's error: it is recorded (a retry after a backoff, or
    failed once the attempts are used up). Errors of the inbox itself propagate, and
    the rows fall due again when the lease ends.
    """
    now = now or timezone.now()
    token, rows = claim(store, limit=limit, now=now, lease=lease, policy=policy)
    return apply_claimed(store, token, rows, lease=lease, policy=policy, rng=rng)


def apply_claimed(
    store: ConsumerStore,
    token: uuid.UUID,
    rows: list[InboxBase],
    *,
    lease: timedelta,
    policy: RetryPolicy,
    rng: random.Random | None = None,
) -> ProcessResult:
    """Apply the subscribers of rows this worker holds under `token`; record every outcome."""
    if not rows:
        return ProcessResult()
    errors: dict[int, BaseException] = {}
    prepared: dict[int, Any] = {}
    ready: list[tuple[InboxBase, Subscriber, Event]] = []
    renew_at = time.monotonic() + lease.total_seconds() / 3
    for row in rows:
        try:
            item = subscriber(row.type_name, row.subscriber)
            event = Event.from_payload(row.payload)
            if item.prepare is not None:
                # Slow, lock-free work (see subscriptions.prepared_by), outside the
                # transaction; keep the lease alive while it runs.
                with _delivering(row, "prepare"):
                    prepared[row.pk] = item.prepare(event)
                if time.monotonic() > renew_at:
                    _extend(store, token, lease)
                    renew_at = time.monotonic() + lease.total_seconds() / 3
            ready.append((row, item, event))
        except Exception as exc:  # noqa: BLE001  (the subscriber's failure, recorded below)
            errors[row.pk] = exc
    try:
        # Most batches fail nowhere: apply them without a savepoint per event (a round
        # trip less each). Should a handler fail, the batch rolls back and is applied
        # again, each event in a savepoint of its own.
        result = _apply_batch(store, token, rows, ready, prepared, errors, policy, rng, fast=True)
    except _HandlerFailed:
        result = _apply_batch(store, token, rows, ready, prepared, errors, policy, rng, fast=False)
    _count_outcomes(store, result, {row.pk: event.occurred_at for row, _, event in ready})
    return result


_METRIC_OUTCOMES = {COMPLETED: OUTCOME_OK, RETRY: OUTCOME_RETRY, FAILED: OUTCOME_FAILED}


def _count_outcomes(
    store: ConsumerStore, result: ProcessResult, occurred: dict[int, datetime]
) -> None:
    """Count each committed outcome, with the time from the event's publication to it."""
    now = timezone.now()
    for item in result.outcomes:
        at = occurred.get(item.row_id)
        record_delivered(
            store.context,
            item.type_name,
            item.subscriber,
            _METRIC_OUTCOMES[item.status],
            (now - at).total_seconds() if at is not None else None,
        )


class _HandlerFailed(Exception):
    """A handler failed in a batch applied without savepoints: apply it again with them."""


def _apply_batch(
    store: ConsumerStore,
    token: uuid.UUID,
    rows: list[InboxBase],
    ready: list[tuple[InboxBase, Subscriber, Event]],
    prepared: dict[int, Any],
    errors: dict[int, BaseException],
    policy: RetryPolicy,
    rng: random.Random | None,
    *,
    fast: bool,
) -> ProcessResult:
    """Apply the ready rows still held by `token` and record every outcome, in one transaction."""
    if fast and not errors and ready:
        return _apply_all_or_none(store, token, ready, prepared)
    result = ProcessResult()
    errors = dict(errors)
    with transaction.atomic(using=store.alias):
        held = set(
            store.rows.select_for_update()
            .filter(pk__in=[row.pk for row in rows], claim_token=token, state=InboxState.PENDING)
            .values_list("pk", flat=True)
        )
        # The lease ran out on the others: another worker took them over.
        mine = [(row, item, event) for row, item, event in ready if row.pk in held]
        done: list[int] = []
        if fast:
            try:
                done = _apply_fast(mine, prepared)
            except Exception as exc:  # noqa: BLE001  (any handler error is the subscriber's)
                raise _HandlerFailed from exc
        else:
            for row, item, event in mine:
                try:
                    with transaction.atomic(using=store.alias):
                        _apply(item, event, prepared, row)
                except Exception as exc:  # noqa: BLE001  (any handler error is the subscriber's)
                    errors[row.pk] = exc
                else:
                    done.append(row.pk)
        store.rows.filter(pk__in=done).update(
            state=InboxState.COMPLETED,
            completed_at=timezone.now(),
            claim_token=None,
            last_error="",
        )
        result.outcomes.extend(
            Outcome(row.pk, row.type_name, row.subscriber, COMPLETED)
            for row in rows
            if row.pk in done
        )
        for row in rows:
            if row.pk in errors and row.pk in held:
                status = _record_failure(store, row, token, errors[row.pk], policy, rng)
                result.outcomes.append(Outcome(row.pk, row.type_name, row.subscriber, status))
    return result


def _apply_all_or_none(
    store: ConsumerStore,
    token: uuid.UUID,
    ready: list[tuple[InboxBase, Subscriber, Event]],
    prepared: dict[int, Any],
) -> ProcessResult:
    """_apply_batch's usual case (every row ready, no savepoints): mark the rows still held
    by `token` completed, which locks them, then apply them; raise _HandlerFailed, which
    rolls the marks back with the handlers' effects, should any handler fail.

    One prepared statement where a locking SELECT and an UPDATE of the rows applied took
    two, and their ORM compilation on every batch (issue 15: a third of the Python of an
    event delivered in the request that published it)."""
    with transaction.atomic(using=store.alias):
        held = set(_complete_held(store, token, [row.pk for row, _, _ in ready]))
        # The lease ran out on the others: another worker took them over.
        mine = [(row, item, event) for row, item, event in ready if row.pk in held]
        try:
            _apply_fast(mine, prepared)
        except Exception as exc:  # noqa: BLE001  (any handler error is the subscriber's)
            raise _HandlerFailed from exc
    # In the batch's order: `ready` keeps the rows' (every row is ready here).
    return ProcessResult(
        [Outcome(row.pk, row.type_name, row.subscriber, COMPLETED) for row, _, _ in mine]
    )


# The UPDATE .. RETURNING of _complete_held per inbox table, vendor and number of rows,
# made once (a batch holds at most EVENTS_BATCH rows per subscriber).
_complete_statements: dict[tuple[type[InboxBase], str, int], str] = {}


def _complete_held(store: ConsumerStore, token: uuid.UUID, ids: list[int]) -> list[int]:
    """Mark completed those of rows `ids` that `token` still holds (pending, claimed by
    it), inside the caller's transaction, which keeps them locked; return their ids."""
    connection = connections[store.alias]
    meta = store.inbox._meta
    key = (store.inbox, connection.vendor, len(ids))
    statement = _complete_statements.get(key)
    if statement is None:
        column = sql.quoted_columns(store.inbox, connection)
        # Names from the model's own meta, quoted; every value is a parameter.
        statement = _complete_statements.setdefault(
            key,
            f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {column('state')} = %s, "  # noqa: S608
            f"{column('completed_at')} = %s, {column('claim_token')} = NULL, "
            f"{column('last_error')} = %s "
            f"WHERE {column('id')} IN ({', '.join(['%s'] * len(ids))}) "
            f"AND {column('claim_token')} = %s AND {column('state')} = %s "
            f"RETURNING {column('id')}",
        )
    params = [
        InboxState.COMPLETED.value,
        meta.get_field("completed_at").get_db_prep_save(timezone.now(), connection),
        "",
        *ids,
        meta.get_field("claim_token").get_db_prep_save(token, connection),
        InboxState.PENDING.value,
    ]
    return [pk for (pk,) in sql.fetch_all(store.alias, statement, params)]


def _apply_fast(
    ready: list[tuple[InboxBase, Subscriber, Event]], prepared: dict[int, Any]
) -> list[int]:
    """Apply each ready row, those of a subscriber applied together in one call (unless
    spans are recorded: each event's handler span continues its own trace); raise what
    any handler raises. Return the rows applied."""
    together: dict[str, list[tuple[InboxBase, Subscriber, Event]]] = {}
    for row, item, event in ready:
        if item.together is not None and tracing.tracer is None:
            together.setdefault(item.name, []).append((row, item, event))
        else:
            _apply(item, event, prepared, row)
    for group in together.values():
        item = group[0][1]
        if len(group) == 1:
            _apply(item, group[0][2], prepared, group[0][0])
        else:
            assert item.together is not None
            item.together([event for _, _, event in group])
    return [row.pk for row, _, _ in ready]


def _record_failure(
    store: ConsumerStore,
    row: InboxBase,
    token: uuid.UUID,
    exc: BaseException,
    policy: RetryPolicy,
    rng: random.Random | None,
) -> str:
    held = store.rows.filter(pk=row.pk, claim_token=token)
    error = describe_error(exc)
    if policy.exhausted(row.attempts):
        held.update(state=InboxState.FAILED, last_error=error, claim_token=None)
        return FAILED
    delay = policy.delay(row.attempts, rng=rng)
    held.update(
        last_error=error,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        claim_token=None,
    )
    return RETRY


def _resubmittable(now: datetime) -> Q:
    # Not a row a live worker holds: those have a claim token and a lease still running.
    not_held = Q(claim_token__isnull=True) | Q(next_attempt_at__lte=now)
    return Q(state=InboxState.FAILED) | (Q(state=InboxState.PENDING) & not_held)


def resubmit(store: ConsumerStore, *, ids: Iterable[int] | None, now: datetime) -> list[int]:
    """Give failed or waiting inbox rows a fresh round of attempts, due now.

    `ids=None` takes every failed and waiting one. Completed rows and rows a live worker
    holds are left alone. Returns the ids taken.
    """
    candidates = store.rows.filter(_resubmittable(now))
    if ids is not None:
        candidates = candidates.filter(pk__in=list(ids))
    chosen = list(candidates.order_by("pk").values_list("pk", flat=True))
    store.rows.filter(_resubmittable(now), pk__in=chosen).update(
        state=InboxState.PENDING, attempts=0, next_attempt_at=now, claim_token=None
    )
    return chosen


def purge(store: ConsumerStore, *, before: datetime) -> int:
    """Delete rows completed before `before`; return how many.

    A row is what makes a redelivery a no-op, so keep them longer than any message can
    linger in the broker.
    """
    deleted, _ = store.rows.filter(state=InboxState.COMPLETED, completed_at__lt=before).delete()
    return deleted
