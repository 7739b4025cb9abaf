"""Log records with who, where and which request: one JSON object per line when LOG_FORMAT=json.

Every record gets the process role (web, accounts, renderer, worker), the context whose
code logged it (from the logger's name: contexts.blog.services -> blog), the request id
and the trace id of the request being handled. The default format stays plain text for
people (`make run`); JSON is for log collectors.
"""

import logging
import os
import re

from opentelemetry import trace

from contexts.kernel import requestcontext

JSON = "json"
_TRACEPARENT_TRACE_ID = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-")


def current_trace_id() -> str:
    """Return the id of the trace being recorded, or of the one the request came with."""
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        return format(span.trace_id, "032x")
    carried = (requestcontext.current_trace_context() or {}).get("traceparent", "")
    found = _TRACEPARENT_TRACE_ID.match(carried)
    return found.group(1) if found else ""


class RequestFields(logging.Filter):
    """Add role, context, request_id and trace_id to every record."""

    def __init__(self, role: str = "") -> None:
        super().__init__()
        self.role = role or os.environ.get("PROCESS_ROLE", "web")

    def filter(self, record: logging.LogRecord) -> bool:
        parts = record.name.split(".")
        record.role = self.role
        record.context = parts[1] if parts[0] == "contexts" and len(parts) > 1 else ""
        record.request_id = requestcontext.current_request_id() or ""
        record.trace_id = current_trace_id()
        return True


def logging_config(*, log_format: str, level: str) -> dict:
    """Return the LOGGING setting: plain text, or one JSON object per line."""
    handler: dict = {"class": "logging.StreamHandler", "filters": ["request"]}
    if log_format == JSON:
        handler["formatter"] = JSON
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestFields}},
        "formatters": {
            JSON: {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "{levelname}{role}{context}{name}{message}{request_id}{trace_id}",
                "style": "{",
                "timestamp": "time",
                "rename_fields": {"levelname": "level", "name": "logger"},
            }
        },
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        # httpx logs every request at INFO: one line per call between contexts is noise
        # (the services' access logs have them); its warnings still show.
        "loggers": {name: {"level": "WARNING"} for name in ("httpx", "httpcore")},
    }
