"""OpenTelemetry for this process, configured by the standard OTEL_* variables alone.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: then
spans are exported over OTLP/HTTP, batched, with `service.name` the process role (web,
accounts, renderer, worker). OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it
off again; the other OTEL_* variables (sampler, headers, batch delays, resource
attributes) work as OpenTelemetry documents them. Off, nothing is installed and the
contexts' spans (contexts.kernel.tracing) cost one attribute check each.

The maintained instrumentations trace Django's requests, psycopg's queries, Celery's
tasks and httpx's calls, and propagate W3C `traceparent` on calls between processes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from contexts.kernel import tracing

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

TRACER_NAME = "blog_platform"
ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")

_provider: TracerProvider | None = None


def wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """Tell whether the OTEL_* variables ask for traces."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return any(environ.get(name, "").strip() for name in ENDPOINTS)


def _instrumentors() -> list:
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

    return [DjangoInstrumentor, PsycopgInstrumentor, CeleryInstrumentor, HTTPXClientInstrumentor]


def configure_from_environment(role: str) -> TracerProvider | None:
    """Trace this process if the OTEL_* variables ask for it, exporting over OTLP/HTTP."""
    if not wanted():
        return None
    # The SDK, the exporter (protobuf) and the instrumentations are imported only when
    # tracing is on: off, they cost a process nothing, not even start-up time.
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = start(role, BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


def start(role: str, processor: SpanProcessor) -> TracerProvider:
    """Record this process's spans, as service `role`, through `processor`."""
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider

    global _provider
    stop()
    # The role wins over OTEL_SERVICE_NAME: every process of the deployment says which it is.
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: role}))
    provider.add_span_processor(processor)
    for instrumentor in _instrumentors():
        options = {"enable_commenter": False} if instrumentor is PsycopgInstrumentor else {}
        instrumentor().instrument(tracer_provider=provider, **options)
    tracing.install(provider.get_tracer(TRACER_NAME))
    _provider = provider
    return provider


def stop() -> None:
    """Stop tracing: flush what was recorded, remove the instrumentations."""
    global _provider
    if _provider is None:
        return
    tracing.install(None)
    for instrumentor in _instrumentors():
        instrumentor().uninstrument()
    _provider.shutdown()
    _provider = None
