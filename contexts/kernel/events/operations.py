"""What an operator does with the registry: look at it, resubmit, purge, sweep."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from contexts.kernel.events import dispatch, registry
from contexts.kernel.events.config import events_config
from contexts.kernel.events.delivery import sweep
from contexts.kernel.events.models import State
from contexts.kernel.events.stores import ProducerStore, inbox_stores, producer_stores

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
COUNTED = (*(state.value for state in State), "stale")


class InvalidReference(ValueError):
    """A publication reference is not "<alias>:<id>" (or a bare id with one alias)."""


@dataclass(frozen=True)
class FailedPublication:
    """A failed publication as the operator sees it."""

    ref: str
    alias: str
    id: int
    event_type: str
    event_id: str
    subscriber: str
    attempts: int
    error: str
    created_at: datetime


def _stores(alias: str | None) -> dict[str, ProducerStore]:
    stores = producer_stores()
    if alias is None:
        return stores
    if alias not in stores:
        raise InvalidReference(f"no outbox in alias '{alias}' (known: {', '.join(stores)})")
    return {alias: stores[alias]}


def status(*, alias: str | None = None, now: datetime | None = None) -> dict:
    """Return counts by state per producer alias and in total, with stale and oldest pending."""
    config = events_config()
    now = now or timezone.now()
    per_alias = {
        name: registry.counts(store, now=now, stale_after=config.stale_after)
        for name, store in _stores(alias).items()
    }
    total: dict = {key: sum(row[key] for row in per_alias.values()) for key in COUNTED}
    ages = [
        row["oldest_pending_age_seconds"]
        for row in per_alias.values()
        if row["oldest_pending_age_seconds"] is not None
    ]
    total["oldest_pending_age_seconds"] = max(ages) if ages else None
    return {
        "stale_after_seconds": config.stale_after.total_seconds(),
        "aliases": per_alias,
        "total": total,
    }


def failed(*, alias: str | None = None, limit: int = 100) -> list[FailedPublication]:
    """Return failed publications with their errors, newest first."""
    found = []
    for name, store in _stores(alias).items():
        for row in registry.failed_rows(store, limit=limit):
            found.append(
                FailedPublication(
                    ref=f"{name}:{row.pk}",
                    alias=name,
                    id=row.pk,
                    event_type=row.event_type,
                    event_id=str(row.event_id),
                    subscriber=row.subscriber,
                    attempts=row.attempts,
                    error=row.last_error,
                    created_at=row.created_at,
                )
            )
    found.sort(key=lambda item: item.created_at, reverse=True)
    return found[:limit]


def parse_refs(refs: list[str], *, alias: str | None = None) -> dict[str, list[int]]:
    """Turn "<alias>:<id>" references (or bare ids, given one alias) into ids by alias."""
    stores = producer_stores()
    by_alias: dict[str, list[int]] = {}
    for ref in refs:
        name, _, number = ref.rpartition(":")
        name = name or alias or (next(iter(stores)) if len(stores) == 1 else "")
        if not name:
            raise InvalidReference(f"'{ref}': say which alias, as <alias>:<id>")
        if name not in stores:
            raise InvalidReference(f"'{ref}': no outbox in alias '{name}'")
        if not number.isdigit():
            raise InvalidReference(f"'{ref}': the id must be a number")
        by_alias.setdefault(name, []).append(int(number))
    return by_alias


def resubmit(
    *, refs: list[str] | None = None, alias: str | None = None, now: datetime | None = None
) -> dict[str, list[int]]:
    """Resubmit publications (all failed, stale and waiting ones when `refs` is None).

    Each gets a fresh round of attempts and is sent for delivery at once. Returns the
    ids resubmitted by alias; references that were completed or are held by a live
    worker are not among them.
    """
    config = events_config()
    now = now or timezone.now()
    if refs is None:
        wanted: dict[str, list[int] | None] = dict.fromkeys(_stores(alias))
    else:
        wanted = dict(parse_refs(refs, alias=alias))
    done: dict[str, list[int]] = {}
    stores = producer_stores()
    for name, ids in wanted.items():
        chosen = registry.resubmit(stores[name], ids=ids, now=now, stale_after=config.stale_after)
        if chosen:
            dispatch.send_deliveries(name, chosen)
            done[name] = chosen
    return done


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


def purge(*, before: datetime, alias: str | None = None) -> dict[str, dict[str, int]]:
    """Delete completed publications, unneeded outbox rows and inbox rows older than `before`."""
    deleted: dict[str, dict[str, int]] = {}
    for name, store in _stores(alias).items():
        publications, outbox = registry.purge_completed(store, before=before)
        row = deleted.setdefault(name, {"publications": 0, "outbox": 0, "inbox": 0})
        row["publications"] += publications
        row["outbox"] += outbox
    for store in inbox_stores():
        if alias is not None and store.alias != alias:
            continue
        row = deleted.setdefault(store.alias, {"publications": 0, "outbox": 0, "inbox": 0})
        row["inbox"] += registry.purge_inbox(store, before=before)
    return deleted


def purge_expired(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Purge what is older than the retention setting (EVENTS_KEEP_COMPLETED_DAYS)."""
    now = now or timezone.now()
    return purge(before=now - events_config().keep_completed)


def sweep_now() -> dict[str, list[int]]:
    """Run the sweep once and send what it found; return the ids by alias."""
    found = sweep()
    for name, ids in found.items():
        dispatch.send_deliveries(name, ids)
    return found
