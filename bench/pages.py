"""Benchmark read (and write) throughput of the public pages against a trivial Django view.

Run from the project root with a PostgreSQL server (`make bench-pages`):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/pages.py

It (re)creates its own database (bench_pages, or --database) on the server DATABASE_URL
names, serves it with `make serve` (gunicorn, production settings, its config file) plus
one trivial view that returns 2 KB and one trivial write (bench/pages_site.py), seeds
20,000 published entries (--entries) in 100 blogs of 20 authors, one blog holding half of
them, and drops the database at the end (--keep leaves it).

The load comes from this machine too: --clients processes, each holding --connections/
--clients keep-alive connections (reopened when the server closes them, as gunicorn's
sync workers do), each sending its next request when the answer to the last one is in.
Every target is measured beside the trivial view, alternating which goes first, for
--seconds each, --repeats times: a ratio is the target's throughput over the trivial
view's in the same pair, so that drift in what else the machine does cancels out.

It prints, per target, the median ratio with its spread (lowest-highest) over the
repeats, the median of the p99 latency ratio, and then, measured in this process on
the same database with the page cache bypassed, the CPU time of one cold render of each
page (the Python a page costs when nothing is cached) against the trivial view's.
The summary lines are

    pages: <target> ratio X.XX p99 ratio Y.YY
    pages: cold <target> X.XX ms (the median CPU of a cold render; the goal is 2 ms)
    pages: min ratio X.XX

and `pages: trivial write ratio X.XX`: a POST that keeps its body as one row in one
transaction and does nothing else, measured as the targets are. It is a reference, not a
target (the minimum is over the targets): no write can go faster on the same machine.
Two more references add to it, one at a time, what POST entry cannot skip: `token +
write` checks the bearer token as the API does first, and `token + render + write` also
renders the body and keeps its HTML. What POST entry costs beyond the last is its own:
validation, the entry and its event written, the answer, and the event's delivery.

The server listens on --port (BENCH_PAGES_PORT), or on any free port. With --broker
(a Redis URL) the server gets it as CELERY_BROKER_URL and a Celery worker runs beside it,
as in production: a write then leaves its events' delivery and search to the worker.
Without it (the embedded default) the request that writes relays them itself. With
--broker and --no-worker no worker runs: the writes' figures are then the web's alone, as
when the worker runs on another machine (their events wait in the outbox).
"""

import argparse
import multiprocessing
import os
import secrets
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

SITE_SETTINGS = "bench.pages_site"
TRIVIAL = "/bench/trivial"
TRIVIAL_WRITE = "/bench/trivial-write"
CHECKED_WRITE = "/bench/checked-write/"
RENDERED_WRITE = "/bench/rendered-write/"
# Measured as the targets are, but references: what a write costs at least here, then
# with the steps that an entry's POST cannot skip (bench/pages_site.py).
REFERENCES = {
    "trivial write": "one row kept in one transaction, nothing else: the most any write"
    " can reach here",
    "token + write": "the API's token check, then the trivial write",
    "token + render + write": "the token check, the body rendered, its HTML kept as the"
    " trivial write keeps its row: the most an entry's POST can reach here before it"
    " validates, writes the entry and its event, answers and delivers",
}
T0 = datetime(2025, 1, 1, tzinfo=UTC)
ENTRIES_PER_BLOG_PAGE = 5
DEEP_PAGE = 200


@dataclass
class Target:
    name: str
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200


@dataclass
class Run:
    requests: int
    seconds: float
    latencies: list[float]
    bad: dict[int, int]
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else 0.0


# --- the load: keep-alive HTTP/1.1 connections driven by one selector per process ---------


def _raw_request(target: Target) -> bytes:
    headers = {
        "Host": "127.0.0.1",
        # make serve redirects plain HTTP: these requests say they came through a TLS proxy.
        "X-Forwarded-Proto": "https",
        "Accept": "application/json" if target.path.startswith("/api/") else "text/html",
        **target.headers,
    }
    if target.body:
        headers["Content-Length"] = str(len(target.body))
    head = f"{target.method} {target.path} HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    return head.encode() + b"\r\n" + target.body


class _Connection:
    def __init__(self, port: int):
        self.port = port
        self.sock = self._open()
        self.buffer = b""
        self.started = 0.0

    def _open(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        return sock

    def reopen(self) -> None:
        self.sock.close()
        self.sock = self._open()
        self.buffer = b""


def _answer(buffer: bytes) -> tuple[int, int, bool] | None:
    """Return (status, length of the whole answer, close) once `buffer` holds one answer."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buffer[:end].decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    length, close = 0, False
    for line in head[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    total = end + 4 + length
    return (status, total, close) if len(buffer) >= total else None


def _load(port: int, request: bytes, expect: int, connections: int, seconds: float, out) -> None:
    """Keep `connections` requests in flight for `seconds`; put a Run on `out`."""
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    bad: dict[int, int] = {}
    errors = 0
    pool = [_Connection(port) for _ in range(connections)]
    started = time.perf_counter()
    deadline = started + seconds
    for connection in pool:
        connection.started = time.perf_counter()
        connection.sock.sendall(request)
        selector.register(connection.sock, selectors.EVENT_READ, connection)
    while pool:
        for key, _ in selector.select(timeout=1.0):
            connection = key.data
            try:
                chunk = connection.sock.recv(262144)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                chunk = b""
            if not chunk:  # closed without an answer: count it, open another connection
                errors += 1
                selector.unregister(connection.sock)
                connection.reopen()
            else:
                connection.buffer += chunk
                answer = _answer(connection.buffer)
                if answer is None:
                    continue
                status, total, close = answer
                now = time.perf_counter()
                latencies.append(now - connection.started)
                if status != expect:
                    bad[status] = bad.get(status, 0) + 1
                connection.buffer = connection.buffer[total:]
                selector.unregister(connection.sock)
                if close:
                    connection.reopen()
            if time.perf_counter() >= deadline:
                connection.sock.close()
                pool.remove(connection)
                continue
            connection.started = time.perf_counter()
            connection.sock.setblocking(True)
            connection.sock.sendall(request)
            connection.sock.setblocking(False)
            selector.register(connection.sock, selectors.EVENT_READ, connection)
    out.put(Run(len(latencies), time.perf_counter() - started, latencies, bad, errors))


def measure(port: int, target: Target, *, clients: int, connections: int, seconds: float) -> Run:
    """Load `target` from `clients` processes at once; return their runs added up."""
    out: multiprocessing.Queue[Run] = multiprocessing.Queue()
    share = [connections // clients + (i < connections % clients) for i in range(clients)]
    request = _raw_request(target)
    processes = [
        multiprocessing.Process(
            target=_load, args=(port, request, target.expect, share[i], seconds, out)
        )
        for i in range(clients)
    ]
    for process in processes:
        process.start()
    runs = [out.get() for _ in processes]
    for process in processes:
        process.join()
    bad: dict[int, int] = {}
    for run in runs:
        for status, count in run.bad.items():
            bad[status] = bad.get(status, 0) + count
    return Run(
        requests=sum(run.requests for run in runs),
        seconds=max(run.seconds for run in runs),
        latencies=[latency for run in runs for latency in run.latencies],
        bad=bad,
        errors=sum(run.errors for run in runs),
    )


# --- the data ----------------------------------------------------------------------------


def _database_urls(name: str) -> tuple[str, str]:
    server = urlsplit(os.environ["DATABASE_URL"])
    return (
        urlunsplit(server._replace(path="/postgres")),
        urlunsplit(server._replace(path=f"/{name}")),
    )


def add_common_arguments(parser: argparse.ArgumentParser, *, database: str, only: str) -> None:
    """The options every page benchmark takes: its database, the data, the load, --only."""
    parser.add_argument("--database", default=database)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", nargs="*", help=only)
    parser.add_argument("--keep", action="store_true", help="keep the database")


def bench_database(name: str) -> tuple[str, str]:
    """Make the database `name` afresh on DATABASE_URL's server and set this process's
    environment for it and the site's settings; return (the server's maintenance URL, the
    database's URL)."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server (postgresql://...)")
    maintenance_url, database_url = _database_urls(name)
    _recreate_database(maintenance_url, name)
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": SITE_SETTINGS,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "LOG_LEVEL": "WARNING",
            "DJANGO_BEHIND_TLS_PROXY": "1",
        }
    )
    # The embedded defaults otherwise: tasks run in the process that asks for them, the
    # throttles' cache is a table. The server gets the same environment.
    for variable in ("CELERY_BROKER_URL", "CACHE_URL"):
        os.environ.pop(variable, None)
    return maintenance_url, database_url


def _recreate_database(maintenance_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def seed(*, entries: int, writer_account_id: str) -> dict[str, str]:
    """Fill the blog context's tables; return the paths and ids the targets read."""
    from django.db import connections, router
    from django.db.models import Count

    from contexts.blog.models import Author, Blog, Entry

    writer = Author.objects.get(account_id=writer_account_id)
    authors = [writer] + Author.objects.bulk_create(
        Author(account_id=f"bench-{i}", name=f"author{i}") for i in range(1, 20)
    )
    blogs = Blog.objects.bulk_create(
        Blog(
            path=f"blog-{i}",
            title=f"Blog number {i}",
            description="A blog of the benchmark.",
            owner=authors[i % len(authors)],
            created_at=T0 + timedelta(hours=i),
            updated_at=T0 + timedelta(hours=i),
        )
        for i in range(100)
    )
    big, others = blogs[0], blogs[1:]
    body = "A paragraph of *Markdown* with a [link](https://example.com/) in it.\n\n" * 6
    html = (
        '<p>A paragraph of <em>Markdown</em> with a <a href="https://example.com/" '
        'rel="nofollow noopener noreferrer">link</a> in it.</p>\n'
    ) * 6
    excerpt = ("A paragraph of Markdown with a link in it. " * 7)[:277] + "…"
    batch = []
    for i in range(entries):
        blog = big if i % 2 == 0 else others[i % len(others)]
        published = T0 + timedelta(minutes=i)
        batch.append(
            Entry(
                blog=blog,
                title=f"Entry number {i} of the benchmark",
                body=body,
                body_html=html,
                rendered=True,
                excerpt=excerpt,
                revision=1,
                created_at=published,
                published_at=published,
            )
        )
        if len(batch) == 2000:
            Entry.objects.bulk_create(batch)
            batch = []
    Entry.objects.bulk_create(batch)
    # What publishing through the services keeps (blog pages count their entries by it).
    counts = dict(
        Entry.objects.filter(published_at__isnull=False)
        .values("blog")
        .annotate(n=Count("id"))
        .values_list("blog", "n")
    )
    for blog in blogs:
        blog.published_entries = counts.get(blog.pk, 0)
    Blog.objects.bulk_update(blogs, ["published_entries"])
    # What autovacuum would do soon after a bulk load: without statistics PostgreSQL
    # guessed 219 rows for the big blog and sorted all 10,000 for page 200 (35 ms).
    with connections[router.db_for_write(Entry)].cursor() as cursor:
        cursor.execute("ANALYZE")
    middle = Entry.objects.filter(blog=big).order_by("-published_at")[entries // 4]
    return {"big": big.path, "entry": str(middle.pk), "author": authors[1].name}


# --- cold renders in this process --------------------------------------------------------


def cold_renders(targets: list[Target], repeats: int) -> dict[str, tuple[float, float, float]]:
    """Return the median (CPU, wall) and the lowest CPU milliseconds of one uncached GET
    of each target."""
    from django.conf import settings
    from django.test import Client, override_settings

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    results: dict[str, tuple[float, float, float]] = {}
    uncached = [name for name in settings.MIDDLEWARE if not name.endswith("PageCacheMiddleware")]
    with override_settings(MIDDLEWARE=uncached):
        for target in targets:
            _cold(client, target, repeats, results)
    return results


def _cold(
    client, target: Target, repeats: int, results: dict[str, tuple[float, float, float]]
) -> None:
    if target.method != "GET":
        return
    accept = "application/json" if target.path.startswith("/api/") else "text/html"
    for _ in range(5):  # warm: imports, template loading, connections
        client.get(target.path, HTTP_ACCEPT=accept)
    cpu, wall = [], []
    for _ in range(repeats):
        started, started_wall = time.process_time(), time.perf_counter()
        response = client.get(target.path, HTTP_ACCEPT=accept)
        cpu.append((time.process_time() - started) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
        assert response.status_code == target.expect, (target.path, response.status_code)
    results[target.name] = (statistics.median(cpu), statistics.median(wall), min(cpu))


# --- the run -----------------------------------------------------------------------------


def _start_worker(var_dir: Path, service_environ: dict[str, str]) -> subprocess.Popen:
    """Start `make worker`'s Celery worker (with the events worker inside, no beat)."""
    env = {
        **os.environ,
        **service_environ,
        "PROCESS_ROLE": "worker",
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": SITE_SETTINGS,
    }
    log = (var_dir / "worker.log").open("ab")
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "blog_project", "worker", "-c", "2"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser, database="bench_pages", only="names of the targets to measure")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument(
        "--broker",
        help="a Redis URL: serve with it as CELERY_BROKER_URL and run a Celery worker beside"
        " (as production does), so that writes hand their events and search to the worker",
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="with --broker, run no worker here: what the web costs alone, as when the worker"
        " runs on another machine (the events wait in the outbox)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("BENCH_PAGES_PORT") or 0),
        help="the port of the server (BENCH_PAGES_PORT; default: any free one)",
    )
    arguments = parser.parse_args()
    if arguments.no_worker and not arguments.broker:
        parser.error("--no-worker needs --broker")
    maintenance_url, database_url = bench_database(arguments.database)

    from tests import live

    var_dir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    service_environ = {
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
        **({"CELERY_BROKER_URL": arguments.broker} if arguments.broker else {}),
    }
    server = live.LiveServer(
        "serve", var_dir, port=arguments.port, SERVE_SETTINGS=SITE_SETTINGS, **service_environ
    )
    worker = None
    try:
        server.start()
        if arguments.broker and not arguments.no_worker:
            worker = _start_worker(var_dir, service_environ)
        workers = server.log().count("Booting worker")
        token, writer_blog = live.writer_with_blog(server)
        import django

        django.setup()
        from contexts.blog.models import Blog

        writer_id = Blog.objects.get(path=writer_blog).owner.account_id
        started = time.perf_counter()
        seeded = seed(entries=arguments.entries, writer_account_id=writer_id)
        print(
            f"pages: {arguments.entries} entries seeded in {time.perf_counter() - started:.1f} s;"
            f" make serve: gunicorn, {workers} workers; load: {arguments.clients} process(es),"
            f" {arguments.connections} connections, {arguments.seconds:g} s x"
            f" {arguments.repeats} per target; "
            + (
                "no broker: a write relays its events itself"
                if not arguments.broker
                else "a broker and no worker: the events wait in the outbox"
                if arguments.no_worker
                else "a broker and a Celery worker beside"
            )
        )
        from django.db import connections as django_connections

        with django_connections["blog"].cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_write (id bigserial PRIMARY KEY, body text NOT NULL)"
            )
        big, entry = seeded["big"], seeded["entry"]
        entry_body = b'{"title": "Written under load", "body": "Some *Markdown*."}'
        targets = [
            Target("/", "GET", "/"),
            Target("/blogs/<path>", "GET", f"/blogs/{big}"),
            Target(f"/blogs/<path>?page={DEEP_PAGE}", "GET", f"/blogs/{big}?page={DEEP_PAGE}"),
            Target("entry page", "GET", f"/blogs/{big}/entries/{entry}"),
            Target("/authors/<name>", "GET", f"/authors/{seeded['author']}"),
            Target("API list", "GET", f"/api/v1/blogs/{big}/entries?page=1&page_size=20"),
            Target("API entry", "GET", f"/api/v1/blogs/{big}/entries/{entry}"),
            Target(
                "POST entry",
                "POST",
                f"/api/v1/blogs/{writer_blog}/entries",
                body=entry_body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                expect=201,
            ),
            Target(
                "trivial write",
                "POST",
                TRIVIAL_WRITE,
                body=entry_body,
                headers={"Content-Type": "application/json"},
                expect=201,
            ),
            *(
                Target(
                    name,
                    "POST",
                    prefix + writer_blog,
                    body=entry_body,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                    expect=201,
                )
                for name, prefix in (
                    ("token + write", CHECKED_WRITE),
                    ("token + render + write", RENDERED_WRITE),
                )
            ),
        ]
        if arguments.only:
            targets = [target for target in targets if target.name in arguments.only]
        trivial = Target("trivial", "GET", TRIVIAL)
        load = {
            "clients": arguments.clients,
            "connections": arguments.connections,
            "seconds": arguments.seconds,
        }
        for target in [trivial, *targets]:  # warm every worker's caches and connections
            measure(server.port, target, **{**load, "seconds": 0.5})
        ratios: dict[str, list[float]] = {target.name: [] for target in targets}
        p99_ratios: dict[str, list[float]] = {target.name: [] for target in targets}
        trivial_rates: list[float] = []
        for repeat in range(arguments.repeats):
            for target in targets:
                pair = [trivial, target] if repeat % 2 == 0 else [target, trivial]
                runs = {item.name: measure(server.port, item, **load) for item in pair}
                base, run = runs["trivial"], runs[target.name]
                if run.bad or run.errors or base.bad or base.errors:
                    print(
                        f"pages: {target.name}: unexpected answers {run.bad} "
                        f"(trivial {base.bad}), {run.errors + base.errors} dropped connections"
                    )
                trivial_rates.append(base.rate)
                ratios[target.name].append(run.rate / base.rate)
                p99_ratios[target.name].append(run.p99 / base.p99 if base.p99 else 0.0)
                print(
                    f"  {target.name:<24} {run.rate:8.0f}/s p99 {run.p99 * 1000:6.1f} ms"
                    f"   trivial {base.rate:8.0f}/s p99 {base.p99 * 1000:6.1f} ms"
                )
        print(
            f"pages: trivial view {statistics.median(trivial_rates):.0f}/s"
            f" (spread {min(trivial_rates):.0f}-{max(trivial_rates):.0f})"
        )
        cold = cold_renders([trivial, *targets], repeats=30)
        for target in targets:
            values = ratios[target.name]
            if target.name in REFERENCES:
                print(
                    f"pages: {target.name} ratio {statistics.median(values):.2f}"
                    f" (spread {min(values):.2f}-{max(values):.2f}; a reference, not a target:"
                    f" {REFERENCES[target.name]})"
                )
                continue
            print(
                f"pages: {target.name} ratio {statistics.median(values):.2f}"
                f" p99 ratio {statistics.median(p99_ratios[target.name]):.2f}"
                f"  (spread {min(values):.2f}-{max(values):.2f})"
                + (
                    f"  cold {cold[target.name][0]:.2f} ms CPU, {cold[target.name][1]:.2f} ms"
                    if target.name in cold
                    else ""
                )
            )
        print(
            f"pages: trivial view cold {cold['trivial'][0]:.2f} ms CPU, {cold['trivial'][1]:.2f}"
            " ms in-process (cold: a page rendered with the page cache bypassed; CPU is this"
            " process's Python, the other figure adds the wait for PostgreSQL)"
        )
        for name, (cpu_ms, wall_ms, lowest_ms) in cold.items():
            print(
                f"pages: cold {name} {cpu_ms:.2f} ms (lowest {lowest_ms:.2f} ms; with the"
                f" database's time {wall_ms:.2f} ms)"
            )
        lowest = min(
            (statistics.median(v) for name, v in ratios.items() if name not in REFERENCES),
            default=float("nan"),
        )
        print(f"pages: min ratio {lowest:.2f}")
    finally:
        server.kill()
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if not arguments.keep:
            _recreate_database(maintenance_url, arguments.database, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
