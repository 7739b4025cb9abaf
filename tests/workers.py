"""Real workers in processes of their own, for tests on PostgreSQL and Redis.

Each test gets broker names of its own (EVENTS_BROKER_PREFIX), so that runs sharing one
Redis never see each other's messages.
"""

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
# Short backoff and polls, so that retries happen within a test; the same values in the
# test process and in the workers.
WORKER_SETTINGS = {
    "EVENTS_MAX_ATTEMPTS": 5,
    "EVENTS_RETRY_BASE_SECONDS": 0.2,
    "EVENTS_RETRY_MAX_SECONDS": 1.0,
    "EVENTS_RETRY_JITTER": 0.5,
    "EVENTS_POLL_SECONDS": 0.2,
}
READY_LINES = {"events": "events worker ready", "celery": " ready."}


def test_database_url() -> str:
    """The URL of the test database this run created (not the one DATABASE_URL names)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


test_database_url.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test, whatever pytest thinks of its name


class Worker:
    """A worker in a process of its own: `manage.py events work`, or `celery worker`."""

    def __init__(
        self,
        name: str,
        prefix: str,
        log_dir: Path,
        *,
        kind: str = "events",
        contexts: str | None = None,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ):
        self.name = name
        self.prefix = prefix
        self.kind = kind
        self.contexts = contexts
        self.args = args
        self.extra_env = env or {}
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        if self.kind == "celery":
            return [
                *(sys.executable, "-m", "celery", "-A", "blog_project", "worker"),
                *("--pool=threads", "--concurrency=2"),
                *("-n", f"{self.name}-{uuid.uuid4().hex[:6]}@%h"),
                *("--without-gossip", "--without-mingle", "--loglevel=INFO"),
                *("-Q", f"{self.prefix}-tasks"),
            ]
        return [sys.executable, "manage.py", "events", "work", *self.args]

    def start(self) -> "Worker":
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "EVENTS_BROKER_PREFIX": self.prefix,
            "EVENTS_TEST_WORKER": self.name,
            "EVENTS_WORKER": "1",
            "VAR_DIR": str(self.log_path.parent),
            **{key: str(value) for key, value in WORKER_SETTINGS.items()},
            **self.extra_env,
        }
        if self.contexts is not None:
            env["PROCESS_CONTEXTS"] = self.contexts
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to stop or kill it whole
            )
        return self

    def wait_ready(self) -> "Worker":
        assert self.process is not None, "start() first"
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            log = self.log()
            if READY_LINES[self.kind] in log and (
                self.kind == "events" or "events consumer started" in log
            ):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"worker {self.name} did not start:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and everything it started: no clean-up, no acknowledgements."""
        assert self.process is not None, "start() first"
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


def forget_broker_keys(client: redis.Redis, prefix: str) -> None:
    """Drop every stream of a test's events (their groups and pending entries go with them)."""
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def events_prefix(redis_broker, settings) -> Iterator[str]:
    """Broker names of this test's own for events, emptied before and after."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    settings.EVENTS_BROKER_PREFIX = prefix
    settings.EVENTS_BROKER_URL = redis_broker
    client = redis.Redis.from_url(redis_broker)
    forget_broker_keys(client, prefix)
    yield prefix
    forget_broker_keys(client, prefix)


@pytest.fixture
def start_worker(events_prefix, postgres, settings, tmp_path) -> Iterator[Callable[..., Worker]]:
    """Start workers on the test's broker names; every one is stopped when the test ends."""
    for key, value in WORKER_SETTINGS.items():
        setattr(settings, key, value)
    started: list[Worker] = []

    def start(name: str, **options) -> Worker:
        worker = Worker(name, events_prefix, tmp_path, **options).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
