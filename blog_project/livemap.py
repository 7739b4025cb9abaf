"""The live context map: the edges between contexts, read from the processes' /server/metrics.

Calls come from `context_api_calls_total` and `context_api_call_seconds` (caller -> callee),
events from `events_delivered_total` and `events_delivery_seconds` (the producer, which
an event type names first, -> the consuming context). Each process reports what it
did, so the map adds up the scrapes of every process given. Two scrapes an interval
apart give rates, and the error share and percentiles of that interval alone; one
scrape gives the totals since the processes started.
"""

import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

CALLS = "calls"
EVENTS = "events"
OK = "ok"
PATH = "/server/metrics"


class ScrapeFailed(Exception):
    """A process did not answer its metrics."""


@dataclass
class _Counts:
    outcomes: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    buckets: dict[float, float] = field(default_factory=lambda: defaultdict(float))


Snapshot = dict[tuple[str, str, str], _Counts]


@dataclass(frozen=True)
class Edge:
    """One edge of the map over the interval (or since start): how much, how well, how fast."""

    kind: str
    source: str
    target: str
    count: int
    rate_per_second: float | None
    error_share: float
    outcomes: dict[str, int]
    p50_seconds: float | None
    p99_seconds: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def metrics_url(url: str) -> str:
    """Return the metrics address of a process given by its base URL (or the full address)."""
    url = url.rstrip("/")
    return url if url.endswith(PATH) else url + PATH


def scrape(url: str, *, token: str = "", timeout: float = 5.0) -> str:
    """Return the Prometheus text of one process."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.get(metrics_url(url), headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise ScrapeFailed(f"{metrics_url(url)}: {exc or type(exc).__name__}") from exc
    if response.status_code != 200:
        raise ScrapeFailed(f"{metrics_url(url)} answered {response.status_code}")
    return response.text


def _producer(event_type: str) -> str:
    return event_type.split(".", 1)[0]


def parse(texts: Iterable[str]) -> Snapshot:
    """Add up the edges' counts of several processes' metrics."""
    found: Snapshot = defaultdict(_Counts)
    for text in texts:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = sample.labels
                if sample.name == "context_api_calls_total":
                    key = (CALLS, labels["caller"], labels["callee"])
                    found[key].outcomes[labels["outcome"]] += sample.value
                elif sample.name == "context_api_call_seconds_bucket":
                    key = (CALLS, labels["caller"], labels["callee"])
                    found[key].buckets[float(labels["le"])] += sample.value
                elif sample.name == "events_delivered_total":
                    key = (EVENTS, _producer(labels["event_type"]), labels["context"])
                    found[key].outcomes[labels["outcome"]] += sample.value
                elif sample.name == "events_delivery_seconds_bucket":
                    key = (EVENTS, _producer(labels["event_type"]), labels["context"])
                    found[key].buckets[float(labels["le"])] += sample.value
    return found


def quantile(q: float, buckets: dict[float, float]) -> float | None:
    """Estimate a quantile from cumulative histogram buckets, as Prometheus's
    histogram_quantile does (linear within a bucket; the highest finite bound past it)."""
    ordered = sorted(buckets.items())
    if not ordered or ordered[-1][1] <= 0:
        return None
    total = ordered[-1][1]
    rank = q * total
    lower, below = 0.0, 0.0
    for bound, count in ordered:
        if count >= rank:
            if math.isinf(bound):
                return lower
            if count == below:
                return bound
            return lower + (bound - lower) * (rank - below) / (count - below)
        lower, below = bound, count
    return lower


def edges(before: Snapshot | None, after: Snapshot, seconds: float | None) -> list[Edge]:
    """Return the map's edges: `after` minus `before` (if any), with rates over `seconds`."""
    result = []
    for key in sorted(after):
        kind, source, target = key
        now, then = after[key], (before or {}).get(key, _Counts())
        outcomes = {
            name: round(value - then.outcomes.get(name, 0.0))
            for name, value in now.outcomes.items()
        }
        outcomes = {name: count for name, count in sorted(outcomes.items()) if count > 0}
        count = sum(outcomes.values())
        buckets = {
            bound: value - then.buckets.get(bound, 0.0) for bound, value in now.buckets.items()
        }
        if before is not None and count == 0:
            continue  # quiet during the interval
        failed = sum(n for name, n in outcomes.items() if name != OK)
        result.append(
            Edge(
                kind=kind,
                source=source,
                target=target,
                count=count,
                rate_per_second=count / seconds if seconds else None,
                error_share=failed / count if count else 0.0,
                outcomes=outcomes,
                p50_seconds=quantile(0.5, buckets),
                p99_seconds=quantile(0.99, buckets),
            )
        )
    return result


def live_map(
    urls: list[str], *, interval: float, token: str = ""
) -> tuple[list[Edge], list[str], float | None]:
    """Scrape every process (twice, `interval` seconds apart, if it is positive); return the
    edges, the processes that did not answer, and the seconds between the two scrapes."""
    failures: list[str] = []

    def scrape_all() -> Snapshot:
        texts = []
        for url in urls:
            try:
                texts.append(scrape(url, token=token))
            except ScrapeFailed as exc:
                failures.append(str(exc))
        return parse(texts)

    if interval <= 0:
        return edges(None, scrape_all(), None), failures, None
    # Each scrape is taken at its midpoint: a slow one (a busy process) does not count
    # toward the interval the rates are over.
    began = time.monotonic()
    first = scrape_all()
    first_at = (began + time.monotonic()) / 2
    time.sleep(interval)
    began = time.monotonic()
    second = scrape_all()
    seconds = (began + time.monotonic()) / 2 - first_at
    return edges(first, second, seconds), sorted(set(failures)), seconds


def _milliseconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f">{seconds:.0f} s"


def render(found: list[Edge], *, seconds: float | None) -> list[str]:
    """Return the map as lines of text, calls first, then events."""
    lines = []
    span = f"over {seconds:.1f} s" if seconds else "since the processes started"
    titles = {CALLS: "calls (caller -> callee)", EVENTS: "events (producer -> consumer)"}
    for kind in (CALLS, EVENTS):
        lines.append(
            f"{titles[kind] + ', ' + span:<60}{'rate':>10}{'errors':>9}{'p50':>11}{'p99':>11}"
            "  outcomes"
        )
        rows = [edge for edge in found if edge.kind == kind]
        if not rows:
            lines.append("  (none)")
        for edge in rows:
            rate = "-" if edge.rate_per_second is None else f"{edge.rate_per_second:.2f}/s"
            outcomes = " ".join(f"{name}={count}" for name, count in edge.outcomes.items())
            lines.append(
                f"  {edge.source + ' -> ' + edge.target:<58}{rate:>10}"
                f"{edge.error_share:>9.1%}{_milliseconds(edge.p50_seconds):>11}"
                f"{_milliseconds(edge.p99_seconds):>11}  {outcomes}"
            )
    return lines
