"""Degradation that must hold (split.md): with the renderer failing or down, publishing still
works and the entry renders once it is back; with accounts down, reading, existing sessions
and tokens keep working while signing in and up say "try again later"."""

import socket
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.test import APIClient

from blog_project import seams
from contexts.blog.models import Entry
from contexts.kernel.seams import faults
from tests.e2e.journeys import PASSWORD, create_blog, publish_entry, register
from tests.split import SPLIT

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

UNRENDERED = '<pre class="entry-unrendered">'


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


@pytest.fixture
def unreachable():
    """Return a function that makes a context's service unreachable (its URL: a dead port)."""
    saved = dict(django_settings.CONTEXT_URLS)  # in a split run, the services' URLs

    def cut(context: str) -> None:
        django_settings.CONTEXT_URLS = {**saved, context: f"http://127.0.0.1:{_closed_port()}"}
        seams.bind_all()

    yield cut
    django_settings.CONTEXT_URLS = saved
    seams.bind_all()


@pytest.fixture
def stored_faults(settings, tmp_path):
    """Faults where every process of the run reads them: in a split run the shared cache
    (as `manage.py faults set` does), else a file in a folder of this test's own."""
    if not SPLIT:
        settings.CACHE_URL = ""
        settings.VAR_DIR = tmp_path
    yield
    faults.store({})
    faults.current.refresh()


def _aborted_renderer() -> None:
    faults.store({"renderer": faults.Fault(abort_percent=100, abort_status=503)})
    faults.current.refresh()
    if SPLIT:
        time.sleep(faults.REFRESH_SECONDS + 0.2)  # until the other processes look again


def test_with_the_renderer_aborted_publishing_still_answers_201_and_shows_the_text(
    eager, stored_faults
):
    writer = register("alice")
    create_blog(writer, "notes")
    _aborted_renderer()

    entry = publish_entry(writer, "notes", "Still here", "Some *text* & <b>more</b>")

    assert entry["body_html"].startswith(UNRENDERED)
    page = Client().get(f"/blogs/notes/entries/{entry['id']}").content.decode()
    assert "Some *text* &amp; &lt;b&gt;more&lt;/b&gt;" in page
    assert Entry.objects.get(pk=entry["id"]).rendered is False


def test_with_the_renderer_down_publishing_still_answers_201(eager, unreachable):
    writer = register("bob")
    create_blog(writer, "bobs")
    unreachable("renderer")

    entry = publish_entry(writer, "bobs", "Down", "*hi*")

    assert entry["body_html"].startswith(UNRENDERED)


@pytest.mark.in_process
@pytest.mark.services
def test_once_the_renderer_is_back_the_worker_renders_the_entry_without_anyone_acting(
    start_worker, stored_faults, tmp_path
):
    # The worker reads the same fault store (a file in the same folder), and keeps
    # retrying for as long as the outage lasts (the default retries for over an hour).
    worker = start_worker(
        "renderer-back", env={"CACHE_URL": "", "EVENTS_MAX_ATTEMPTS": "100"}
    ).wait_ready()
    writer = register("carol")
    create_blog(writer, "carols")
    _aborted_renderer()
    entry = publish_entry(writer, "carols", "Later", "*formatted*")
    assert entry["body_html"].startswith(UNRENDERED)
    time.sleep(1.5)  # the worker tries, and fails: the renderer still aborts
    assert Entry.objects.get(pk=entry["id"]).rendered is False

    faults.store({})  # the renderer is back

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Entry.objects.get(pk=entry["id"]).rendered:
        time.sleep(0.2)
    rendered = Entry.objects.get(pk=entry["id"])
    assert rendered.rendered, worker.log()[-2000:]
    assert "<em>formatted</em>" in rendered.body_html


def test_with_accounts_down_reading_sessions_and_tokens_work_signing_in_does_not(
    eager, unreachable, settings
):
    settings.ACCOUNTS_JWKS_CACHE_SECONDS = 300  # the keys this process already holds
    writer = register("dave")
    create_blog(writer, "daves")
    browser = Client()
    signed_in = browser.post("/signin", {"name": "dave", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert writer.client.get("/api/v1/me").status_code == 200  # keys fetched once

    unreachable("accounts")

    assert Client().get("/").status_code == 200
    assert Client().get("/blogs/daves").status_code == 200
    assert browser.get("/my/blogs").status_code == 200  # the session is the blog's own
    written = writer.client.post("/api/v1/blogs", {"path": "more", "title": "More"}, format="json")
    assert written.status_code == 201  # the token is checked here, with the cached keys
    for path, body in (
        ("/api/v1/tokens", {"name": "dave", "password": PASSWORD}),
        ("/api/v1/accounts", {"name": "erin", "password": PASSWORD}),
    ):
        refused = APIClient().post(path, body, format="json")
        assert refused.status_code == 503, path
        assert refused.json()["code"] == "unavailable"
        assert int(refused["Retry-After"]) >= 1
    page = Client().post("/signin", {"name": "dave", "password": PASSWORD})
    assert page.status_code == 503
    assert int(page["Retry-After"]) >= 1
    assert "temporarily unavailable" in page.content.decode()
