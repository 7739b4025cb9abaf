"""From publishing to titles: the blog asks, the fetcher fetches, its event re-renders entries."""

import threading

import pytest
from rest_framework.test import APIClient

from contexts.accounts import api as accounts_api
from contexts.blog import handlers as blog_handlers
from contexts.blog import services as blog_services
from contexts.blog.models import Entry, EntryLink
from contexts.fetcher import api as fetcher_api
from contexts.fetcher import services as fetcher_services
from contexts.fetcher.models import Link
from contexts.kernel.events.models import InboxState, RelayState
from tests.e2e.journeys import create_blog, publish_entry, register
from tests.events import apply_here, inbox_row, outbox_row, receive_again
from tests.fetcher.servers import Route
from tests.renderer.htmlcompare import elements, text

PAGE = (
    b"<html><head><title>Tom &amp; Jerry</title>"
    b'<meta property="og:description" content="A cat, a mouse">'
    b'<meta property="og:site_name" content="Cartoons">'
    b'<meta property="og:image" content="https://img.example/tj.png"></head></html>'
)


def entry_html(path: str, entry_id: str) -> str:
    response = APIClient().get(f"/api/v1/blogs/{path}/entries/{entry_id}")
    assert response.status_code == 200
    return response.json()["body_html"]


def link_texts(html: str) -> list[str]:
    return [
        text(part.split("</a>", 1)[0] + "</a>")
        for part in ("<a " + chunk for chunk in html.split("<a ")[1:])
    ]


@pytest.fixture
def blog():
    """A blog of a registered writer (its owner is the actor of every change)."""
    account = accounts_api.account_register(name="linker", password="correct-horse-battery-9")
    author = blog_services.author_ensure(account_id=account.id, name=account.name)
    return blog_services.blog_create(owner=author, path="links", title="Links")


@pytest.fixture
def background(monkeypatch):
    """The eager mode's own fetch threads, fresh for the test so that it can wait for them."""
    pool = fetcher_services.BackgroundFetches(workers=2)
    monkeypatch.setattr(fetcher_services, "_background", pool)
    yield pool
    pool.shutdown(wait=True)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_titles_arrive_in_the_background_and_the_entry_is_rendered_again(
    eager, background, fetcher_settings, pages
):
    release = threading.Event()
    pages.routes["/post"] = Route(body=PAGE, hold=release)
    url = pages.url("/post")
    writer = register("carol")
    create_blog(writer, "carol")

    entry = publish_entry(writer, "carol", "Links", f"Read [{url}:title].\n\n[{url}:embed]")

    # Published at once, while the page has not answered: the title reads the URL...
    assert link_texts(entry["body_html"])[0] == url
    release.set()
    background.shutdown(wait=True)

    # ...and once the page has answered, the entry reads its title and shows its card.
    html = entry_html("carol", entry["id"])
    assert link_texts(html)[0] == "Tom & Jerry"
    assert "Tom &amp; Jerry" in html
    card = [attrs for tag, attrs in elements(html) if attrs.get("class", "").startswith("embed")]
    assert [attrs["class"] for attrs in card] == [
        "embed-card",
        "embed-card-image",
        "embed-card-title",
        "embed-card-description",
        "embed-card-site",
    ]
    assert "A cat, a mouse" in text(html) and "Cartoons" in text(html)
    assert pages.requests[0].headers["User-Agent"] == fetcher_settings.FETCHER_USER_AGENT

    # The next entry that links there is rendered with the title straight away.
    again = publish_entry(writer, "carol", "Again", f"[{url}:title]")
    assert link_texts(again["body_html"]) == ["Tom & Jerry"]
    assert len(pages.requests) == 1


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_failing_page_never_fails_publishing_and_its_error_is_kept(
    eager, inline_fetches, fetcher_settings, pages
):
    pages.routes["/broken"] = Route(status=500)
    url = pages.url("/broken")
    writer = register("dave")
    create_blog(writer, "dave")

    entry = publish_entry(writer, "dave", "Links", f"[{url}:title]")

    assert link_texts(entry_html("dave", entry["id"])) == [url]
    link = Link.objects.get(url=url)
    assert (link.status, link.error) == (Link.Status.FAILED, "http_500")


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_with_the_setting_off_a_link_to_this_machine_is_never_requested(
    eager, inline_fetches, fetcher_settings, pages
):
    fetcher_settings.FETCHER_ALLOW_PRIVATE_ADDRESSES = False
    pages.routes["/inside"] = Route(body=PAGE)
    url = pages.url("/inside")
    writer = register("erin")
    create_blog(writer, "erin")

    entry = publish_entry(writer, "erin", "Links", f"[{url}:title] [{url}:embed]")

    assert inline_fetches.submitted == [(url,)]
    assert pages.requests == []
    assert Link.objects.get(url=url).error == "address_refused"
    assert link_texts(entry_html("erin", entry["id"]))[0] == url


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_redelivered_event_renders_nothing_twice(eager, inline_fetches, fetcher_settings, pages):
    pages.routes["/post"] = Route(body=PAGE)
    url = pages.url("/post")
    writer = register("frank")
    create_blog(writer, "frank")
    entry = publish_entry(writer, "frank", "Links", f"[{url}:title]")
    assert outbox_row("fetcher", fetcher_api.LinkMetadataFetched).state == RelayState.SENT
    assert inbox_row("blog", fetcher_api.LinkMetadataFetched).state == InboxState.COMPLETED
    rendered = entry_html("frank", entry["id"])

    assert receive_again("fetcher", "blog", fetcher_api.LinkMetadataFetched) == 1
    assert apply_here("blog").claimed == 0

    assert entry_html("frank", entry["id"]) == rendered
    # Even without the inbox, rendering again with the same metadata changes nothing.
    again = blog_services.entry_links_rerender_prepare(url=url)
    assert blog_services.entry_links_rerender_store(rendered=again) == 0


@pytest.mark.django_db(databases="__all__")
def test_an_entry_that_no_longer_links_to_the_page_is_left_alone(blog):
    author = blog.owner
    url = "https://x.example/page"
    entry = blog_services.entry_publish(blog=blog, actor=author, title="t", body=f"[{url}:title]")
    assert list(EntryLink.objects.values_list("url", flat=True)) == [url]

    blog_services.entry_edit(entry=entry, actor=author, body="No links any more")
    Link.objects.create(url=url, title="Fetched", fetched_at="2026-01-01T00:00:00Z")
    event = fetcher_api.LinkMetadataFetched(url=url)
    blog_handlers.on_link_metadata_fetched(event, blog_handlers.rerender_linking_entries(event))

    assert EntryLink.objects.count() == 0
    assert Entry.objects.get(pk=entry.pk).body_html == "<p>No links any more</p>\n"


@pytest.mark.django_db(databases="__all__")
def test_an_explicit_title_is_never_fetched(blog):
    author = blog.owner
    entry = blog_services.entry_publish(
        blog=blog, actor=author, title="t", body="[https://x.example/:title=Mine] [https://y/]"
    )

    assert EntryLink.objects.filter(entry=entry).count() == 0


@pytest.mark.django_db(databases="__all__")
def test_publishing_works_when_the_fetcher_does_not(
    blog, monkeypatch, django_capture_on_commit_callbacks
):
    author = blog.owner

    def broken(**kwargs):
        raise RuntimeError("fetcher database down")

    monkeypatch.setattr(fetcher_api, "link_metadata", broken)
    monkeypatch.setattr(fetcher_api, "link_fetch_request", broken)

    with django_capture_on_commit_callbacks(using="blog", execute=True):
        entry = blog_services.entry_publish(
            blog=blog, actor=author, title="t", body="[https://x.example/:title]"
        )

    assert entry.rendered
    assert link_texts(entry.body_html) == ["https://x.example/"]
