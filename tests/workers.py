"""Real Celery workers in processes of their own, for tests on PostgreSQL and Redis."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 30.0
# Short backoff, so that retries happen within a test; the same values in the test
# process (which sends the deliveries) and in the workers (which retry them).
WORKER_SETTINGS = {
    "EVENTS_MAX_ATTEMPTS": 5,
    "EVENTS_RETRY_BASE_SECONDS": 0.2,
    "EVENTS_RETRY_MAX_SECONDS": 1.0,
    "EVENTS_RETRY_JITTER": 0.5,
}


def test_database_url() -> str:
    """The URL of the test database this run created (not the one DATABASE_URL names)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


test_database_url.__test__ = False  # a helper, not a test, whatever pytest thinks of its name


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
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "EVENTS_QUEUE": self.queue,
            "EVENTS_TEST_WORKER": self.name,
            "VAR_DIR": str(self.log_path.parent),
            **{key: str(value) for key, value in WORKER_SETTINGS.items()},
        }
        command = [
            *(sys.executable, "-m", "celery", "-A", "blog_project", "worker"),
            *("--pool=threads", "--concurrency=2", "-Q", self.queue),
            *("-n", f"{self.name}-{uuid.uuid4().hex[:6]}@%h"),
            *("--without-gossip", "--without-mingle", "--loglevel=INFO"),
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to stop or kill it whole
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


def forget_queue(client: redis.Redis, queue: str) -> None:
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
def worker_queue(redis_broker, postgres, settings) -> Iterator[str]:
    """A queue of this test's own, emptied before and after; the test settings to match."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    for key, value in WORKER_SETTINGS.items():
        setattr(settings, key, value)
    settings.EVENTS_QUEUE = name
    client = redis.Redis.from_url(redis_broker)
    forget_queue(client, name)
    yield name
    forget_queue(client, name)


@pytest.fixture
def start_worker(worker_queue, tmp_path) -> Iterator[Callable[[str], Worker]]:
    """Start workers on the test's queue; every one is stopped when the test ends."""
    started: list[Worker] = []

    def start(name: str) -> Worker:
        worker = Worker(name, worker_queue, tmp_path).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
