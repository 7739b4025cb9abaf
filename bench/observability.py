"""Benchmark what observability costs: recording metrics per request and per api call, and
tracing off against on.

Run from the project root (`make bench-observability`); it needs nothing but the project:

    .venv/bin/python bench/observability.py

1. Metrics, in one process and in multiprocess mode (as under gunicorn or a Celery pool,
   where every value lives in a memory-mapped file; measured in a child process started
   with PROMETHEUS_MULTIPROC_DIR, since the mode is chosen when prometheus_client is
   imported):
   - what one request's recording costs (a counter and a histogram, labelled by route,
     method and status) against a function that takes the same arguments and does nothing;
   - a request to /server/health through Django with the metrics middleware against the
     same request without it;
   - an api call through the seam with the metrics observer against one with no observer.
2. Tracing: the same api call and the same request with tracing off (the default: no
   tracer installed) and on (the SDK, every span recorded and handed to a batch exporter
   that sends nowhere), and a use case's decorator off against no decorator.

Each figure is the p50 and p99 of many single calls, timed one by one; baselines are
measured in the same run.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")
os.environ["LOG_LEVEL"] = "ERROR"
for _name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
    os.environ.pop(_name, None)  # tracing is switched on below, by the benchmark itself

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from opentelemetry.sdk.trace.export import (  # noqa: E402
    BatchSpanProcessor,
    SpanExporter,
    SpanExportResult,
)

from bench.timing import LocalPing, PingApi, percentiles, timed  # noqa: E402
from blog_project import tracing  # noqa: E402
from contexts.kernel import metrics  # noqa: E402
from contexts.kernel.seams import Seam, binding  # noqa: E402
from contexts.kernel.tracing import use_case  # noqa: E402

ROUNDS = 20_000
REQUESTS = 2_000
MIDDLEWARE = "blog_project.metrics.RequestMetricsMiddleware"


class Nowhere(SpanExporter):
    """An exporter that drops the spans: what is measured is the recording."""

    def export(self, spans) -> SpanExportResult:
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


def _row(label: str, timings: list[float]) -> float:
    p50, p99 = percentiles(timings)
    print(f"  {label:<58}{p50:>10.2f} us{p99:>10.2f} us")
    return p50


def _header(title: str) -> None:
    print(f"\n{title:<60}{'p50':>13}{'p99':>13}")


def _seam() -> Seam[PingApi]:
    seam: Seam[PingApi] = Seam("ping", PingApi)
    seam.bind(LocalPing(), transport="inprocess")
    return seam


def _without_observers(call):
    saved = list(binding._observers)
    binding._observers.clear()
    try:
        return call()
    finally:
        binding._observers.extend(saved)


def _health_client(*, metrics_middleware: bool) -> Client:
    middleware = [m for m in settings.MIDDLEWARE if metrics_middleware or m != MIDDLEWARE]
    settings.MIDDLEWARE = middleware
    client = Client()
    client.get("/server/health")  # loads the middleware chain now
    return client


def measure_metrics(mode: str) -> None:
    _header(f"Metrics, {mode} ({ROUNDS} calls, {REQUESTS} requests)")
    nothing = _row(
        "baseline: a function taking the same arguments",
        timed(lambda: (lambda *args: None)("/blogs/<str:path>", "GET", 200, 0.002), ROUNDS),
    )
    recorded = _row(
        "record one request (counter + histogram)",
        timed(lambda: metrics.record_request("/blogs/<str:path>", "GET", 200, 0.002), ROUNDS),
    )
    print(f"  => recording a request costs {recorded - nothing:.2f} us")

    saved = list(settings.MIDDLEWARE)
    try:
        bare = _health_client(metrics_middleware=False)
        measured = _health_client(metrics_middleware=True)
        # Interleaved, so that a busy moment of the machine weighs on both alike.
        base, with_metrics = [], []
        for _ in range(5):
            base += timed(lambda: bare.get("/server/health"), REQUESTS // 5)
            with_metrics += timed(lambda: measured.get("/server/health"), REQUESTS // 5)
        request_base = _row("baseline: GET /server/health, no metrics middleware", base)
        request_metrics = _row("GET /server/health with the metrics middleware", with_metrics)
        print(f"  => a request with its metrics: {request_metrics - request_base:+.2f} us")
    finally:
        settings.MIDDLEWARE = saved

    seam = _seam()
    plain = _row(
        "baseline: api call through the seam, no observer",
        _without_observers(lambda: timed(lambda: seam.api.ping(value=1), ROUNDS)),
    )
    observed = _row(
        "api call through the seam, metrics observer",
        timed(lambda: seam.api.ping(value=1), ROUNDS),
    )
    print(f"  => counting and timing an api call costs {observed - plain:.2f} us")


@use_case("bench")
def _decorated(value: int) -> int:
    return value


def _undecorated(value: int) -> int:
    return value


def measure_tracing() -> None:
    _header(f"Tracing off and on ({ROUNDS} calls, {REQUESTS} requests)")
    seam = _seam()
    bare = _row(
        "baseline: a use case without the decorator", timed(lambda: _undecorated(1), ROUNDS)
    )
    off = _row("a use case with the decorator, tracing off", timed(lambda: _decorated(1), ROUNDS))
    print(f"  => the decorator costs {off - bare:.2f} us while tracing is off")
    call_off = _row(
        "api call through the seam, tracing off", timed(lambda: seam.api.ping(value=1), ROUNDS)
    )
    client_off = Client()
    request_off = _row(
        "GET /server/health, tracing off",
        timed(lambda: client_off.get("/server/health"), REQUESTS),
    )

    tracing.start("web", BatchSpanProcessor(Nowhere(), max_queue_size=65536))
    try:
        call_on = _row(
            "api call through the seam, tracing on (one span)",
            timed(lambda: seam.api.ping(value=1), ROUNDS),
        )
        use_case_on = _row(
            "a use case with the decorator, tracing on (one span)",
            timed(lambda: _decorated(1), ROUNDS),
        )
        client_on = Client()
        request_on = _row(
            "GET /server/health, tracing on (Django instrumentation)",
            timed(lambda: client_on.get("/server/health"), REQUESTS),
        )
    finally:
        tracing.stop()
    print(
        f"  => a span costs {call_on - call_off:.2f} us on an api call, "
        f"{use_case_on - off:.2f} us on a use case; "
        f"a traced request {request_on - request_off:+.2f} us "
        f"({request_on / request_off:.2f}x)"
    )


def main() -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        measure_metrics("multiprocess mode (gunicorn, Celery pool)")
        return
    print(f"Python {sys.version.split()[0]}; {os.cpu_count()} cores")
    measure_metrics("one process (make run)")
    sys.stdout.flush()
    with tempfile.TemporaryDirectory(prefix="bench-prometheus-") as folder:
        subprocess.run(
            [sys.executable, __file__],
            env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": folder},
            check=True,
        )
    measure_tracing()


if __name__ == "__main__":
    main()
