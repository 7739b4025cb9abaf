"""What travels with a request across contexts and processes: its id, and trace context.

The edge (a middleware of the composition root) takes `X-Request-ID` from the request or
makes one, and returns it; internal api calls and published events carry it on. A W3C
trace context (`traceparent`, `tracestate`) that arrives with the request is carried on
unchanged, as the W3C recommendation asks of a participant that records no spans of its
own; a tracer replaces it with its own through `add_header_provider`.
"""

import re
import uuid
from collections.abc import Callable, Mapping
from contextvars import ContextVar, Token

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# version 00 (and later ones, read as 00 is), trace id, parent id, flags; ids never all zero.
_TRACEPARENT = re.compile(
    r"(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}"
)
_TRACESTATE_MAX = 512

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_trace_context: ContextVar[Mapping[str, str] | None] = ContextVar("trace_context", default=None)
_providers: list[Callable[[], dict[str, str]]] = []


def new_request_id() -> str:
    """Return a fresh request id."""
    return uuid.uuid4().hex


def accepted_request_id(candidate: str | None) -> str:
    """Return `candidate` if it is a sensible request id (a client's), else a new one."""
    if candidate and _VALID_ID.fullmatch(candidate):
        return candidate
    return new_request_id()


def current_request_id() -> str | None:
    """Return the id of the request being handled, if any."""
    return _request_id.get()


def set_request_id(value: str | None) -> Token[str | None]:
    """Make `value` the current request id; reset with the returned token."""
    return _request_id.set(value)


def reset_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)


def accepted_trace_context(headers: Mapping[str, str]) -> dict[str, str]:
    """Return the valid W3C trace context among a request's headers (none if malformed)."""
    traceparent = (headers.get("traceparent") or "").strip()
    if not _TRACEPARENT.fullmatch(traceparent):
        return {}
    context = {"traceparent": traceparent}
    tracestate = (headers.get("tracestate") or "").strip()
    if tracestate and len(tracestate) <= _TRACESTATE_MAX:
        context["tracestate"] = tracestate
    return context


def set_trace_context(context: Mapping[str, str]) -> Token[Mapping[str, str] | None]:
    """Make `context` the trace context carried on; reset with the returned token."""
    return _trace_context.set(dict(context))


def reset_trace_context(token: Token[Mapping[str, str] | None]) -> None:
    _trace_context.reset(token)


def add_header_provider(provider: Callable[[], dict[str, str]]) -> None:
    """Have `provider`'s headers carried on every internal call and published event."""
    _providers.append(provider)


def outgoing_headers() -> dict[str, str]:
    """Return the headers an internal call or an event carries from the current request."""
    headers = {}
    request_id = _request_id.get()
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    headers.update(_trace_context.get() or {})
    for provider in _providers:
        headers.update(provider())
    return headers
