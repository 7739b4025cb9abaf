"""Benchmark search: query latency over 100,000 entries on PostgreSQL, and indexing rates.

Run from the project root with a PostgreSQL server (`make bench-search`):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/search.py

It (re)creates its own database, bench_search, on the server DATABASE_URL names, migrates
the search context into it, and drops it at the end (--keep leaves it). The corpus is
made here, deterministic: entries of 60-240 words drawn from a 20,000-word vocabulary
with a Zipf distribution (as in natural text: a few words are everywhere, most are rare),
titles of 3-8 words.

1. indexing: every entry through the path `manage.py search reindex` uses (pages of 500,
   tsvector generated, GIN index updated), against the same rows inserted into a plain
   table with no full-text index: the cost of being searchable;
2. events: the handler of EntryPublished, one event per transaction, on the full index;
3. queries: p50 and p99 of a first page of 10 results with snippets (search_api.search),
   for rare, common and two-word queries, against a sequential ILIKE scan of the same
   words (the baseline: what a search without a full-text index costs).

The last line is the summary: `search: p50 X ms, p99 Y ms over N entries; indexing Z/s`.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "bench_search"

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("DATABASE_URL must name a PostgreSQL server (postgresql://...)")
_SERVER = urlsplit(os.environ["DATABASE_URL"])
MAINTENANCE_URL = urlunsplit(_SERVER._replace(path="/postgres"))
os.environ.update(
    {
        "DATABASE_URL": urlunsplit(_SERVER._replace(path=f"/{BENCH_DATABASE}")),
        "DJANGO_SETTINGS_MODULE": "blog_project.settings",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("CELERY_BROKER_URL", None)  # handlers are called here, not through a broker
sys.path.insert(0, str(PROJECT_ROOT))

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402

from contexts.blog import api as blog_api  # noqa: E402
from contexts.search import api as search_api  # noqa: E402
from contexts.search import handlers, services  # noqa: E402

VOCABULARY = 20_000
BATCH = 500
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _recreate_database(*, drop_only: bool = False) -> None:
    with psycopg.connect(MAINTENANCE_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Corpus:
    """Deterministic pseudo-words with a Zipf distribution."""

    def __init__(self, seed: int = 12):
        self.random = random.Random(seed)
        letters = "abcdefghijklmnopqrstuvwxyz"
        words: set[str] = set()
        while len(words) < VOCABULARY:
            length = self.random.randint(3, 10)
            words.add("".join(self.random.choice(letters) for _ in range(length)))
        self.words = sorted(words)
        self.random.shuffle(self.words)
        weights = [1 / (rank**1.07) for rank in range(1, VOCABULARY + 1)]
        total = sum(weights)
        cumulative, running = [], 0.0
        for weight in weights:
            running += weight / total
            cumulative.append(running)
        self.cumulative = cumulative

    def sample(self, count: int) -> list[str]:
        return self.random.choices(self.words, cum_weights=self.cumulative, k=count)

    def document(self, number: int) -> search_api.EntryDocument:
        title = " ".join(self.sample(self.random.randint(3, 8))).capitalize()
        text = " ".join(self.sample(self.random.randint(60, 240))) + "."
        blog = number % 2000
        return search_api.EntryDocument(
            entry_id=str(number),
            revision=0,
            blog_id=str(blog),
            blog_path=f"blog-{blog}",
            blog_title=f"Blog {blog}",
            blog_updated_at=T0,
            blog_url_path=f"/blogs/blog-{blog}",
            account_id=f"account-{blog}",
            author_name=f"writer{blog}",
            title=title,
            text=text,
            url_path=f"/blogs/blog-{blog}/entries/{number}",
            published_at=T0 + timedelta(minutes=number),
        )


def measure_indexing(documents: list[search_api.EntryDocument]) -> tuple[float, float]:
    connection = connections["search"]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_plain (entry_id text, title text, text text, "
            "published_at timestamptz)"
        )
    started = time.perf_counter()
    for start in range(0, len(documents), BATCH):
        rows = [
            (d.entry_id, d.title, d.text, d.published_at) for d in documents[start : start + BATCH]
        ]
        with transaction.atomic(using="search"), connection.cursor() as cursor:
            cursor.executemany("INSERT INTO bench_plain VALUES (%s, %s, %s, %s)", rows)
    plain = len(documents) / (time.perf_counter() - started)

    started = time.perf_counter()
    for start in range(0, len(documents), BATCH):
        services.documents_index(documents=documents[start : start + BATCH])
    indexed = len(documents) / (time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    megabytes = sum(len(d.text) + len(d.title) for d in documents) / 1e6
    print(f"\nIndexing {len(documents)} entries ({megabytes:.0f} MB of text), pages of {BATCH}")
    print(f"  {'path':<52}{'entries/s':>12}{'x plain':>9}")
    print(f"  {'plain table, no full-text index (baseline)':<52}{plain:>12.0f}{1:>9.2f}")
    label = "index: tsvector + GIN, revision checks (reindex)"
    print(f"  {label:<52}{indexed:>12.0f}{indexed / plain:>9.2f}")
    return indexed, plain


def measure_events(corpus: Corpus, first: int, count: int) -> float:
    events = [
        blog_api.EntryPublished(**vars(corpus.document(number)))
        for number in range(first, first + count)
    ]
    started = time.perf_counter()
    for event in events:
        handlers.on_entry_published(event)
    rate = count / (time.perf_counter() - started)
    print(f"\nEntryPublished handler, one event per transaction, {count} events: {rate:.0f}/s")
    return rate


def _queries(corpus: Corpus) -> dict[str, list[str]]:
    rng = random.Random(7)
    common = corpus.words[5:200]
    middle = corpus.words[200:2000]
    rare = corpus.words[5000:VOCABULARY]
    return {
        "rare word": rng.sample(rare, 100),
        "common word": rng.sample(common, 50),
        "mid-frequency word": rng.sample(middle, 100),
        "two words": [
            f"{a} {b}"
            for a, b in zip(rng.sample(middle, 100), rng.sample(common, 100), strict=True)
        ],
    }


def _baseline(q: str) -> None:
    words = q.split()
    condition = " AND ".join(["(title ILIKE %s OR text ILIKE %s)"] * len(words))
    params = [p for word in words for p in (f"%{word}%", f"%{word}%")]
    with connections["search"].cursor() as cursor:
        cursor.execute(
            f"SELECT entry_id FROM search_document WHERE {condition} "  # noqa: S608
            "ORDER BY published_at DESC LIMIT 10",
            params,
        )
        cursor.fetchall()


def measure_queries(corpus: Corpus) -> tuple[float, float]:
    queries = _queries(corpus)
    for q in queries["rare word"][:10]:  # warm the caches
        search_api.search(q=q)
    print("\nQueries: a first page of 10 results with snippets")
    header = f"{'n':>5}{'hits p50':>10}{'p50 ms':>9}{'p99 ms':>9}{'ILIKE p50':>11}"
    print(f"  {'query':<22}{header}{'x faster':>10}")
    everything: list[float] = []
    for kind, items in queries.items():
        timings, baseline, hits = [], [], []
        for q in items:
            started = time.perf_counter()
            found = search_api.search(q=q, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
            hits.append(len(found))
        for q in items[:20]:
            started = time.perf_counter()
            _baseline(q)
            baseline.append((time.perf_counter() - started) * 1000)
        everything += timings
        p50, base = statistics.median(timings), statistics.median(baseline)
        print(
            f"  {kind:<22}{len(items):>5}{statistics.median(hits):>10.0f}{p50:>9.1f}"
            f"{_percentile(timings, 0.99):>9.1f}{base:>11.1f}{base / p50:>10.1f}"
        )
    p50, p99 = statistics.median(everything), _percentile(everything, 0.99)
    print(f"  {'all':<22}{len(everything):>5}{'':>10}{p50:>9.1f}{p99:>9.1f}")
    return p50, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true", help="leave the bench database")
    options = parser.parse_args()
    _recreate_database()
    try:
        call_command("migrate", database="search", verbosity=0)
        corpus = Corpus()
        started = time.perf_counter()
        documents = [corpus.document(number) for number in range(1, options.entries + 1)]
        print(f"Corpus: {len(documents)} entries made in {time.perf_counter() - started:.1f} s")
        indexed, _ = measure_indexing(documents)
        events = measure_events(corpus, options.entries + 1, options.events)
        p50, p99 = measure_queries(corpus)
        print(
            f"\nsearch: p50 {p50:.1f} ms, p99 {p99:.1f} ms over {options.entries} entries; "
            f"indexing {indexed:.0f} entries/s (reindex), {events:.0f} events/s (handler)"
        )
    finally:
        for alias in connections:
            connections[alias].close()
        if not options.keep:
            _recreate_database(drop_only=True)


if __name__ == "__main__":
    main()
