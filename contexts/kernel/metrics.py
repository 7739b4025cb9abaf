"""The Prometheus series every process records (split.md, Observability), and their recorders.

Names and labels are fixed by the design: calls between contexts, events, HTTP requests.
Under gunicorn or a Celery prefork pool, prometheus_client keeps the values in files of
PROMETHEUS_MULTIPROC_DIR (set before this module is first imported), so that a scrape of
any worker sees the whole process group. The pending-events gauges are not recorded
here: they are read from the registries when scraped (blog_project.metrics).
"""

from typing import Any

from prometheus_client import Counter, Histogram

from contexts.kernel.seams.binding import CallRecord

# Outcomes of an api call (contexts.kernel.seams): ok, error (the callee's own error),
# timeout, fault (injected), circuit_open, unavailable.
API_CALLS = Counter(
    "context_api_calls",
    "Calls of one context's api by another, by how they ended.",
    ["caller", "callee", "operation", "transport", "outcome"],
)
# From sub-millisecond in-process calls to remote calls that time out (5 s by default).
API_CALL_BUCKETS = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    2.5, 5.0, 10.0,
)  # fmt: skip
API_CALL_SECONDS = Histogram(
    "context_api_call_seconds",
    "Time an api call took, as its caller saw it (retries and faults included).",
    ["caller", "callee", "operation", "transport"],
    buckets=API_CALL_BUCKETS,
)

EVENTS_PUBLISHED = Counter(
    "events_published",
    "Events a context published (outbox rows written in its use cases' transactions).",
    ["context", "event_type"],
)
# Outcomes of applying an event for one subscriber: ok, retry (failed, tried again after a
# backoff), failed (attempts used up: see `manage.py events failed`).
EVENTS_DELIVERED = Counter(
    "events_delivered",
    "Events applied by a consuming context's subscriber, by how it went.",
    ["context", "event_type", "subscriber", "outcome"],
)
EVENTS_DELIVERY_SECONDS = Histogram(
    "events_delivery_seconds",
    "Time from an event's publication to its subscriber's attempt to apply it.",
    ["context", "event_type", "subscriber"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)

HTTP_REQUESTS = Counter(
    "http_requests",
    "HTTP requests answered, by route (the URL pattern), method and status.",
    ["route", "method", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds",
    "Time from a request's arrival in Django to its answer, by route, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

OUTCOME_OK = "ok"
OUTCOME_RETRY = "retry"
OUTCOME_FAILED = "failed"


# The labelled children, by their labels: `labels()` checks and locks on every call, which
# would cost a request a few microseconds more (bench/observability.py). The label sets
# are bounded (routes, contexts, operations), and so are these.
_call_children: dict[tuple[str, ...], tuple[Any, Any]] = {}
_request_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def record_call(record: CallRecord) -> None:
    """Count one api call and its time (a seam observer)."""
    key = (record.caller, record.callee, record.operation, record.transport, record.outcome)
    children = _call_children.get(key)
    if children is None:
        children = _call_children.setdefault(
            key, (API_CALLS.labels(*key), API_CALL_SECONDS.labels(*key[:4]))
        )
    counter, histogram = children
    counter.inc()
    histogram.observe(record.seconds)


def record_published(context: str, event_type: str) -> None:
    """Count one event written to `context`'s outbox."""
    EVENTS_PUBLISHED.labels(context, event_type).inc()


def record_delivered(
    context: str, event_type: str, subscriber: str, outcome: str, seconds: float | None
) -> None:
    """Count one attempt of `subscriber` (of `context`) to apply an event, and its delay."""
    EVENTS_DELIVERED.labels(context, event_type, subscriber, outcome).inc()
    if seconds is not None:
        EVENTS_DELIVERY_SECONDS.labels(context, event_type, subscriber).observe(max(0.0, seconds))


def record_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one HTTP request and its time."""
    key = (route, method, status)
    children = _request_children.get(key)
    if children is None:
        labels = (route, method, str(status))
        children = _request_children.setdefault(
            key, (HTTP_REQUESTS.labels(*labels), HTTP_REQUEST_SECONDS.labels(*labels))
        )
    counter, histogram = children
    counter.inc()
    histogram.observe(seconds)
