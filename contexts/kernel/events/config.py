"""The EVENTS_* settings, read with their defaults each time (tests may override them)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings

from contexts.kernel.retry import RetryPolicy

DEFAULTS = {
    "EVENTS_MAX_ATTEMPTS": 10,
    "EVENTS_RETRY_BASE_SECONDS": 2.0,
    "EVENTS_RETRY_MAX_SECONDS": 600.0,
    "EVENTS_RETRY_JITTER": 0.5,
    "EVENTS_BATCH": 500,
    "EVENTS_LEASE_SECONDS": 10.0,
    "EVENTS_POLL_SECONDS": 1.0,
    "EVENTS_LINGER_MS": 20.0,
    "EVENTS_BROKER_URL": "",
    "EVENTS_BROKER_PREFIX": "events",
    "EVENTS_BROKER_VISIBILITY_SECONDS": 10.0,
    "EVENTS_KEEP_COMPLETED_DAYS": 7.0,
    "EVENTS_EAGER_SWEEP_LIMIT": 10,
}


@dataclass(frozen=True)
class EventsConfig:
    """How events are batched, leased, retried and kept, and which broker carries them."""

    retry: RetryPolicy
    batch: int
    lease: timedelta
    poll_seconds: float
    # After a relay pass or a stream read that found several events, the worker waits this
    # long before the next, so that under a stream of commits each batch takes what the
    # wait gathered; one event at a time goes on at once.
    linger_seconds: float
    broker_url: str
    broker_prefix: str
    broker_visibility_seconds: float
    keep_completed: timedelta
    eager_sweep_limit: int


def _setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def events_config() -> EventsConfig:
    """Return the current configuration of event delivery."""
    return EventsConfig(
        retry=RetryPolicy(
            max_attempts=int(_setting("EVENTS_MAX_ATTEMPTS")),
            base_seconds=float(_setting("EVENTS_RETRY_BASE_SECONDS")),
            cap_seconds=float(_setting("EVENTS_RETRY_MAX_SECONDS")),
            jitter=float(_setting("EVENTS_RETRY_JITTER")),
        ),
        batch=max(1, int(_setting("EVENTS_BATCH"))),
        lease=timedelta(seconds=float(_setting("EVENTS_LEASE_SECONDS"))),
        poll_seconds=float(_setting("EVENTS_POLL_SECONDS")),
        linger_seconds=max(0.0, float(_setting("EVENTS_LINGER_MS"))) / 1000,
        broker_url=_setting("EVENTS_BROKER_URL") or "",
        broker_prefix=_setting("EVENTS_BROKER_PREFIX") or "events",
        broker_visibility_seconds=float(_setting("EVENTS_BROKER_VISIBILITY_SECONDS")),
        keep_completed=timedelta(days=float(_setting("EVENTS_KEEP_COMPLETED_DAYS"))),
        eager_sweep_limit=int(_setting("EVENTS_EAGER_SWEEP_LIMIT")),
    )
