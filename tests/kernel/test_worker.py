"""Real workers on PostgreSQL and Redis: end to end, two at once, one killed mid-burst."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from contexts.kernel.events import operations
from contexts.kernel.events.models import State
from contexts.kernel.events.publishing import publish
from tests.eventsapp.events import DoomedThing, FlakyThing
from tests.eventsapp.models import Effect, EventPublication, OutboxEvent, Switch
from tests.eventsapp.services import burst_publish, thing_create

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, databases="__all__")]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 30.0
SETTLE_TIMEOUT = 45.0
# Short backoff so that retries happen within a test; the same values in both processes.
WORKER_SETTINGS = {
    "EVENTS_MAX_ATTEMPTS": 5,
    "EVENTS_RETRY_BASE_SECONDS": 0.2,
    "EVENTS_RETRY_MAX_SECONDS": 1.0,
    "EVENTS_RETRY_JITTER": 0.5,
}


def _test_database_url() -> str:
    """The URL of the test database this run created (not the one DATABASE_URL names)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


class Worker:
    """A Celery worker in a process of its own, consuming one queue."""

    def __init__(self, name: str, queue: str, log_dir: Path):
        self.name = name
        self.queue = queue
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "EVENTS_QUEUE": self.queue,
            "EVENTS_TEST_WORKER": self.name,
            "VAR_DIR": str(self.log_path.parent),
            **{key: str(value) for key, value in WORKER_SETTINGS.items()},
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "blog_project",
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "-Q",
            self.queue,
            "-n",
            f"{self.name}-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to kill it whole
            )
        return self

    def wait_ready(self) -> "Worker":
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if " ready." in self.log():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"worker {self.name} did not start:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and everything it started: no clean-up, no acknowledgements."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def _forget_queue(client: redis.Redis, queue: str) -> None:
    """Drop the queue and any unacknowledged message of it that a killed worker left behind."""
    client.delete(queue)
    for tag, raw in client.hgetall("unacked").items():
        try:
            _, _, routing_key = json.loads(raw)
        except (ValueError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@pytest.fixture
def queue(redis_broker, postgres, settings) -> Iterator[str]:
    """A queue of this test's own, emptied before and after; the test settings to match."""
    name = f"events-test-{uuid.uuid4().hex[:10]}"
    for key, value in WORKER_SETTINGS.items():
        setattr(settings, key, value)
    settings.EVENTS_QUEUE = name
    client = redis.Redis.from_url(redis_broker)
    _forget_queue(client, name)
    yield name
    _forget_queue(client, name)


@pytest.fixture
def start_worker(queue, tmp_path) -> Iterator[Callable[[str], Worker]]:
    """Start workers on the test's queue; every one is stopped when the test ends."""
    started: list[Worker] = []

    def start(name: str) -> Worker:
        worker = Worker(name, queue, tmp_path).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


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
