"""Choose `make serve`'s gunicorn settings by measurement: worker count and class,
keep-alive, CONN_MAX_AGE and the connections' health checks.

Run from the project root with a PostgreSQL server (`make bench-serving`):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/serving.py

It seeds a database as bench/pages.py does (bench_serving, or --database; dropped at the
end unless --keep), then serves it with `make serve` under each setting in turn, one
server at a time, and loads each target for --seconds: the trivial view, a cached page,
the same page uncached (a query string the page cache answers but does not keep, so
every request renders it) and a POST of an entry. It goes round the settings --repeats
times, so that whatever else the machine does is spread over all of them.

Throughput on a shared machine drifts from minute to minute, so beside requests per
second and p99 it counts what each request cost: the CPU time of the server's processes
(gunicorn's master and workers) and of PostgreSQL's (every postgres process on the
machine, backends that exited included: exact on a machine that runs nothing else), per
request. The load itself runs in other processes and is not counted.

With --broker (a Redis URL) every server gets it as CELERY_BROKER_URL and a Celery worker
runs beside it, as in production: a POST then leaves its event's delivery and search to
the worker, whose CPU is counted too (after the load, once the worker has gone quiet, so
that a backlog it works off late is not missed). Without it (the embedded default) the
request that writes delivers its events itself.

The summary lines are

    serving: <setting> | <target> X/s p99 Y ms | server Z ms, [worker V ms,] postgres W ms
        CPU a request | N connections

(one line), where N is the most connections the server held open to PostgreSQL after
that target's load.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from bench.pages import (  # noqa: E402  (after the path is set)
    SITE_SETTINGS,
    TRIVIAL,
    Target,
    _recreate_database,
    _start_worker,
    add_common_arguments,
    bench_database,
    measure,
    seed,
)

_TICK = os.sysconf("SC_CLK_TCK")

# What is compared: `make serve`'s own settings (blog_project/gunicorn.conf.py) first, then
# others, each named in full. A sync worker closes the connection after each answer; a
# gthread worker keeps it open for the keep-alive, and the connections it accepted stay
# with it.
_SYNC = "--worker-class sync"
_GTHREAD = "--worker-class gthread --threads {threads} --keep-alive {keep_alive}"
SETTINGS: dict[str, dict[str, str]] = {
    "make serve's own": {},
    "sync x5": {"WEB_CONCURRENCY": "5", "GUNICORN_CMD_ARGS": _SYNC},
    "sync x3": {"WEB_CONCURRENCY": "3", "GUNICORN_CMD_ARGS": _SYNC},
    "sync x9": {"WEB_CONCURRENCY": "9", "GUNICORN_CMD_ARGS": _SYNC},
    "sync x2": {"WEB_CONCURRENCY": "2", "GUNICORN_CMD_ARGS": _SYNC},
    "gthread 5x4, keep-alive 5 s": {
        "WEB_CONCURRENCY": "5",
        "GUNICORN_CMD_ARGS": _GTHREAD.format(threads=4, keep_alive=5),
    },
    "gthread 2x8, keep-alive 5 s": {
        "WEB_CONCURRENCY": "2",
        "GUNICORN_CMD_ARGS": _GTHREAD.format(threads=8, keep_alive=5),
    },
    "gthread 2x8, no keep-alive": {
        "WEB_CONCURRENCY": "2",
        "GUNICORN_CMD_ARGS": _GTHREAD.format(threads=8, keep_alive=0),
    },
    "gthread 2x4, keep-alive 5 s": {
        "WEB_CONCURRENCY": "2",
        "GUNICORN_CMD_ARGS": _GTHREAD.format(threads=4, keep_alive=5),
    },
    "gthread 2x4, no keep-alive": {
        "WEB_CONCURRENCY": "2",
        "GUNICORN_CMD_ARGS": _GTHREAD.format(threads=4, keep_alive=0),
    },
    "CONN_MAX_AGE 0": {"DATABASE_CONN_MAX_AGE": "0"},
    "health checks on": {"DATABASE_CONN_HEALTH_CHECKS": "1"},
}


@dataclass
class Sample:
    rates: list[float] = field(default_factory=list)
    p99s: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    worker_ms: list[float] = field(default_factory=list)
    postgres_ms: list[float] = field(default_factory=list)
    connections: list[int] = field(default_factory=list)
    bad: int = 0


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after it.
    return text[text.rindex(")") + 2 :].split()


def _cpu_seconds(session: int, worker_session: int = 0) -> tuple[float, float, float]:
    """CPU seconds so far of the processes in `session` (the server), in `worker_session`
    (the Celery worker; 0: none) and of PostgreSQL's processes, reaped backends included
    (counted into the postmaster's children)."""
    server = worker = postgres = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is None:
            continue
        # After the name: state ppid pgrp session ... utime(11) stime(12) cutime(13) cstime(14)
        own = (int(fields[11]) + int(fields[12])) / _TICK
        if int(fields[3]) == session:
            server += own
            continue
        if worker_session and int(fields[3]) == worker_session:
            worker += own
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if name.startswith("postgres"):
            postgres += own
            if _is_postmaster(fields):
                postgres += (int(fields[13]) + int(fields[14])) / _TICK
    return server, worker, postgres


def _quiet(sessions: tuple[int, int], *, settle: float = 0.5, limit: float = 15.0) -> None:
    """Wait until the worker (the second of `sessions`, as `_cpu_seconds` takes them) has
    used no CPU for `settle` seconds, at most `limit` seconds."""
    deadline = time.monotonic() + limit
    last = _cpu_seconds(*sessions)[1]
    while time.monotonic() < deadline:
        time.sleep(settle)
        now = _cpu_seconds(*sessions)[1]
        if now == last:
            return
        last = now


def _is_postmaster(fields: list[str]) -> bool:
    """The postmaster is the postgres process whose parent is not a postgres process."""
    try:
        parent = Path(f"/proc/{fields[1]}/comm").read_text().strip()
    except OSError:
        return False
    return not parent.startswith("postgres")


def _connections(maintenance_url: str, database: str) -> int:
    """How many connections PostgreSQL holds open to `database` now."""
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [database]
        ).fetchone()
    return int(row[0]) if row else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser, database="bench_serving", only="names of the settings to compare")
    parser.add_argument(
        "--broker",
        help="a Redis URL: serve with it as CELERY_BROKER_URL and run a Celery worker beside"
        " each server (as production does), its CPU counted",
    )
    arguments = parser.parse_args()
    maintenance_url, database_url = bench_database(arguments.database)
    # Each setting names its own workers and gunicorn arguments.
    for variable in ("WEB_CONCURRENCY", "GUNICORN_CMD_ARGS"):
        os.environ.pop(variable, None)
    settings = {
        name: environ
        for name, environ in SETTINGS.items()
        if not arguments.only or name in arguments.only
    }

    from tests import live

    root = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    common = {
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
        # One signing key for every server: the writer's token works on all of them.
        "ACCOUNTS_KEY_DIR": str(root / "keys"),
        **({"CELERY_BROKER_URL": arguments.broker} if arguments.broker else {}),
    }

    def server_for(name: str, round_: int) -> "live.LiveServer":
        var_dir = root / f"setting-{list(SETTINGS).index(name)}-{round_}"
        environ = {"SERVE_SETTINGS": SITE_SETTINGS, **common, **settings[name]}
        return live.LiveServer("serve", var_dir, port=0, **environ)

    first = server_for(next(iter(settings)), -1).start()
    try:
        token, writer_blog = live.writer_with_blog(first)
        import django

        django.setup()
        from contexts.blog.models import Blog

        writer_id = Blog.objects.get(path=writer_blog).owner.account_id
        seeded = seed(entries=arguments.entries, writer_account_id=writer_id)
    finally:
        first.kill()
        from django.db import connections

        connections.close_all()
    page = f"/blogs/{seeded['big']}"
    targets = [
        Target("trivial", "GET", TRIVIAL),
        Target("cached page", "GET", page),
        Target("uncached page", "GET", f"{page}?from=bench"),
        Target(
            "POST entry",
            "POST",
            f"/api/v1/blogs/{writer_blog}/entries",
            body=b'{"title": "Written under load", "body": "Some *Markdown*."}',
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            expect=201,
        ),
    ]
    print(
        f"serving: {arguments.entries} entries; {len(settings)} settings x {len(targets)}"
        f" targets, {arguments.connections} connections, {arguments.seconds:g} s each,"
        f" {arguments.repeats} rounds; "
        + (
            "a broker and a Celery worker beside each server"
            if arguments.broker
            else "no broker: a write delivers its events itself"
        )
    )
    samples = {(name, target.name): Sample() for name in settings for target in targets}
    load = {"clients": 1, "connections": arguments.connections}
    try:
        for repeat in range(arguments.repeats):
            order = list(settings) if repeat % 2 == 0 else list(reversed(settings))
            for name in order:
                server = server_for(name, repeat).start()
                worker: subprocess.Popen | None = None
                try:
                    if arguments.broker:
                        worker = _start_worker(server.var_dir, common)
                    workers = server.log().count("Booting worker")
                    for target in targets:  # warm every worker's connections and caches
                        measure(server.port, target, **load, seconds=0.5)
                    assert server.process is not None
                    sessions = (server.process.pid, worker.pid if worker else 0)
                    for target in targets:
                        if worker:
                            _quiet(sessions)
                        before = _cpu_seconds(*sessions)
                        run = measure(server.port, target, **load, seconds=arguments.seconds)
                        if worker:
                            _quiet(sessions)
                        after = _cpu_seconds(*sessions)
                        sample = samples[(name, target.name)]
                        requests = max(run.requests, 1)
                        sample.rates.append(run.rate)
                        sample.p99s.append(run.p99 * 1000)
                        sample.server_ms.append((after[0] - before[0]) * 1000 / requests)
                        sample.worker_ms.append((after[1] - before[1]) * 1000 / requests)
                        sample.postgres_ms.append((after[2] - before[2]) * 1000 / requests)
                        sample.bad += sum(run.bad.values()) + run.errors
                        sample.connections.append(_connections(maintenance_url, arguments.database))
                        print(
                            f"  {repeat + 1} {name:<28} ({workers} workers) {target.name:<14}"
                            f" {run.rate:7.0f}/s p99 {run.p99 * 1000:6.1f} ms"
                            f"  server {sample.server_ms[-1]:5.2f} ms"
                            + (f" worker {sample.worker_ms[-1]:5.2f} ms" if worker else "")
                            + f" postgres {sample.postgres_ms[-1]:5.2f} ms a request"
                        )
                finally:
                    server.kill()
                    if worker is not None:
                        os.killpg(worker.pid, signal.SIGTERM)
                        worker.wait(timeout=30)
                time.sleep(1)  # let PostgreSQL's backends of the killed workers go
    finally:
        if not arguments.keep:
            _recreate_database(maintenance_url, arguments.database, drop_only=True)
    print("serving: medians over the rounds (CPU: milliseconds a request)")
    for target in targets:
        for name in settings:
            sample = samples[(name, target.name)]
            print(
                f"serving: {name} | {target.name} {statistics.median(sample.rates):.0f}/s"
                f" ({min(sample.rates):.0f}-{max(sample.rates):.0f})"
                f" p99 {statistics.median(sample.p99s):.1f} ms"
                f" | server {statistics.median(sample.server_ms):.2f} ms,"
                + (
                    f" worker {statistics.median(sample.worker_ms):.2f} ms,"
                    if arguments.broker
                    else ""
                )
                + f" postgres {statistics.median(sample.postgres_ms):.2f} ms CPU a request"
                f" | {max(sample.connections)} connections"
                + (f"  ({sample.bad} unexpected answers)" if sample.bad else "")
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
