"""/server/metrics: the named series with the right labels after a scripted sequence of calls,
faults, an open circuit and events; route labels from URL patterns; refused to strangers."""

import socket

import pytest
from django.conf import settings as django_settings
from django.test import Client

from blog_project import seams
from contexts.kernel.seams import faults
from tests.e2e.journeys import create_blog, publish_entry, register
from tests.observability.metrics import samples, value

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

RENDER = {"caller": "blog", "callee": "renderer", "operation": "document_render"}
PUBLISHED = "blog.EntryPublished.v1"


def scrape(client: Client | None = None, **headers) -> str:
    response = (client or Client()).get("/server/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def local_faults(settings, tmp_path):
    settings.CACHE_URL = ""
    settings.VAR_DIR = tmp_path
    yield
    faults.store({})
    faults.current.refresh()


@pytest.fixture
def failing_remote_renderer(settings):
    """Bind the renderer to a service that is not there, with a breaker that opens soon."""
    saved = dict(django_settings.CONTEXT_URLS)
    options = {**settings.CONTEXT_REMOTE_OPTIONS}
    options["renderer"] = {
        **options["renderer"], "retries": 0, "breaker_fail_max": 2, "connect_timeout": 0.5,
    }  # fmt: skip
    settings.CONTEXT_REMOTE_OPTIONS = options
    django_settings.CONTEXT_URLS = {**saved, "renderer": f"http://127.0.0.1:{_closed_port()}"}
    seams.bind_all()
    yield
    django_settings.CONTEXT_URLS = saved
    seams.bind_all()


@pytest.mark.in_process
def test_a_scripted_sequence_shows_in_the_named_series(local_faults, eager):
    before = scrape()
    writer = register("metricsalice")
    create_blog(writer, "metrics-notes")

    # Two publications whose renders succeed, in-process.
    publish_entry(writer, "metrics-notes", "One")
    publish_entry(writer, "metrics-notes", "Two")
    # One with a fault injected into the renderer (as `manage.py faults set` does).
    faults.store({"renderer": faults.Fault(abort_percent=100, abort_status=503)})
    faults.current.refresh()
    publish_entry(writer, "metrics-notes", "Three")
    faults.store({})
    faults.current.refresh()
    after = scrape()

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    calls = "context_api_calls_total"
    assert delta(calls, **RENDER, transport="inprocess", outcome="ok") == 2
    # The faulty publication's render, and its retry (EntryRenderPending, applied on commit).
    assert delta(calls, **RENDER, transport="inprocess", outcome="fault") == 2
    # The histogram has the same labels but the outcome, and counts every call.
    assert delta("context_api_call_seconds_count", **RENDER, transport="inprocess") == 4
    seconds = [
        labels for name, labels, _ in samples(after) if name == "context_api_call_seconds_bucket"
    ]
    assert seconds and all("outcome" not in labels for labels in seconds)

    # Events: three EntryPublished written by the blog, each applied by the search context.
    assert delta("events_published_total", context="blog", event_type=PUBLISHED) == 3
    assert (
        delta("events_delivered_total", context="search", event_type=PUBLISHED, outcome="ok") == 3
    )
    assert delta("events_delivery_seconds_count", context="search", event_type=PUBLISHED) == 3
    # The render that failed is retried through an event, applied by the blog itself.
    assert (
        delta("events_published_total", context="blog", event_type="blog.EntryRenderPending.v1")
        == 1
    )

    # HTTP requests, by the URL pattern (bounded), method and status.
    route = "/api/v1/blogs/<str:path>/entries"
    assert delta("http_requests_total", route=route, method="POST", status="201") == 3
    assert delta("http_request_duration_seconds_count", route=route, method="POST") == 3
    assert not [
        labels for name, labels, _ in samples(after)
        if name == "http_requests_total" and "metrics-notes" in labels["route"]
    ]  # fmt: skip


@pytest.mark.in_process
def test_an_unreachable_service_then_an_open_circuit_are_told_apart(failing_remote_renderer, eager):
    writer = register("metricsbob")
    create_blog(writer, "circuit-notes")
    before = scrape()

    publish_entry(writer, "circuit-notes", "Saved all the same")  # renders fail: saved, 201
    publish_entry(writer, "circuit-notes", "Again")
    after = scrape()

    def delta(**labels: str) -> float:
        return value(after, "context_api_calls_total", **labels) - value(
            before, "context_api_calls_total", **labels
        )

    remote = {"caller": "blog", "callee": "renderer", "transport": "http"}
    # The first call finds nobody there; the second trips the breaker, and the calls
    # after it fail fast without trying.
    assert delta(**remote, outcome="unavailable") == 1
    assert delta(**remote, outcome="circuit_open") >= 2
    assert delta(**remote, outcome="ok") == 0


def test_pending_events_are_counted_when_scraped(held):
    writer = register("metricscarol")
    create_blog(writer, "pending-notes")
    publish_entry(writer, "pending-notes", "Waits in the outbox")

    text = scrape()

    assert value(text, "events_pending", context="blog") >= 1
    assert value(text, "events_oldest_pending_seconds", context="blog") >= 0
    contexts = {labels["context"] for name, labels, _ in samples(text) if name == "events_pending"}
    assert {"accounts", "blog", "search"} <= contexts


def test_strangers_are_refused_in_production(settings):
    settings.METRICS_ALLOWED_ADDRESSES = ["127.0.0.1", "10.0.0.0/8"]
    settings.METRICS_TOKEN = "s3cret-scraper-token"

    stranger = Client(REMOTE_ADDR="203.0.113.9")
    refused = stranger.get("/server/metrics")
    wrong_token = stranger.get("/server/metrics", HTTP_AUTHORIZATION="Bearer guess")

    assert refused.status_code == 404 and b"http_requests" not in refused.content
    assert wrong_token.status_code == 404
    # The scraper's network, or the token from anywhere.
    assert "http_requests_total" in scrape(Client(REMOTE_ADDR="10.1.2.3"))
    assert "http_requests_total" in scrape(
        stranger, HTTP_AUTHORIZATION="Bearer s3cret-scraper-token"
    )


def test_production_settings_allow_this_machine_alone_by_default(monkeypatch):
    from tests.ops.test_production import _load

    monkeypatch.delenv("METRICS_ALLOWED_ADDRESSES", raising=False)
    production = _load(monkeypatch)

    assert production.METRICS_ALLOWED_ADDRESSES == ["127.0.0.1", "::1"]
    assert "blog_project.metrics.RequestMetricsMiddleware" in production.MIDDLEWARE


@pytest.mark.parametrize(
    ("path", "route"), [("/blogs/cached-notes", "/blogs/<str:path>"), ("/", "/")]
)
def test_pages_served_from_the_page_cache_are_counted_under_their_route(path, route):
    writer = register("cachedreader")
    create_blog(writer, "cached-notes")
    before = scrape()
    for _ in range(3):  # the first is made and kept, the next two come from the cache
        assert Client().get(path).status_code == 200
    after = scrape()

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("http_requests_total", route=route, method="GET", status="200") == 3
    assert delta("http_requests_total", route="<unmatched>") == 0
