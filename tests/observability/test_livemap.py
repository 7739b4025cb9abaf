"""manage.py contexts --live: the edges between contexts, read from running processes' metrics,
with the blog -> renderer edge failing with outcome `fault` while a fault is injected."""

import json
import time
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from blog_project import livemap, metrics
from contexts.kernel.seams import faults
from tests.e2e.journeys import create_blog, publish_entry, register

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def process_url():
    """This process's metrics, served as a worker serves them (a real HTTP endpoint)."""
    server = metrics.serve_in_thread("127.0.0.1", 0)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def aborted_renderer(settings, tmp_path):
    settings.CACHE_URL = ""
    settings.VAR_DIR = tmp_path

    def abort() -> None:
        faults.store({"renderer": faults.Fault(abort_percent=100, abort_status=503)})
        faults.current.refresh()

    yield abort
    faults.store({})
    faults.current.refresh()


def live(*args: str) -> str:
    out = StringIO()
    call_command("contexts", "--live", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.in_process
def test_the_blog_to_renderer_edge_fails_with_fault_while_one_is_injected(
    process_url, aborted_renderer, eager, monkeypatch
):
    writer = register("mapalice")
    create_blog(writer, "mapped")
    aborted_renderer()

    def publish_between_the_scrapes(seconds: float) -> None:
        # The map scrapes, waits its interval, scrapes again: the entries are published
        # during that wait, however slow this machine is, never before the first scrape.
        started = time.monotonic()
        publish_entry(writer, "mapped", "Under a fault")
        publish_entry(writer, "mapped", "Still under it")
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))

    monkeypatch.setattr(
        livemap,
        "time",
        SimpleNamespace(monotonic=time.monotonic, sleep=publish_between_the_scrapes),
    )
    found = json.loads(live(process_url, "--interval", "2", "--json"))

    edges = {(e["kind"], e["source"], e["target"]): e for e in found["edges"]}
    render = edges[("calls", "blog", "renderer")]
    # Each publication's render and its retry by an event: all aborted.
    assert render["outcomes"]["fault"] >= 4 and "ok" not in render["outcomes"]
    assert render["error_share"] == 1.0
    # The rate is over the time between the two scrapes: at least the interval asked for.
    assert found["interval_seconds"] >= 1.9
    assert render["rate_per_second"] == pytest.approx(render["count"] / found["interval_seconds"])
    assert render["p50_seconds"] is not None and render["p99_seconds"] >= render["p50_seconds"]
    # The events between contexts: the blog's entries reach the search context.
    events = edges[("events", "blog", "search")]
    assert events["outcomes"] == {"ok": 2} and events["error_share"] == 0.0


@pytest.mark.in_process
def test_the_text_map_shows_each_edge_with_its_outcomes(process_url, aborted_renderer, eager):
    writer = register("mapbob")
    create_blog(writer, "mapped-text")
    publish_entry(writer, "mapped-text", "Rendered")
    aborted_renderer()
    publish_entry(writer, "mapped-text", "Aborted")

    text = live(process_url, "--interval", "0")

    (line,) = [line for line in text.splitlines() if "blog -> renderer" in line]
    assert "fault=" in line and "ok=" in line
    assert "calls (caller -> callee), since the processes started" in text
    assert any("blog -> search" in line for line in text.splitlines())


def test_a_process_that_does_not_answer_is_named(process_url):
    out, err = StringIO(), StringIO()
    call_command(
        "contexts", "--live", process_url, "http://127.0.0.1:9/", "--interval", "0",
        stdout=out, stderr=err,
    )  # fmt: skip

    assert "no metrics from http://127.0.0.1:9/server/metrics" in err.getvalue()
    with pytest.raises(CommandError, match="none of the processes answered"):
        live("http://127.0.0.1:9", "--interval", "0")
    with pytest.raises(CommandError, match="--interval"):
        live(process_url, "--interval", "-1")


def test_percentiles_are_read_from_the_buckets_as_prometheus_does():
    buckets = {0.001: 0, 0.01: 50, 0.1: 99, 1.0: 100, float("inf"): 100}

    assert livemap.quantile(0.5, buckets) == pytest.approx(0.01)
    assert livemap.quantile(0.99, buckets) == pytest.approx(0.1)
    assert livemap.quantile(0.25, buckets) == pytest.approx(0.0055)
    assert livemap.quantile(0.5, {0.1: 0, float("inf"): 0}) is None
    # Past the highest finite bound: that bound.
    assert livemap.quantile(0.99, {0.1: 1, float("inf"): 10}) == 0.1
