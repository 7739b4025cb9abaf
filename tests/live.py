"""The site served by `make run` or `make serve` in a process of its own, and write bursts on it.

Used by the concurrency tests (tests/ops/test_concurrent_writes.py) and by the benchmark
(bench/concurrency.py). Each server gets a VAR_DIR of its own (its SQLite files, keys and
secret) and the embedded defaults: no DATABASE_URL, broker or cache from the environment.
"""

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 120.0
REQUEST_TIMEOUT = 60.0
PASSWORD = "correct-horse-battery-9"
# What the embedded defaults need not see: the test run's own services and settings.
_HIDDEN = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")


def free_port() -> int:
    """Return a TCP port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Answer:
    status: int
    body: dict
    seconds: float


class LiveServer:
    """`make run` or `make serve` on 127.0.0.1, with a VAR_DIR of its own."""

    def __init__(self, target: str, var_dir: Path, *, port: int = 0, **environ: str):
        self.target = target
        self.var_dir = var_dir
        self.environ = environ
        # 0: any free port, found when it starts.
        self.requested_port = port
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log_path = var_dir / f"{target}.log"

    @property
    def production(self) -> bool:
        return self.target == "serve"

    def start(self) -> "LiveServer":
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.requested_port or free_port()
        env = {key: value for key, value in os.environ.items() if key not in _HIDDEN}
        env.update(
            {
                "VAR_DIR": str(self.var_dir),
                "HOST": "127.0.0.1",
                "PORT": str(self.port),
                "LOG_LEVEL": "WARNING",
                # Production settings redirect plain HTTP to HTTPS: these requests say
                # they came through a TLS proxy, as they would in a deployment.
                "DJANGO_BEHIND_TLS_PROXY": "1",
                **self.environ,
            }
        )
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["make", "--no-print-directory", self.target],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to stop it whole
            )
        return self.wait_ready()

    def wait_ready(self) -> "LiveServer":
        assert self.process is not None, "start() first"
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if self.request("GET", "/server/health").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"`make {self.target}` did not start:\n{self.log()[-4000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def request(
        self, method: str, path: str, body: dict | None = None, token: str | None = None
    ) -> Answer:
        """Send one request on a connection of its own; return its status and JSON body."""
        headers = {"Accept": "application/json", "X-Forwarded-Proto": "https"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {"raw": raw[:500].decode(errors="replace")}
        return Answer(response.status, data, time.perf_counter() - started)

    def kill(self) -> None:
        """SIGKILL the server and its children: no clean shutdown, nothing flushed by it."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.kill()


@dataclass
class Burst:
    """The answers of one burst of concurrent requests, in the order of their senders."""

    answers: list[Answer | None] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def part(self, start: int, stop: int) -> "Burst":
        """Return the answers of senders start..stop-1 (errors are not attributed)."""
        return Burst(answers=self.answers[start:stop], seconds=self.seconds)

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for answer in self.answers:
            if answer is not None:
                counts[answer.status] = counts.get(answer.status, 0) + 1
        return dict(sorted(counts.items()))

    def server_errors(self) -> list[Answer]:
        return [answer for answer in self.answers if answer is not None and answer.status >= 500]

    def created(self) -> list[dict]:
        return [answer.body for answer in self.answers if answer and answer.status == 201]

    def latencies(self) -> list[float]:
        return sorted(answer.seconds for answer in self.answers if answer is not None)


def burst(sends: list[Callable[[], Answer]]) -> Burst:
    """Call every sender in a thread of its own, all released at the same moment."""
    result = Burst(answers=[None] * len(sends))
    lock = threading.Lock()
    gate = threading.Barrier(len(sends))

    def run(index: int) -> None:
        gate.wait()
        try:
            result.answers[index] = sends[index]()
        except Exception as exc:  # noqa: BLE001  (a dropped connection is an outcome too)
            with lock:
                result.errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sends))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT * 2)
    result.seconds = time.perf_counter() - started
    return result


def unique_name(prefix: str, index: int) -> str:
    """Return an account name (letters and digits, at most 16) unique to this run."""
    return f"{prefix}{uuid.uuid4().hex[:6]}{index}"[:16]


def writer_with_blog(server: LiveServer) -> tuple[str, str]:
    """Register an account with a blog on `server`; return (token, blog path)."""
    answer = server.request(
        "POST", "/api/v1/accounts", {"name": unique_name("owner", 0), "password": PASSWORD}
    )
    assert answer.status == 201, answer
    token = answer.body["token"]
    path = f"load-{uuid.uuid4().hex[:8]}"
    answer = server.request(
        "POST", "/api/v1/blogs", {"path": path, "title": "Load", "description": ""}, token
    )
    assert answer.status == 201, answer
    return token, path


def entry_senders(server: LiveServer, writers: int, token: str, path: str) -> list:
    """Senders of `writers` entry creations in one blog."""

    def sender(index: int) -> Callable[[], Answer]:
        body = {"title": f"Entry {index}", "body": f"Entry *{index}* of a burst."}
        return lambda: server.request("POST", f"/api/v1/blogs/{path}/entries", body, token)

    return [sender(index) for index in range(writers)]


def signup_senders(server: LiveServer, writers: int) -> list:
    """Senders of `writers` registrations of new accounts."""
    prefix = f"u{uuid.uuid4().hex[:4]}"

    def sender(index: int) -> Callable[[], Answer]:
        body = {"name": unique_name(prefix, index), "password": PASSWORD}
        return lambda: server.request("POST", "/api/v1/accounts", body)

    return [sender(index) for index in range(writers)]


def stored_entries(var_dir: Path) -> dict[str, str]:
    """Return {entry id: title} as the blog's SQLite file holds them."""
    with sqlite3.connect(var_dir / "blog.sqlite3") as connection:
        rows = connection.execute("SELECT id, title FROM blog_entry").fetchall()
    return {str(entry_id): title for entry_id, title in rows}


def stored_account_names(var_dir: Path) -> set[str]:
    """Return the account names the accounts' SQLite file holds."""
    with sqlite3.connect(var_dir / "accounts.sqlite3") as connection:
        rows = connection.execute("SELECT name FROM accounts_account").fetchall()
    return {name for (name,) in rows}


def journal_mode(path: Path) -> str:
    """Return the journal mode a SQLite database file is in."""
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA journal_mode").fetchone()[0].lower()
