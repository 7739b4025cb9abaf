"""Traces: one request that publishes an entry is one trace, from the HTTP request through the
blog's use case and the renderer's api to the outbox and the handler of the event; in a
split run that trace crosses processes."""

import time

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

import tests.split
from blog_project import tracing
from contexts.kernel import tracing as kernel_tracing
from tests.e2e.journeys import create_blog, register
from tests.split import SPLIT

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

PUBLISHED = "blog.EntryPublished.v1"


@pytest.fixture
def exporter():
    """Trace this process as the web process does, into memory."""
    spans = InMemorySpanExporter()
    tracing.start("web", SimpleSpanProcessor(spans))
    yield spans
    tracing.stop()


def _publish(writer) -> dict:
    response = writer.client.post(
        "/api/v1/blogs/traced/entries", {"title": "Traced", "body": "Some *text*."}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def _wait_for(found, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := found():
            return result
        time.sleep(0.1)
    return found()


def test_one_request_that_publishes_an_entry_is_one_trace(exporter, request):
    if not SPLIT:
        request.getfixturevalue("eager")  # the event is applied here, on commit
    writer = register("tracealice")
    create_blog(writer, "traced")
    exporter.clear()

    _publish(writer)

    spans = exporter.get_finished_spans()
    (request,) = [s for s in spans if s.kind == SpanKind.SERVER and s.name.startswith("POST")]
    assert request.attributes["http.route"] == "api/v1/blogs/<str:path>/entries"
    trace_id = request.context.trace_id
    here = [s for s in spans if s.context.trace_id == trace_id]
    by_name = {s.name: s for s in here}

    assert {s.resource.attributes["service.name"] for s in here} == {"web"}
    use_case = by_name["blog.entry_create"]
    render = by_name["renderer.document_render"]
    expected = {
        "context.caller": "blog",
        "context.callee": "renderer",
        "context.operation": "document_render",
        "context.outcome": "ok",
    }
    assert {key: render.attributes.get(key) for key in expected} == expected
    assert render.attributes["context.transport"] == ("http" if SPLIT else "inprocess")
    publish = by_name[f"publish {PUBLISHED}"]
    assert publish.kind == SpanKind.PRODUCER
    # Parents: the request holds the use case, which holds the render and the publication.
    assert _ancestors(use_case, here)[-1] is request
    assert use_case in _ancestors(render, here)
    assert use_case in _ancestors(publish, here)
    if not SPLIT:
        # The event's handler ran in this process: its span is the publication's child.
        (handler,) = [s for s in here if s.name.startswith(f"apply {PUBLISHED}")]
        assert handler.kind == SpanKind.CONSUMER
        assert handler.parent.span_id == publish.context.span_id


def _ancestors(span, spans) -> list:
    by_id = {s.context.span_id: s for s in spans}
    found = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        found.append(span)
    return found


@pytest.mark.skipif(not SPLIT, reason="needs the split deployment (SPLIT_DEPLOYMENT=1)")
def test_in_a_split_run_the_trace_crosses_processes(exporter, start_worker):
    # A worker of this test's own relays the blog's events and applies them, tracing to
    # the run's receiver like the services.
    start_worker(
        "traced",
        env={
            "PROCESS_ROLE": "worker",
            "OTEL_EXPORTER_OTLP_ENDPOINT": tests.split.traces.url,
            "OTEL_TRACES_SAMPLER": "parentbased_always_off",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        },
    ).wait_ready()
    writer = register("tracebob")
    create_blog(writer, "traced")
    exporter.clear()

    _publish(writer)

    (request,) = [
        s
        for s in exporter.get_finished_spans()
        if s.kind == SpanKind.SERVER and s.name.startswith("POST")
    ]
    trace_id = format(request.context.trace_id, "032x")
    publish = next(s for s in exporter.get_finished_spans() if s.name.startswith("publish "))

    def elsewhere():
        spans = tests.split.traces.of_trace(trace_id)
        services = {s.service for s in spans}
        applied = any(s.service == "worker" and s.name.startswith("apply ") for s in spans)
        # The worker exports its prepare span and its queries before the handler's own.
        return spans if "renderer" in services and applied else None

    spans = _wait_for(elsewhere) or tests.split.traces.of_trace(trace_id)
    services = {s.service for s in spans}
    assert {"renderer", "worker"} <= services, services
    # The renderer served the call of the web process's span, over HTTP.
    served = [s for s in spans if s.service == "renderer" and s.name.startswith("POST")]
    assert served
    # The blog's worker applied the event as a child of the publication made here.
    handlers = [s for s in spans if s.service == "worker" and s.name.startswith("apply ")]
    assert handlers and {h.parent_id for h in handlers} == {format(publish.context.span_id, "016x")}


def test_with_no_otel_variables_nothing_is_traced(monkeypatch):
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)

    assert tracing.configure_from_environment("web") is None
    assert kernel_tracing.tracer is None
    assert not tracing.wanted({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "x"})
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
