"""What an operator does with the outboxes and inboxes: look at them, resubmit, purge, sweep.

Rows are named `outbox:<context>:<id>` (an event on its way to the broker) and
`inbox:<context>:<id>` (an event a context's subscriber applies).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connections
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from contexts.kernel.events import dispatch, inbox, relay
from contexts.kernel.events.config import events_config
from contexts.kernel.events.models import InboxState, RelayState
from contexts.kernel.events.stores import consumer_stores, producer_stores

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
REFERENCE = re.compile(r"^(outbox|inbox):([A-Za-z_][A-Za-z0-9_]*):([0-9]+)$")
OUTBOX, INBOX = "outbox", "inbox"
OUTBOX_COUNTS = ("pending", "sent", "failed")
INBOX_COUNTS = ("pending", "in_flight", "completed", "failed")


class InvalidReference(ValueError):
    """A row reference is not "outbox:<context>:<id>" or "inbox:<context>:<id>"."""


@dataclass(frozen=True)
class FailedRow:
    """A failed outbox or inbox row as the operator sees it."""

    ref: str
    side: str
    context: str
    id: int
    event_type: str
    event_id: str
    subscriber: str
    attempts: int
    error: str
    at: datetime


def _age(oldest: datetime | None, now: datetime) -> float | None:
    return round((now - oldest).total_seconds(), 3) if oldest else None


def _by_state(rows: QuerySet[Any]) -> dict[str, int]:
    return dict(rows.values_list("state").annotate(n=Count("pk")).order_by())


def _names(stores: Mapping[str, object], context: str | None) -> list[str]:
    """Return the contexts of `stores` to look at: all, or the one asked for."""
    if context is not None and context not in {*producer_stores(), *consumer_stores()}:
        known = sorted({*producer_stores(), *consumer_stores()})
        raise InvalidReference(f"no such context here: '{context}' (known: {', '.join(known)})")
    return [name for name in stores if context is None or name == context]


def status(*, context: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Return each local outbox and inbox by state, with the age of its oldest pending row."""
    now = now or timezone.now()
    report: dict[str, Any] = {OUTBOX: {}, INBOX: {}}
    producers, consumers = producer_stores(), consumer_stores()
    for name in _names(producers, context):
        rows = producers[name].rows
        states = _by_state(rows)
        oldest = rows.filter(state=RelayState.PENDING).aggregate(at=Min("recorded_at"))["at"]
        report[OUTBOX][name] = {
            **{state: states.get(state, 0) for state in OUTBOX_COUNTS},
            "oldest_pending_age_seconds": _age(oldest, now),
        }
    for name in _names(consumers, context):
        inbox_rows = consumers[name].rows
        states = _by_state(inbox_rows)
        held = Q(state=InboxState.PENDING, claim_token__isnull=False, next_attempt_at__gt=now)
        in_flight = inbox_rows.filter(held).count()
        waiting = inbox_rows.filter(state=InboxState.PENDING)
        oldest = waiting.aggregate(at=Min("received_at"))["at"]
        report[INBOX][name] = {
            "pending": states.get(InboxState.PENDING, 0) - in_flight,
            "in_flight": in_flight,
            "completed": states.get(InboxState.COMPLETED, 0),
            "failed": states.get(InboxState.FAILED, 0),
            "oldest_pending_age_seconds": _age(oldest, now),
        }
    report["total"] = {
        side: {key: sum(row[key] for row in report[side].values()) for key in keys}
        for side, keys in ((OUTBOX, OUTBOX_COUNTS), (INBOX, INBOX_COUNTS))
    }
    return report


def failed(*, context: str | None = None, limit: int = 100) -> list[FailedRow]:
    """Return failed outbox and inbox rows with their errors, newest first."""
    found = []
    producers, consumers = producer_stores(), consumer_stores()
    for name in _names(producers, context):
        rows = producers[name].rows.filter(state=RelayState.FAILED).order_by("-recorded_at")
        found += [
            FailedRow(
                f"{OUTBOX}:{name}:{row.pk}", OUTBOX, name, row.pk, row.type_name,
                str(row.event_id), "", row.attempts, row.last_error, row.recorded_at,
            )
            for row in rows[:limit]
        ]  # fmt: skip
    for name in _names(consumers, context):
        failed_rows = consumers[name].rows.filter(state=InboxState.FAILED).order_by("-received_at")
        found += [
            FailedRow(
                f"{INBOX}:{name}:{row.pk}", INBOX, name, row.pk, row.type_name,
                str(row.event_id), row.subscriber, row.attempts, row.last_error,
                row.received_at,
            )
            for row in failed_rows[:limit]
        ]  # fmt: skip
    found.sort(key=lambda item: item.at, reverse=True)
    return found[:limit]


def parse_refs(refs: list[str]) -> dict[tuple[str, str], list[int]]:
    """Turn "outbox:<context>:<id>" / "inbox:<context>:<id>" into ids by (side, context)."""
    stores: dict[str, Mapping[str, object]] = {OUTBOX: producer_stores(), INBOX: consumer_stores()}
    wanted: dict[tuple[str, str], list[int]] = {}
    for ref in refs:
        match = REFERENCE.match(ref.strip())
        if not match:
            raise InvalidReference(f"'{ref}': write outbox:<context>:<id> or inbox:<context>:<id>")
        side, name, number = match.groups()
        if name not in stores[side]:
            raise InvalidReference(f"'{ref}': no {side} of context '{name}' here")
        wanted.setdefault((side, name), []).append(int(number))
    return wanted


def resubmit(
    *, refs: list[str] | None = None, context: str | None = None, now: datetime | None = None
) -> dict[str, list[str]]:
    """Give failed or waiting rows a fresh round of attempts and start them now.

    `refs=None` takes every failed and waiting row (of one context, if given). Returns
    the references taken; sent, completed and in-flight rows are left alone.
    """
    now = now or timezone.now()
    if refs is None:
        wanted: dict[tuple[str, str], list[int] | None] = {
            **{(OUTBOX, name): None for name in _names(producer_stores(), context)},
            **{(INBOX, name): None for name in _names(consumer_stores(), context)},
        }
    else:
        wanted = dict(parse_refs(refs))
    done: dict[str, list[str]] = {OUTBOX: [], INBOX: []}
    for (side, name), ids in wanted.items():
        if side == OUTBOX:
            store = producer_stores()[name]
            taken = relay.resubmit(store, ids=ids, now=now)
            if taken:
                _wake(store.alias)
        else:
            taken = inbox.resubmit(consumer_stores()[name], ids=ids, now=now)
        done[side] += [f"{side}:{name}:{pk}" for pk in taken]
    if done[INBOX] and dispatch.is_eager():
        for name in {ref.split(":")[1] for ref in done[INBOX]}:
            dispatch.process_due(consumer_stores()[name], events_config())
    return done


def _wake(alias: str) -> None:
    """Start relaying resubmitted outbox rows now: here, or by notifying the worker."""
    if dispatch.is_eager():
        dispatch.deliver_here(alias)
        return
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [dispatch.NOTIFY_CHANNEL, alias])


def parse_moment(text: str, *, now: datetime | None = None) -> datetime:
    """Read an ISO datetime (UTC unless it says otherwise) or an age like 7d, 12h, 30m."""
    now = now or timezone.now()
    match = DURATION.match(text)
    if match:
        amount, unit = match.groups()
        return now - timedelta(**{UNITS[unit]: float(amount)})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"'{text}' is neither an ISO datetime nor a duration like 7d, 12h, 30m"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def purge(*, before: datetime, context: str | None = None) -> dict[str, dict[str, int]]:
    """Delete outbox rows sent, and inbox rows completed, before `before`."""
    deleted: dict[str, dict[str, int]] = {}
    for name in _names(producer_stores(), context):
        row = deleted.setdefault(name, {OUTBOX: 0, INBOX: 0})
        row[OUTBOX] += relay.purge(producer_stores()[name], before=before)
    for name in _names(consumer_stores(), context):
        row = deleted.setdefault(name, {OUTBOX: 0, INBOX: 0})
        row[INBOX] += inbox.purge(consumer_stores()[name], before=before)
    return deleted


def purge_expired(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Purge what is older than the retention setting (EVENTS_KEEP_COMPLETED_DAYS)."""
    now = now or timezone.now()
    return purge(before=now - events_config().keep_completed)


def sweep_now() -> dispatch.SweepResult:
    """Relay every local outbox and apply every local inbox, once, now."""
    return dispatch.sweep()
