"""Prometheus metrics of this process at /server/metrics: who may read them, and what they say.

The series themselves are recorded by the kernel (contexts.kernel.metrics). This module
serves them: from every process of a gunicorn or Celery group when PROMETHEUS_MULTIPROC_DIR
is set (the gunicorn configs and `make worker` set it), plus the pending events of each
context whose database this process opens, read from the registries when scraped.

In production settings only the addresses of METRICS_ALLOWED_ADDRESSES, or a client with
`Authorization: Bearer <METRICS_TOKEN>`, may read them: others get a 404, as if there were
nothing there.
"""

import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from contexts.kernel.events.models import InboxState, RelayState
from contexts.kernel.events.stores import consumer_stores, producer_stores
from contexts.kernel.http.client import client_address
from contexts.kernel.metrics import record_request

logger = logging.getLogger(__name__)

PATH = "/server/metrics"
UNMATCHED = "<unmatched>"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


# --- who may read them ---------------------------------------------------------------


def _networks(entries: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def allowed(address: str, authorization: str) -> bool:
    """Tell whether a client at `address`, with this Authorization header, may read them."""
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
            return True
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in network for network in _networks(settings.METRICS_ALLOWED_ADDRESSES))


# --- what they say --------------------------------------------------------------------


class PendingEvents:
    """events_pending and events_oldest_pending_seconds of each local context, when scraped.

    Pending means waiting: in the context's outbox for the relay, or in its inbox for a
    subscriber. One aggregate query per table, over its pending rows only.
    """

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pending = GaugeMetricFamily(
            "events_pending",
            "Events waiting in a context's outbox (to relay) or inbox (to apply).",
            labels=["context"],
        )
        oldest = GaugeMetricFamily(
            "events_oldest_pending_seconds",
            "Age of the oldest event waiting in a context's outbox or inbox (0 if none).",
            labels=["context"],
        )
        now = timezone.now()
        totals: dict[str, tuple[int, float]] = {}
        tables = [
            (name, store.rows.filter(state=RelayState.PENDING), "recorded_at")
            for name, store in producer_stores().items()
        ] + [
            (name, store.rows.filter(state=InboxState.PENDING), "received_at")
            for name, store in consumer_stores().items()
        ]
        for context, rows, since in tables:
            try:
                found = rows.aggregate(n=Count("pk"), at=Min(since))
            except Exception:  # noqa: BLE001  (a database down must not break the scrape)
                logger.warning("could not count the pending events of %s", context)
                continue
            age = (now - found["at"]).total_seconds() if found["at"] else 0.0
            count, worst = totals.get(context, (0, 0.0))
            totals[context] = (count + found["n"], max(worst, age))
        for context, (count, age) in sorted(totals.items()):
            pending.add_metric([context], count)
            oldest.add_metric([context], age)
        yield pending
        yield oldest


class _ThisProcess:
    """The series recorded by this process alone (no multiprocess directory)."""

    def collect(self):
        yield from REGISTRY.collect()


def exposition() -> bytes:
    """Return the Prometheus text of this process (or process group) and its events."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(PendingEvents())
    return generate_latest(registry)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Answer the Prometheus text, to the clients allowed to read it."""
    if not allowed(client_address(request), request.headers.get("Authorization", "")):
        return HttpResponseNotFound("Not found.", content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


# --- HTTP requests --------------------------------------------------------------------


class RequestMetricsMiddleware:
    """Count each request by route (its URL pattern, never the raw path), method and status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        # A page answered from the page cache was never resolved: it says its route. The
        # home page's route is "" (shown as "/"), so None alone means no route.
        route_pattern = match.route if match is not None else None
        if route_pattern is None:
            route_pattern = getattr(request, "cached_route", None)
        route = UNMATCHED if route_pattern is None else "/" + route_pattern
        method = request.method if request.method in METHODS else "other"
        record_request(route, method, response.status_code, time.perf_counter() - started)
        return response


# --- a worker's endpoint ----------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002  (the base's name)
        pass


class _ThreadedServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def _worker_app(environ: dict, start_response: Callable) -> list[bytes]:
    if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not found."]
    address = environ.get("REMOTE_ADDR", "")
    if not allowed(address, environ.get("HTTP_AUTHORIZATION", "")):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not found."]
    body = exposition()
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [body]


def serve_if_configured() -> WSGIServer | None:
    """In a worker: serve /server/metrics on METRICS_PORT, if it is set."""
    if not settings.METRICS_PORT:
        return None
    return serve_in_thread(settings.METRICS_HOST, settings.METRICS_PORT)


def serve_in_thread(host: str, port: int) -> WSGIServer:
    """Serve /server/metrics on host:port from a thread (a worker has no web server)."""
    server = make_server(
        host, port, _worker_app, server_class=_ThreadedServer, handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    logger.info("metrics at http://%s:%s%s", host, server.server_port, PATH)
    return server
