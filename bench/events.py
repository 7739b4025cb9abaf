"""Benchmark event delivery: end-to-end throughput with one worker, and the outbox's cost.

Run from the project root with a PostgreSQL server and a Redis broker:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/events.py

It (re)creates its own database, bench_events, on the server DATABASE_URL names,
migrates it, and drops it at the end (--keep leaves it). It measures, on the test app's
use case (create a row; announce it with an event that two handlers subscribe to):

1. the use case's latency without the event, with the outbox write only, and with the
   outbox write plus the after-commit send to Redis (what a request pays);
2. events delivered per second by one worker process (prefork, one child per core, as
   `make worker` runs it) draining a backlog already queued;
3. the latency of one event at a time, publish -> effect committed, with an idle worker;
4. events delivered per second end to end (publish -> handler effect committed) while
   this process keeps publishing a burst.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "bench_events"
QUEUE = f"events-bench-{uuid.uuid4().hex[:8]}"

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("DATABASE_URL must name a PostgreSQL server (postgresql://...)")
if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
    sys.exit("CELERY_BROKER_URL must name a Redis broker (redis://...)")
_SERVER = urlsplit(os.environ["DATABASE_URL"])
MAINTENANCE_URL = urlunsplit(_SERVER._replace(path="/postgres"))
# This process and its worker use the bench database and a queue of their own.
os.environ.update(
    {
        "DATABASE_URL": urlunsplit(_SERVER._replace(path=f"/{BENCH_DATABASE}")),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "EVENTS_QUEUE": QUEUE,
        "LOG_LEVEL": "WARNING",
    }
)
sys.path.insert(0, str(PROJECT_ROOT))

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from blog_project.celery import app  # noqa: E402
from contexts.kernel.events import dispatch  # noqa: E402
from contexts.kernel.events.models import State  # noqa: E402
from tests.eventsapp.models import (  # noqa: E402
    Effect,
    EventPublication,
    InboxRecord,
    OutboxEvent,
    Thing,
)
from tests.eventsapp.services import burst_publish, thing_create  # noqa: E402


def _recreate_database(*, drop_only: bool = False) -> None:
    with psycopg.connect(MAINTENANCE_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _summary(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), _percentile(values, 0.95)


def _time_calls(calls: dict, rounds: int) -> dict[str, list[float]]:
    """Time each named call `rounds` times, interleaved so that drift hits all alike."""
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for n in range(rounds):
        for name, call in calls.items():
            started = time.perf_counter()
            call(f"{name}-{n}")
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def measure_publish_latency(rounds: int) -> None:
    def plain(key: str) -> None:
        thing_create(key=key, announce=False)

    def outbox_only(key: str) -> None:
        with mock.patch.object(dispatch, "send_deliveries"):
            thing_create(key=key)

    def outbox_and_send(key: str) -> None:
        thing_create(key=key)

    calls = {"plain": plain, "outbox": outbox_only, "outbox+send": outbox_and_send}
    _time_calls(calls, 50)  # warm up connections and caches
    timings = _time_calls(calls, rounds)
    base_median, base_p95 = _summary(timings["plain"])
    print(f"\nUse case latency ({rounds} calls each; create a row, 1 event, 2 subscribers)")
    print(f"  {'variant':<34}{'median ms':>10}{'p95 ms':>10}{'x median':>10}{'x p95':>8}")
    labels = {
        "plain": "no event",
        "outbox": "+ outbox write (same transaction)",
        "outbox+send": "+ outbox write + send after commit",
    }
    for name, label in labels.items():
        median, p95 = _summary(timings[name])
        print(
            f"  {label:<34}{median:>10.3f}{p95:>10.3f}"
            f"{median / base_median:>10.2f}{p95 / base_p95:>8.2f}"
        )


def _start_worker(
    env: dict, queue: str, name: str, pool: str, concurrency: int
) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "blog_project",
        "worker",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        "-Q",
        queue,
        "-n",
        name,
        "--without-gossip",
        "--without-mingle",
        "--loglevel=WARNING",
    ]
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _wait_ready(app, name: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(destination=[name], timeout=0.5):
            return
    sys.exit("the worker did not answer a ping within 30 s")


def _wait_completed(expected: int, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if EventPublication.objects.filter(state=State.COMPLETED).count() >= expected:
            return
        time.sleep(0.02)
    sys.exit(f"fewer than {expected} publications completed within {timeout:.0f} s")


def _reset_tables() -> None:
    for model in (Effect, EventPublication, InboxRecord, OutboxEvent, Thing):
        model.objects.all().delete()


def measure_throughput(events: int, batch: int) -> None:
    started = time.perf_counter()
    for first in range(0, events, batch):
        burst_publish(keys=[f"b{n}" for n in range(first, min(first + batch, events))])
    published = time.perf_counter() - started
    _wait_completed(events)
    elapsed = time.perf_counter() - started
    occurred = dict(OutboxEvent.objects.values_list("event_id", "occurred_at"))
    lags = [
        (created_at - occurred[event_id]).total_seconds() * 1000
        for event_id, created_at in Effect.objects.values_list("event_id", "created_at")
    ]
    median, p95 = _summary(lags)
    print(
        f"\nThroughput: {events} events (1 subscriber each), published in transactions of {batch}"
    )
    print(f"  publishing took {published:.2f} s ({events / published:.0f} events/s)")
    print(f"  all delivered after {elapsed:.2f} s: {events / elapsed:.0f} events/s end to end")
    print(f"  publish -> effect under that load: median {median:.0f} ms, p95 {p95:.0f} ms")


def publish_backlog(events: int, batch: int) -> None:
    for first in range(0, events, batch):
        burst_publish(keys=[f"q{n}" for n in range(first, min(first + batch, events))])


def measure_drain(events: int) -> None:
    started = time.perf_counter()
    _wait_completed(events)
    elapsed = time.perf_counter() - started
    print(f"\nDrain: {events} events already queued, one worker started and ready")
    print(f"  delivered in {elapsed:.2f} s: {events / elapsed:.0f} events/s")


def measure_single_latency(rounds: int) -> None:
    latencies = []
    for n in range(rounds):
        started = time.perf_counter()
        thing_create(key=f"one-{n}")
        while Effect.objects.filter(key=f"one-{n}").count() < 2:
            time.sleep(0.001)
        latencies.append((time.perf_counter() - started) * 1000)
    median, p95 = _summary(latencies)
    print(f"\nOne event at a time ({rounds}), publish -> both effects committed, idle worker")
    print(f"  median {median:.1f} ms, p95 {p95:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1000, help="use case calls per variant")
    parser.add_argument("--events", type=int, default=3000, help="events in the burst")
    parser.add_argument("--batch", type=int, default=50, help="events per publishing transaction")
    parser.add_argument("--pool", default="prefork", help="the worker's pool (prefork)")
    parser.add_argument(
        "--concurrency", type=int, default=os.cpu_count() or 2, help="its children (CPUs)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench_events database")
    args = parser.parse_args()

    _recreate_database()
    call_command("migrate_all", verbosity=0)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    worker = None
    try:
        print(f"PostgreSQL database {BENCH_DATABASE}, Redis queue {QUEUE}, {os.cpu_count()} CPUs")
        measure_publish_latency(args.rounds)
        broker.delete(QUEUE)
        _reset_tables()

        publish_backlog(args.events, args.batch)
        name = f"bench-{uuid.uuid4().hex[:6]}@localhost"
        worker = _start_worker(dict(os.environ), QUEUE, name, args.pool, args.concurrency)
        print(f"\nOne worker: --pool={args.pool} --concurrency={args.concurrency}")
        _wait_ready(app, name)
        measure_drain(args.events)
        _reset_tables()
        measure_single_latency(100)
        _reset_tables()
        measure_throughput(args.events, args.batch)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        broker.delete(QUEUE)
        connections.close_all()
        if not args.keep:
            _recreate_database(drop_only=True)


if __name__ == "__main__":
    main()
