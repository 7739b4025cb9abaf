"""Benchmark events: what publishing costs a use case, end-to-end throughput with one worker,
and how fast a killed worker's events land after a restart.

Run from the project root with a PostgreSQL server and a Redis broker (`make bench-events`):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/events.py

It (re)creates its own database, bench_events (or BENCH_EVENTS_DATABASE), on the server
DATABASE_URL names, migrates it, and drops it at the end (--keep leaves it); its streams
have a prefix of their own.
The use case is the test app's: create a row and announce it with an event. The worker is
`celery worker` with the events worker inside it, as `make worker` runs it.

1. the use case's latency without the event and with it (outbox row + relay wake-up);
2. events per second end to end (publish -> handler effect committed), while this process
   keeps publishing a burst, and draining a backlog published before the worker started;
3. the latency of one event at a time with an idle worker;
4. recovery: the worker is SIGKILLed in the middle of applying a batch of a burst (one
   event's handler stalls, its transaction open) and started again; the time from the
   restart until every effect has landed, each exactly once.

The last line is the summary: `events: N events/s end to end, publish +X ms p50, recovery Y s`.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# BENCH_EVENTS_DATABASE names another, for runs side by side on one server.
BENCH_DATABASE = os.environ.get("BENCH_EVENTS_DATABASE", "bench_events")
PREFIX = f"bench-events-{uuid.uuid4().hex[:8]}"

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("DATABASE_URL must name a PostgreSQL server (postgresql://...)")
if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
    sys.exit("CELERY_BROKER_URL must name a Redis broker (redis://...)")
_SERVER = urlsplit(os.environ["DATABASE_URL"])
MAINTENANCE_URL = urlunsplit(_SERVER._replace(path="/postgres"))
# This process and its worker use the bench database and streams of their own.
os.environ.update(
    {
        "DATABASE_URL": urlunsplit(_SERVER._replace(path=f"/{BENCH_DATABASE}")),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "EVENTS_BROKER_PREFIX": PREFIX,
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
from django.db.models import Count  # noqa: E402

from tests.eventsapp.models import Effect, InboxRecord, OutboxEvent, Switch, Thing  # noqa: E402
from tests.eventsapp.services import burst_publish, thing_create  # noqa: E402


def _recreate_database(*, drop_only: bool = False) -> None:
    with psycopg.connect(MAINTENANCE_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _time_calls(calls: dict, rounds: int) -> dict[str, list[float]]:
    """Time each named call `rounds` times, interleaved so that drift hits all alike."""
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for n in range(rounds):
        for name, call in calls.items():
            started = time.perf_counter()
            call(f"{name}-{n}-{uuid.uuid4().hex[:4]}")
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def measure_publish_latency(rounds: int) -> float:
    calls = {
        "plain": lambda key: thing_create(key=key, announce=False),
        "event": lambda key: thing_create(key=key),
    }
    _time_calls(calls, 100)  # warm up connections and caches
    timings = _time_calls(calls, rounds)
    base = statistics.median(timings["plain"])
    print(f"\nUse case latency ({rounds} calls each; create a row, announce it with 1 event)")
    print(f"  {'variant':<40}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'x p50':>8}")
    labels = {"plain": "no event", "event": "+ outbox row and relay wake-up (NOTIFY)"}
    for name, label in labels.items():
        values = timings[name]
        p50 = statistics.median(values)
        print(
            f"  {label:<40}{p50:>9.3f}{_percentile(values, 0.95):>9.3f}"
            f"{_percentile(values, 0.99):>9.3f}{p50 / base:>8.2f}"
        )
    added = statistics.median(timings["event"]) - base
    print(f"  publishing adds {added:+.3f} ms at p50")
    return added


class Worker:
    """`celery worker` with the events worker inside, as `make worker` runs it."""

    def __init__(self, concurrency: int):
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.log = Path(f"/tmp/{PREFIX}.log")  # noqa: S108 (a benchmark's scratch log)

    def start(self) -> float:
        """Start it; return the seconds until its events worker was ready."""
        command = [
            *(sys.executable, "-m", "celery", "-A", "blog_project", "worker"),
            *(f"--concurrency={self.concurrency}", "-Q", f"{PREFIX}-tasks"),
            *("-n", f"{PREFIX}-{uuid.uuid4().hex[:4]}@%h", "--without-gossip"),
            *("--without-mingle", "--loglevel=INFO"),
        ]
        env = {**os.environ, "EVENTS_WORKER": "1", "LOG_LEVEL": "INFO"}
        started = time.monotonic()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        while time.monotonic() < started + 60:
            text = self.log.read_text(errors="replace")
            if "events consumer started" in text and "events relay started" in text:
                return time.monotonic() - started
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        sys.exit(f"the worker did not start:\n{self.log.read_text(errors='replace')[-2000:]}")

    def kill(self) -> None:
        assert self.process is not None, "start() first"
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def _effects() -> int:
    return Effect.objects.count()


def _wait_effects(expected: int, timeout: float = 300.0) -> float:
    started = time.monotonic()
    while time.monotonic() < started + timeout:
        if _effects() >= expected:
            return time.monotonic() - started
        time.sleep(0.01)
    sys.exit(f"fewer than {expected} effects within {timeout:.0f} s (got {_effects()})")


def _reset_tables() -> None:
    for model in (Effect, InboxRecord, OutboxEvent, Switch, Thing):
        model.objects.all().delete()


def _publish(prefix: str, events: int, batch: int, stall: str | None = None) -> None:
    for first in range(0, events, batch):
        keys = [f"{prefix}{n}" for n in range(first, min(first + batch, events))]
        burst_publish(keys=keys, stall=stall)


def _exactly_once(expected: int) -> bool:
    duplicates = Effect.objects.values("event_id").annotate(n=Count("pk")).filter(n__gt=1)
    return Effect.objects.count() == expected and not duplicates.exists()


def measure_throughput(events: int, batch: int) -> float:
    started = time.perf_counter()
    _publish("b", events, batch)
    published = time.perf_counter() - started
    _wait_effects(events)
    elapsed = time.perf_counter() - started
    occurred = dict(OutboxEvent.objects.values_list("event_id", "occurred_at"))
    lags = [
        (created_at - occurred[event_id]).total_seconds() * 1000
        for event_id, created_at in Effect.objects.values_list("event_id", "created_at")
    ]
    rate = events / elapsed
    print(f"\nEnd to end: {events} events published in transactions of {batch}")
    print(f"  publishing took {published:.2f} s ({events / published:.0f} events/s)")
    print(f"  every effect committed after {elapsed:.2f} s: {rate:.0f} events/s end to end")
    print(
        f"  publish -> effect under that load: p50 {statistics.median(lags):.0f} ms, "
        f"p99 {_percentile(lags, 0.99):.0f} ms; exactly once: {_exactly_once(events)}"
    )
    return rate


def measure_drain(events: int, batch: int, worker: Worker) -> None:
    _publish("q", events, batch)
    ready = worker.start()
    elapsed = _wait_effects(events)
    print(
        f"\nBacklog: {events} events published before the worker started (ready in {ready:.1f} s)"
    )
    print(f"  applied {elapsed:.2f} s after it was ready: {events / elapsed:.0f} events/s")


def measure_single_latency(rounds: int) -> None:
    latencies = []
    for n in range(rounds):
        started = time.perf_counter()
        thing_create(key=f"one-{n}")
        while Effect.objects.filter(key=f"one-{n}").count() < 2:
            time.sleep(0.0005)
        latencies.append((time.perf_counter() - started) * 1000)
    print(f"\nOne event at a time ({rounds}), publish -> both effects committed, idle worker")
    print(f"  p50 {statistics.median(latencies):.1f} ms, p99 {_percentile(latencies, 0.99):.1f} ms")


def measure_recovery(events: int, batch: int, worker: Worker) -> float:
    stall = f"r{events // 3}"
    _publish("r", events, batch, stall=stall)
    worker.start()
    # Kill it at the worst moment: holding a batch it has claimed, its transaction open.
    while not Switch.objects.filter(name="stalling").exists():
        time.sleep(0.005)
    worker.kill()
    landed = _effects()
    Switch.objects.create(name="release", on=True)
    restarted = time.monotonic()
    ready = worker.start()
    _wait_effects(events)
    recovery = time.monotonic() - restarted
    print(
        f"\nRecovery: a burst of {events}, the worker SIGKILLed in the middle of applying a "
        f"batch, after {landed} effects"
    )
    print(
        f"  every effect landed {recovery:.1f} s after the restart (startup {ready:.1f} s of it; "
        f"the dead worker's claims lapse after EVENTS_LEASE_SECONDS); "
        f"exactly once: {_exactly_once(events)}"
    )
    return recovery


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1000, help="use case calls per variant")
    parser.add_argument("--events", type=int, default=5000, help="events per burst")
    parser.add_argument("--batch", type=int, default=100, help="events per publishing transaction")
    parser.add_argument(
        "--concurrency", type=int, default=os.cpu_count() or 2, help="celery pool children"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench_events database")
    args = parser.parse_args()

    _recreate_database()
    call_command("migrate_all", verbosity=0)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    worker = Worker(args.concurrency)
    try:
        print(
            f"PostgreSQL database {BENCH_DATABASE}, Redis streams {PREFIX}:*, {os.cpu_count()} CPUs"
        )
        added = measure_publish_latency(args.rounds)
        _reset_tables()
        measure_drain(args.events, args.batch, worker)
        _reset_tables()
        measure_single_latency(100)
        _reset_tables()
        rate = measure_throughput(args.events, args.batch)
        worker.stop()
        _reset_tables()
        recovery = measure_recovery(args.events, args.batch, worker)
        print(
            f"\nevents: {rate:.0f} events/s end to end, publish {added:+.2f} ms p50, "
            f"recovery {recovery:.1f} s"
        )
    finally:
        worker.stop()
        for key in broker.scan_iter(match=f"{PREFIX}:*"):
            broker.delete(key)
        connections.close_all()
        if not args.keep:
            _recreate_database(drop_only=True)


if __name__ == "__main__":
    main()
