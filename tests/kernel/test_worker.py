"""Real workers on PostgreSQL and Redis: end to end, two at once, one killed mid-burst."""

import json
import time
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from contexts.kernel.events import operations
from contexts.kernel.events.models import State
from contexts.kernel.events.publishing import publish
from tests.eventsapp.events import DoomedThing, FlakyThing
from tests.eventsapp.models import Effect, EventPublication, OutboxEvent, Switch
from tests.eventsapp.services import burst_publish, thing_create
from tests.workers import Worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, databases="__all__")]

SETTLE_TIMEOUT = 45.0


def _wait_until(predicate: Callable[[], bool], *, what: str, workers: list[Worker]) -> None:
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    states = dict(EventPublication.objects.values_list("state").annotate(n=Count("pk")))
    logs = "\n".join(f"--- {w.name}\n{w.log()[-2000:]}" for w in workers)
    pytest.fail(f"timed out waiting until {what}; publications by state: {states}\n{logs}")


def _all_completed(expected: int) -> Callable[[], bool]:
    def check() -> bool:
        return EventPublication.objects.filter(state=State.COMPLETED).count() == expected

    return check


def _assert_each_effect_exactly_once(expected: int) -> None:
    assert Effect.objects.count() == expected
    per_event = Effect.objects.values("event_id", "subscriber").annotate(n=Count("pk"))
    assert {row["n"] for row in per_event} == {1}
    published = set(EventPublication.objects.values_list("event_id", flat=True))
    assert set(Effect.objects.values_list("event_id", flat=True)) == published


def _publish_burst(count: int, *, batch: int = 50, stall: str | None = None) -> None:
    for start in range(0, count, batch):
        keys = [f"k{n}" for n in range(start, min(start + batch, count))]
        burst_publish(keys=keys, stall=stall)


def _status() -> dict:
    out = StringIO()
    call_command("events", "status", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_worker_delivers_an_event_to_each_subscriber_end_to_end(start_worker):
    worker = start_worker("solo").wait_ready()

    thing_create(key="hello")

    _wait_until(_all_completed(2), what="both subscribers are served", workers=[worker])
    effects = sorted(Effect.objects.values_list("subscriber", "key", "worker"))
    assert effects == [("audit", "hello", "solo"), ("record", "hello", "solo")]


def test_two_workers_deliver_a_burst_of_500_with_every_effect_exactly_once(start_worker):
    workers = [start_worker("one"), start_worker("two")]
    for worker in workers:
        worker.wait_ready()

    _publish_burst(500)

    _wait_until(_all_completed(500), what="500 publications complete", workers=workers)
    _assert_each_effect_exactly_once(500)
    # Both took part, so the claims really were contended.
    assert set(Effect.objects.values_list("worker", flat=True)) == {"one", "two"}
    total = _status()["total"]
    assert (total["completed"], total["failed"], total["stale"], total["pending"]) == (500, 0, 0, 0)


def test_a_worker_killed_mid_burst_loses_nothing(start_worker, settings):
    first = start_worker("doomed-worker").wait_ready()
    _publish_burst(300, stall="k40")
    stalled = EventPublication.objects.get(
        event_id=OutboxEvent.objects.get(payload__key="k40").event_id
    )

    def in_the_middle() -> bool:
        return EventPublication.objects.filter(pk=stalled.pk, state=State.PROCESSING).exists()

    _wait_until(in_the_middle, what="the stalling event is being handled", workers=[first])
    first.kill()

    # The stalled delivery cannot have finished: the kill caught it in processing, its
    # effect uncommitted.
    stalled.refresh_from_db()
    assert stalled.state == State.PROCESSING
    assert not Effect.objects.filter(key="k40").exists()
    Switch.objects.create(name="release", on=True)
    # The worker is known dead, so no staleness threshold needs to pass: the sweep (what
    # beat runs) puts back what it held, and a fresh worker delivers everything.
    settings.EVENTS_STALE_AFTER_SECONDS = 0
    operations.sweep_now()
    second = start_worker("rescuer").wait_ready()

    _wait_until(_all_completed(300), what="300 publications complete", workers=[first, second])
    _assert_each_effect_exactly_once(300)
    assert EventPublication.objects.get(pk=stalled.pk).attempts == 2
    assert _status()["total"]["stale"] == 0


def test_retries_with_backoff_until_success_or_failure_then_resubmit(start_worker):
    worker = start_worker("retrier").wait_ready()
    flaky = FlakyThing(key="flaky", fail_times=3)
    doomed = DoomedThing(key="doomed")

    with transaction.atomic(using="default"):
        publish(flaky, using="default")
        publish(doomed, using="default")

    def settled() -> bool:
        states = set(EventPublication.objects.values_list("state", flat=True))
        return states <= {State.COMPLETED, State.FAILED} and len(states) == 2

    _wait_until(settled, what="flaky completes and doomed fails", workers=[worker])
    flaky_row = EventPublication.objects.get(event_id=flaky.event_id)
    doomed_row = EventPublication.objects.get(event_id=doomed.event_id)
    assert (flaky_row.state, flaky_row.attempts) == (State.COMPLETED, 4)
    assert (doomed_row.state, doomed_row.attempts) == (State.FAILED, 5)
    assert doomed_row.last_error.startswith("RuntimeError: the doomed switch is off")
    assert Effect.objects.filter(subscriber="flaky").count() == 1

    Switch.objects.create(name="doomed", on=True)
    call_command("events", "resubmit", f"default:{doomed_row.pk}", stdout=StringIO())

    _wait_until(_all_completed(2), what="the resubmitted one completes", workers=[worker])
    assert Effect.objects.filter(subscriber="doomed").count() == 1
    assert _status()["total"]["failed"] == 0
