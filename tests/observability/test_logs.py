"""LOG_FORMAT=json: one JSON object per line, carrying the request id the request came with."""

import importlib
import io
import json
import logging.config
import sys

import pytest
from django.conf import settings as django_settings

from blog_project.logs import logging_config
from contexts.kernel.seams import faults
from tests.e2e.journeys import create_blog, register

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

FIELDS = {"time", "level", "role", "context", "logger", "message", "request_id", "trace_id"}


@pytest.fixture
def json_logs():
    """Log as LOG_FORMAT=json does, into a buffer this test reads."""
    logging.config.dictConfig(logging_config(log_format="json", level="INFO"))
    buffer = io.StringIO()
    (handler,) = logging.getLogger().handlers
    handler.setStream(buffer)

    def read() -> list[dict]:
        lines = buffer.getvalue().splitlines()
        buffer.seek(0)
        buffer.truncate()
        return [json.loads(line) for line in lines]

    yield read
    logging.config.dictConfig(django_settings.LOGGING)


@pytest.fixture
def aborted_renderer(settings, tmp_path):
    settings.CACHE_URL = ""
    settings.VAR_DIR = tmp_path
    faults.store({"renderer": faults.Fault(abort_percent=100, abort_status=503)})
    faults.current.refresh()
    yield
    faults.store({})
    faults.current.refresh()


@pytest.mark.in_process
def test_json_logs_carry_the_request_id_given_in_the_request(json_logs, aborted_renderer, eager):
    writer = register("logsalice")
    create_blog(writer, "log-notes")
    json_logs()

    response = writer.client.post(
        "/api/v1/blogs/log-notes/entries",
        {"title": "Logged", "body": "Some *text*."},
        format="json",
        HTTP_X_REQUEST_ID="req-from-the-edge-42",
    )

    assert response.status_code == 201
    assert response["X-Request-ID"] == "req-from-the-edge-42"
    records = json_logs()
    assert records and all(set(record) >= FIELDS for record in records)
    # The render in the request, and its retry by an event applied when the request commits.
    failed, *retried = [r for r in records if r["message"].startswith("Rendering failed")]
    assert {r["request_id"] for r in [failed, *retried]} == {"req-from-the-edge-42"}
    assert (failed["level"], failed["role"], failed["context"], failed["logger"]) == (
        "WARNING", "web", "blog", "contexts.blog.services",
    )  # fmt: skip
    # An expected failure: named in one line, the injected fault marked as such, no trace.
    assert "InjectedFault" in failed["message"] and "fault injected" in failed["message"]
    assert "exc_info" not in failed


def test_a_traceparent_the_request_came_with_names_the_trace(json_logs):
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    logger = logging.getLogger("contexts.blog.services")
    from contexts.kernel import requestcontext

    id_token = requestcontext.set_request_id("req-7")
    trace_token = requestcontext.set_trace_context(
        {"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"}
    )
    try:
        logger.warning("inside a request")
    finally:
        requestcontext.reset_trace_context(trace_token)
        requestcontext.reset_request_id(id_token)
    logger.warning("outside")

    inside, outside = json_logs()
    assert (inside["request_id"], inside["trace_id"]) == ("req-7", trace_id)
    assert (outside["request_id"], outside["trace_id"]) == ("", "")


def test_log_format_json_is_read_from_the_environment_and_text_stays_the_default(monkeypatch):
    def load(**environ):
        for name in ("LOG_FORMAT",):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delitem(sys.modules, "blog_project.settings", raising=False)
        return importlib.import_module("blog_project.settings").LOGGING

    assert "formatter" not in load()["handlers"]["console"]
    assert load(LOG_FORMAT="json")["handlers"]["console"]["formatter"] == "json"
