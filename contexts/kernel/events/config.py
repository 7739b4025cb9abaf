"""The EVENTS_* settings, read with their defaults each time (tests may override them)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from contexts.kernel.retry import RetryPolicy

DEFAULTS = {
    "EVENTS_MAX_ATTEMPTS": 10,
    "EVENTS_RETRY_BASE_SECONDS": 2.0,
    "EVENTS_RETRY_MAX_SECONDS": 600.0,
    "EVENTS_RETRY_JITTER": 0.5,
    "EVENTS_STALE_AFTER_SECONDS": 300.0,
    "EVENTS_KEEP_COMPLETED_DAYS": 7.0,
    "EVENTS_SWEEP_BATCH": 500,
    "EVENTS_EAGER_SWEEP_LIMIT": 10,
    "EVENTS_QUEUE": None,
}


@dataclass(frozen=True)
class EventsConfig:
    """How deliveries are retried, when a claim is presumed dead, how long rows are kept."""

    retry: RetryPolicy
    stale_after: timedelta
    keep_completed: timedelta
    sweep_batch: int
    eager_sweep_limit: int
    queue: str | None


def _setting(name: str):
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
        stale_after=timedelta(seconds=float(_setting("EVENTS_STALE_AFTER_SECONDS"))),
        keep_completed=timedelta(days=float(_setting("EVENTS_KEEP_COMPLETED_DAYS"))),
        sweep_batch=int(_setting("EVENTS_SWEEP_BATCH")),
        eager_sweep_limit=int(_setting("EVENTS_EAGER_SWEEP_LIMIT")),
        queue=_setting("EVENTS_QUEUE") or None,
    )
