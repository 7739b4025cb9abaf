"""The fetcher's use cases: scheduling fetches, keeping what pages say, announcing changes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contexts.fetcher import api, services
from contexts.fetcher.domain import LinkMetadataFetched
from contexts.fetcher.models import Link, OutboxEvent
from tests.fetcher.servers import Route

pytestmark = pytest.mark.django_db(databases="__all__")

PAGE = b"""<html><head><title>First title</title>
<meta property="og:description" content="About it"><meta property="og:site_name" content="Site">
<meta property="og:image" content="https://img.example/a.png"></head></html>"""


def events_for(url: str) -> int:
    return OutboxEvent.objects.filter(
        type_name=LinkMetadataFetched.type_name, payload__url=url
    ).count()


@pytest.fixture
def with_broker():
    """Send tasks as a process with a broker does (they are recorded, not run)."""
    conf = services.current_app.conf
    before = conf.task_always_eager
    conf.update(task_always_eager=False)
    yield services.current_app.tasks[services.FETCH_TASK]
    conf.update(task_always_eager=before)


@pytest.fixture
def request_fetch(django_capture_on_commit_callbacks):
    """Call api.link_fetch_request and run what it schedules after commit."""

    def call(urls: list[str]) -> int:
        with django_capture_on_commit_callbacks(using="fetcher", execute=True):
            return api.link_fetch_request(urls=urls)

    return call


# --- scheduling ---------------------------------------------------------------------


def test_new_urls_are_recorded_and_each_is_fetched_once(
    request_fetch, eager, inline_fetches, fetcher_settings, pages
):
    pages.routes["/a"] = Route(body=PAGE)
    url = pages.url("/a")

    assert request_fetch([url, url]) == 1
    assert request_fetch([url]) == 0  # fetched just now: not due before the refresh

    assert inline_fetches.submitted == [(url,)]
    assert [seen.path for seen in pages.requests] == ["/a"]
    assert Link.objects.get(url=url).status == Link.Status.OK


def test_urls_it_would_never_fetch_are_ignored(request_fetch, inline_fetches):
    assert (
        request_fetch(["ftp://x.example/", "javascript:x", "https://x.example/" + "a" * 2000]) == 0
    )
    assert Link.objects.count() == 0


def test_a_page_is_fetched_again_once_its_refresh_interval_has_passed(
    request_fetch, eager, inline_fetches, fetcher_settings, pages
):
    pages.routes["/a"] = Route(body=PAGE, headers={"Content-Type": "text/html", "ETag": '"1"'})
    url = pages.url("/a")
    request_fetch([url])
    Link.objects.filter(url=url).update(next_fetch_at=timezone.now() - timedelta(seconds=1))

    pages.routes["/a"] = Route(status=304, body=b"", headers={})
    assert request_fetch([url]) == 1

    # The refresh was conditional, the page unchanged: no news, the title stays.
    assert pages.requests[-1].headers["If-None-Match"] == '"1"'
    assert events_for(url) == 1
    assert api.link_metadata(urls=[url])[url].title == "First title"


def test_with_a_broker_the_fetch_is_a_celery_task_sent_after_commit(
    request_fetch, with_broker, monkeypatch
):
    sent = []
    monkeypatch.setattr(with_broker, "apply_async", lambda args, **options: sent.append(args))

    request_fetch(["https://x.example/a"])

    assert sent == [("https://x.example/a",)]


def test_a_broker_that_is_down_fails_nothing_and_the_fetch_is_scheduled_again_later(
    request_fetch, with_broker, monkeypatch
):
    def refuse(*args, **options):
        raise ConnectionError("broker down")

    monkeypatch.setattr(with_broker, "apply_async", refuse)

    assert request_fetch(["https://x.example/a"]) == 1

    # The claim lapses after a while; then the next request schedules it again.
    Link.objects.update(next_fetch_at=timezone.now() - timedelta(seconds=1))
    assert request_fetch(["https://x.example/a"]) == 1


# --- fetching -------------------------------------------------------------------------


def test_a_fetched_page_gives_its_metadata_and_announces_it(fetcher_settings, pages):
    pages.routes["/a"] = Route(body=PAGE)
    url = pages.url("/a")
    Link.objects.create(url=url)

    assert services.link_fetch(url=url) == Link.Status.OK

    metadata = api.link_metadata(urls=[url, "https://unknown.example/"])
    assert list(metadata) == [url]
    page = metadata[url]
    assert (page.title, page.description, page.site_name, page.image_url) == (
        "First title",
        "About it",
        "Site",
        "https://img.example/a.png",
    )
    assert page.final_url == url
    assert events_for(url) == 1


def test_only_new_or_changed_metadata_is_announced(fetcher_settings, pages):
    pages.routes["/a"] = Route(body=PAGE)
    url = pages.url("/a")
    Link.objects.create(url=url)

    services.link_fetch(url=url)
    services.link_fetch(url=url)
    assert events_for(url) == 1

    pages.routes["/a"] = Route(body=PAGE.replace(b"First title", b"Second title"))
    services.link_fetch(url=url)
    assert events_for(url) == 2
    assert api.link_metadata(urls=[url])[url].title == "Second title"


def test_a_failed_fetch_is_recorded_with_its_reason_and_keeps_what_was_known(
    fetcher_settings, pages
):
    pages.routes["/a"] = Route(body=PAGE)
    url = pages.url("/a")
    Link.objects.create(url=url)
    services.link_fetch(url=url)

    pages.routes["/a"] = Route(status=500)
    before = timezone.now()
    assert services.link_fetch(url=url) == Link.Status.FAILED

    link = Link.objects.get(url=url)
    assert (link.status, link.error) == (Link.Status.FAILED, "http_500")
    assert link.next_fetch_at >= before + timedelta(seconds=fetcher_settings.FETCHER_RETRY_SECONDS)
    assert api.link_metadata(urls=[url])[url].title == "First title"
    assert events_for(url) == 1


def test_with_the_setting_off_a_link_to_this_machine_is_refused_unrequested(
    fetcher_settings, pages
):
    fetcher_settings.FETCHER_ALLOW_PRIVATE_ADDRESSES = False
    pages.routes["/a"] = Route(body=PAGE)
    url = pages.url("/a")
    Link.objects.create(url=url)

    assert services.link_fetch(url=url) == Link.Status.FAILED

    assert Link.objects.get(url=url).error == "address_refused"
    assert pages.requests == []
    assert api.link_metadata(urls=[url]) == {}


def test_an_unexpected_error_is_recorded_not_raised(fetcher_settings, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "fetch_page", broken)
    Link.objects.create(url="https://x.example/")

    assert services.link_fetch(url="https://x.example/") == Link.Status.FAILED
    assert Link.objects.get().error_detail == "RuntimeError: a bug"


def test_the_default_user_agent_names_the_site(settings):
    assert settings.FETCHER_SITE_URL in settings.FETCHER_USER_AGENT
    assert services.fetch_policy().user_agent == settings.FETCHER_USER_AGENT
    assert services.fetch_policy().allow_private_addresses is False
