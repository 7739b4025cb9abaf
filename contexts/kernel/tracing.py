"""Spans of the contexts' own work: api calls, use cases, publishing and applying events.

The composition root installs a tracer when OpenTelemetry is configured (OTEL_* variables,
blog_project.tracing); until then every helper here costs one attribute check, and no
span, context or attribute is made. HTTP requests, database queries, Celery tasks and
HTTP calls are traced by OpenTelemetry's own instrumentations; these spans sit between
them, so that one trace reads web request -> use case -> api call -> publish -> handler.
"""

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from contexts.kernel import requestcontext

F = TypeVar("F", bound=Callable[..., Any])

tracer: trace.Tracer | None = None
_providing_headers = False


def install(new: trace.Tracer | None) -> None:
    """Record spans with `new` from now on (None: stop)."""
    global tracer, _providing_headers
    tracer = new
    if new is not None and not _providing_headers:
        # Calls and events carry the current span's context, not the one the request
        # arrived with (requestcontext passes that on while nobody traces).
        requestcontext.add_header_provider(headers)
        _providing_headers = True


def headers() -> dict[str, str]:
    """Return the W3C trace context of the current span (none while not tracing)."""
    if tracer is None:
        return {}
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, str] | None = None,
    parent: Mapping[str, str] | None = None,
) -> Iterator[trace.Span | None]:
    """Run the block in a span (nothing while not tracing).

    `parent` is a stored W3C trace context (an event's headers): the span becomes its
    child, in the trace of the request that published the event.
    """
    if tracer is None:
        yield None
        return
    context = propagate.extract(parent) if parent else None
    with tracer.start_as_current_span(
        name, context=context, kind=kind, attributes=dict(attributes or {})
    ) as current:
        yield current


def use_case(context: str) -> Callable[[F], F]:
    """Trace each call of a context's use case as `<context>.<function name>`."""

    def decorate(function: F) -> F:
        name = f"{context}.{function.__name__}"
        attributes = {"context.name": context, "context.use_case": function.__name__}

        @functools.wraps(function)
        def traced(*args: Any, **kwargs: Any) -> Any:
            if tracer is None:
                return function(*args, **kwargs)
            with tracer.start_as_current_span(name, attributes=attributes):
                return function(*args, **kwargs)

        return traced  # type: ignore[return-value]

    return decorate


def start_api_call(
    caller: str, callee: str, operation: str, transport: str
) -> tuple[trace.Span, object] | None:
    """Open the span of one api call and make it current; None while not tracing."""
    if tracer is None:
        return None
    current = tracer.start_span(
        f"{callee}.{operation}",
        kind=SpanKind.CLIENT if transport == "http" else SpanKind.INTERNAL,
        attributes={
            "context.caller": caller,
            "context.callee": callee,
            "context.operation": operation,
            "context.transport": transport,
        },
    )
    token = otel_context.attach(trace.set_span_in_context(current))
    return current, token


def end_api_call(started: tuple[trace.Span, object], outcome: str) -> None:
    """Close an api call's span with its outcome (ok, error, timeout, fault, ...)."""
    current, token = started
    current.set_attribute("context.outcome", outcome)
    if outcome != "ok":
        current.set_status(Status(StatusCode.ERROR, outcome))
    otel_context.detach(token)  # type: ignore[arg-type]
    current.end()
