"""The split deployment under test: SPLIT_DEPLOYMENT=1 runs the suites with accounts and the
renderer as services of their own (split.md), on PostgreSQL and Redis.

This test process plays the web process: the blog (and search, fetcher) run here, and
every call of the accounts and renderer apis goes over HTTP to a gunicorn process that
opens only that context's database. The accounts service's events are relayed by an
events worker of its own, and the blog's inbox is consumed by one, as `make run-split`
does. Tests see the services' writes because, in this mode, every test is a
transactional one (its data is committed, and flushed afterwards).

Tests that need this process to hold a context's internals (signing tokens by hand,
throttle windows, settings a service cannot see) are marked `in_process` and skipped.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from django.conf import settings

from blog_project import seams
from tests.observability.receiver import Receiver
from tests.workers import PROJECT_ROOT, test_database_url

SPLIT = os.environ.get("SPLIT_DEPLOYMENT") == "1"
SERVICES = ("accounts", "renderer")
READY_TIMEOUT = 60.0
# Where the services' spans go (an OTLP/HTTP receiver in this process), once started.
traces: Receiver | None = None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "in_process: needs the contexts in this process (skipped in a split run)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not SPLIT:
        return
    skip = pytest.mark.skip(reason="needs the contexts in this process (SPLIT_DEPLOYMENT=1)")
    for item in items:
        if item.get_closest_marker("in_process"):
            item.add_marker(skip)
            continue
        marker = item.get_closest_marker("django_db")
        if marker is not None and not marker.kwargs.get("transaction"):
            # The services read what this process wrote: it must be committed.
            item.add_marker(pytest.mark.django_db(transaction=True, databases="__all__"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Process:
    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log = log_dir / f"{name}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _wait_ready(url: str, process: _Process) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.process.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/server/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.exit(f"the {process.name} service did not start:\n{process.tail()}", returncode=3)


@pytest.fixture(scope="session", autouse=True)
def split_deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Start the accounts and renderer services and the events workers; bind to them."""
    if not SPLIT:
        yield
        return
    if not settings.DATABASE_URL.startswith("postgres") or not settings.CELERY_BROKER_URL:
        pytest.exit("SPLIT_DEPLOYMENT=1 needs DATABASE_URL and CELERY_BROKER_URL", returncode=3)
    request.getfixturevalue("django_db_setup")
    log_dir = tmp_path_factory.mktemp("split")
    prefix = f"split-{uuid.uuid4().hex[:8]}"
    global traces
    traces = Receiver()
    base = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": test_database_url(),
        "INTERNAL_API_KEY": settings.INTERNAL_API_KEY,
        "EVENTS_BROKER_PREFIX": prefix,
        "EVENTS_POLL_SECONDS": "0.2",
        "VAR_DIR": str(log_dir),
        # The suites sign in far more often than a person: no throttle in the services.
        "THROTTLE_SIGNIN_PAIR": "100000/minute",
        "THROTTLE_SIGNIN_NAME": "100000/minute",
        "THROTTLE_SIGNIN_ADDRESS": "100000/minute",
    }
    # The services trace to this run's receiver, but only the requests that come traced
    # (a test that traces the web side): the other tests cost them next to nothing.
    traced = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": traces.url,
        "OTEL_TRACES_SAMPLER": "parentbased_always_off",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    for name in ("ACCOUNTS_URL", "RENDERER_URL", "PROCESS_ROLE", "PROCESS_CONTEXTS"):
        base.pop(name, None)
    processes: list[_Process] = []
    urls: dict[str, str] = {}
    try:
        for context in SERVICES:
            port = _free_port()
            env = {**base, **traced, "PROCESS_ROLE": context, "PROCESS_CONTEXTS": context}
            env.update(PORT=str(port), WEB_CONCURRENCY="2")
            command = [
                str(Path(sys.executable).parent / "gunicorn"),
                *("--config", "blog_project/gunicorn_service.conf.py", "--timeout", "60"),
            ]
            processes.append(_Process(context, command, env, log_dir))
            urls[context] = f"http://127.0.0.1:{port}"
        # The accounts service's outbox, relayed by a worker that opens accounts alone;
        # the blog's inbox, filled and applied by one that opens the blog's alone.
        workers = {
            "accounts-events": ("accounts", ["--no-consume"]),
            "blog-events": ("default,blog,search,fetcher", ["--no-relay"]),
        }
        for name, (contexts, args) in workers.items():
            env = {**base, "PROCESS_ROLE": "worker", "PROCESS_CONTEXTS": contexts}
            command = [sys.executable, "manage.py", "events", "work", *args]
            processes.append(_Process(name, command, env, log_dir))
        for process in processes[: len(SERVICES)]:
            _wait_ready(urls[process.name], process)
        saved = dict(settings.CONTEXT_URLS)
        settings.CONTEXT_URLS = {**saved, **urls}
        settings.EVENTS_BROKER_PREFIX = prefix
        seams.bind_all()
        yield
        settings.CONTEXT_URLS = saved
        seams.bind_all()
    finally:
        for process in processes:
            process.stop()
        traces.stop()
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
