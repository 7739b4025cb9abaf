"""Handlers of the test app: each records an Effect, some fail on purpose first."""

import os
import threading
import time

from django.db import connections

from contexts.kernel.events.subscriptions import subscriber_name
from tests.eventsapp.events import Burst, DoomedThing, FlakyThing, ThingHappened
from tests.eventsapp.models import Effect, InboxRecord, Switch


def _effect(event, subscriber: str) -> None:
    Effect.objects.create(
        event_id=event.event_id,
        subscriber=subscriber,
        key=event.key,
        worker=os.environ.get("EVENTS_TEST_WORKER", "inline"),
    )


def record_effect(event: ThingHappened) -> None:
    """Record that the thing happened."""
    _effect(event, "record")


def audit_effect(event: ThingHappened) -> None:
    """A second subscriber of the same event type."""
    _effect(event, "audit")


def flaky(event: FlakyThing) -> None:
    """Fail while this is attempt number `fail_times` or less; the effect rolls back then."""
    _effect(event, "flaky")
    attempts = InboxRecord.objects.get(
        event_id=event.event_id, subscriber=subscriber_name(flaky)
    ).attempts
    if attempts <= event.fail_times:
        raise RuntimeError(f"flaky failure on attempt {attempts}")


def doomed(event: DoomedThing) -> None:
    """Fail until a test turns the "doomed" switch on."""
    if not Switch.objects.filter(name="doomed", on=True).exists():
        raise RuntimeError("the doomed switch is off")
    _effect(event, "doomed")


STALL_LIMIT_SECONDS = 30


def _announce_stalling() -> None:
    """Say that a handler is stalling, committed at once: from a thread, which has a
    database connection (and so a transaction) of its own."""

    def announce() -> None:
        try:
            Switch.objects.get_or_create(name="stalling", defaults={"on": True})
        finally:
            connections.close_all()

    thread = threading.Thread(target=announce)
    thread.start()
    thread.join()


def record_burst(event: Burst) -> None:
    """Record one event of a burst (and stall, if asked, until released)."""
    _effect(event, "burst")
    if event.stall and not Switch.objects.filter(name="release", on=True).exists():
        _announce_stalling()
    deadline = time.monotonic() + STALL_LIMIT_SECONDS
    while event.stall and not Switch.objects.filter(name="release", on=True).exists():
        if time.monotonic() > deadline:
            raise RuntimeError("stalled and never released")
        time.sleep(0.05)
