"""Real workers on PostgreSQL and Redis: end to end, two at once, one killed mid-burst, and
relay and consumer in processes that each open only their own context's database."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from contexts.accounts import api as accounts_api
from contexts.blog.models import Author
from contexts.kernel.events.models import InboxState, RelayState
from contexts.kernel.events.publishing import publish
from tests.events import inbox_row, outbox_row
from tests.eventsapp.events import Burst, DoomedThing, FlakyThing
from tests.eventsapp.models import Effect, InboxRecord, OutboxEvent, Switch
from tests.eventsapp.services import burst_publish, thing_create
from tests.workers import PROJECT_ROOT, Worker, test_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, databases="__all__")]

SETTLE_TIMEOUT = 45.0
# The guarantee: after a restart, every effect lands within this many seconds.
RECOVERY_SECONDS = 30.0


def _wait_until(
    predicate: Callable[[], bool], *, what: str, workers: list[Worker], timeout=SETTLE_TIMEOUT
) -> float:
    started = time.monotonic()
    while time.monotonic() < started + timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.1)
    states = dict(InboxRecord.objects.values_list("state").annotate(n=Count("pk")))
    logs = "\n".join(f"--- {w.name}\n{w.log()[-2500:]}" for w in workers)
    pytest.fail(f"timed out waiting until {what}; inbox rows by state: {states}\n{logs}")


def _all_completed(expected: int) -> Callable[[], bool]:
    def check() -> bool:
        return InboxRecord.objects.filter(state=InboxState.COMPLETED).count() == expected

    return check


def _assert_each_effect_exactly_once(expected: int) -> None:
    assert Effect.objects.count() == expected
    per_event = Effect.objects.values("event_id", "subscriber").annotate(n=Count("pk"))
    assert {row["n"] for row in per_event} == {1}
    published = set(OutboxEvent.objects.values_list("event_id", flat=True))
    assert set(Effect.objects.values_list("event_id", flat=True)) == published


def _publish_burst(count: int, *, batch: int = 50, stall: str | None = None) -> None:
    for start in range(0, count, batch):
        keys = [f"k{n}" for n in range(start, min(start + batch, count))]
        burst_publish(keys=keys, stall=stall)


def _status() -> dict:
    out = StringIO()
    call_command("events", "status", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_worker_relays_and_applies_an_event_for_each_subscriber(start_worker):
    worker = start_worker("solo").wait_ready()

    thing_create(key="hello")

    _wait_until(_all_completed(2), what="both subscribers are served", workers=[worker])
    effects = sorted(Effect.objects.values_list("subscriber", "key", "worker"))
    assert effects == [("audit", "hello", "solo"), ("record", "hello", "solo")]
    assert OutboxEvent.objects.get().state == RelayState.SENT


def test_two_consumers_apply_a_burst_of_500_with_every_effect_exactly_once(start_worker):
    small_batches = {"EVENTS_BATCH": "50"}
    workers = [
        start_worker("one", env=small_batches),
        start_worker("two", args=("--no-relay",), env=small_batches),
    ]
    for worker in workers:
        worker.wait_ready()

    _publish_burst(500)

    _wait_until(_all_completed(500), what="500 events are applied", workers=workers)
    _assert_each_effect_exactly_once(500)
    # Both took part, so the claims really were contended.
    assert set(Effect.objects.values_list("worker", flat=True)) == {"one", "two"}
    total = _status()["total"]
    assert total["outbox"] == {"pending": 0, "sent": 500, "failed": 0}
    assert total["inbox"] == {"pending": 0, "in_flight": 0, "completed": 500, "failed": 0}


def test_a_worker_killed_mid_burst_loses_nothing_doubles_nothing_and_recovers(start_worker):
    first = start_worker("doomed-worker").wait_ready()
    _publish_burst(300, stall="k40")

    def in_the_middle() -> bool:
        return Switch.objects.filter(name="stalling").exists()

    _wait_until(in_the_middle, what="the stalling event is being applied", workers=[first])
    first.kill()

    # The kill caught it mid-transaction: its effect never committed, nor its inbox row
    # (read the first time, an event is recorded in the transaction that applies it).
    assert not Effect.objects.filter(key="k40").exists()
    assert not InboxRecord.objects.filter(payload__key="k40").exists()
    Switch.objects.create(name="release", on=True)

    second = start_worker("rescuer").wait_ready()
    recovery = _wait_until(
        _all_completed(300),
        what="every event is applied after the restart",
        workers=[first, second],
        timeout=RECOVERY_SECONDS,
    )

    _assert_each_effect_exactly_once(300)
    # The rescuer took the entry over from the dead reader: that delivery's row is
    # committed, its attempt counted, before it is applied (so an event that kills its
    # worker every time ends failed instead of looping).
    row = inbox_row("eventsapp", Burst, key="k40")
    assert (row.state, row.attempts) == (InboxState.COMPLETED, 1)
    assert recovery <= RECOVERY_SECONDS


def test_an_entry_read_but_never_acknowledged_comes_back(start_worker, events_prefix):
    # A consumer reads the entry and dies before writing it to the inbox.
    relay = start_worker("relay-only", args=("--no-consume",)).wait_ready()
    thing_create(key="lost")
    _wait_until(
        lambda: OutboxEvent.objects.filter(state=RelayState.SENT).exists(),
        what="the event is sent",
        workers=[relay],
    )
    taker = subprocess.run(
        [sys.executable, "-c", TAKE_AND_DIE],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "EVENTS_BROKER_PREFIX": events_prefix,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "took eventsapp.ThingHappened.v1" in taker.stdout, taker.stdout + taker.stderr
    assert not InboxRecord.objects.exists()

    consumer = start_worker(
        "consumer", args=("--no-relay",), env={"EVENTS_BROKER_VISIBILITY_SECONDS": "1"}
    ).wait_ready()

    _wait_until(_all_completed(2), what="the entry comes back", workers=[relay, consumer])
    assert sorted(Effect.objects.values_list("subscriber", flat=True)) == ["audit", "record"]


# Reads the test app's new entries as its consumer group, without acknowledging them,
# then is killed.
TAKE_AND_DIE = """
import os, signal, django
django.setup()
from contexts.kernel.events import transports
from contexts.kernel.events.config import events_config
reader = transports.StreamConsumer(events_config(), "eventsapp", "doomed-reader")
for delivery in reader.read(block_ms=5000):
    print("took", delivery.envelope.type_name, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_retries_with_backoff_until_success_or_failure_then_resubmit(start_worker):
    worker = start_worker("retrier").wait_ready()
    flaky = FlakyThing(key="flaky", fail_times=3)
    doomed = DoomedThing(key="doomed")

    with transaction.atomic(using="default"):
        publish(flaky, using="default")
        publish(doomed, using="default")

    def settled() -> bool:
        states = set(InboxRecord.objects.values_list("state", flat=True))
        return states <= {InboxState.COMPLETED, InboxState.FAILED} and len(states) == 2

    _wait_until(settled, what="flaky completes and doomed fails", workers=[worker])
    flaky_row = InboxRecord.objects.get(event_id=flaky.event_id)
    doomed_row = InboxRecord.objects.get(event_id=doomed.event_id)
    assert (flaky_row.state, flaky_row.attempts) == (InboxState.COMPLETED, 4)
    assert (doomed_row.state, doomed_row.attempts) == (InboxState.FAILED, 5)
    assert doomed_row.last_error.startswith("RuntimeError: the doomed switch is off")
    assert Effect.objects.filter(subscriber="flaky").count() == 1

    Switch.objects.create(name="doomed", on=True)
    call_command("events", "resubmit", f"inbox:eventsapp:{doomed_row.pk}", stdout=StringIO())

    _wait_until(_all_completed(2), what="the resubmitted one completes", workers=[worker])
    assert Effect.objects.filter(subscriber="doomed").count() == 1
    assert _status()["total"]["inbox"]["failed"] == 0


def test_the_relay_and_the_consumer_each_open_only_their_own_contexts_database(start_worker):
    relay = start_worker("accounts-relay", contexts="accounts", args=("--no-consume",)).wait_ready()
    consumer = start_worker(
        "blog-consumer", contexts="blog", args=("--no-relay", "--context", "blog")
    ).wait_ready()

    account = accounts_api.account_register(name="carol", password="correct-horse-battery")

    _wait_until(
        lambda: Author.objects.filter(account_id=account.id).exists(),
        what="the blog creates carol's author",
        workers=[relay, consumer],
    )
    assert outbox_row("accounts", accounts_api.AccountRegistered).state == RelayState.SENT
    assert inbox_row("blog", accounts_api.AccountRegistered).state == InboxState.COMPLETED
    assert "relaying accounts; consuming nothing" in relay.log()
    assert "relaying nothing; consuming blog" in consumer.log()
    assert "blog" not in _status_of_a_process_that_opens("accounts")["inbox"]


def _status_of_a_process_that_opens(context: str) -> dict:
    done = subprocess.run(
        [sys.executable, "manage.py", "events", "status", "--json"],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PROCESS_CONTEXTS": context,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)
