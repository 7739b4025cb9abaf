"""The page cache of anonymous readers: served from memory, never stale after a write.

Each test reads a public page as a reader (so that it is cached), changes it the way a
writer or the background does, and reads it again: the reader must see the change.
"""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from contexts.blog import handlers, services
from contexts.blog.domain import EntryRenderPending
from contexts.blog.models import Author, Entry, PageVersion
from contexts.blog.web import pagecache
from contexts.fetcher import api as fetcher_api
from tests.blog.conftest_web import (
    ALL_DATABASES,
    client_of,
    count_queries,
    make_blog,
    publish,
    register,
    sign_in,
    text,
)
from tests.e2e import journeys

pytestmark = pytest.mark.django_db(databases=ALL_DATABASES)


def read(path: str, **headers) -> str:
    """GET `path` as an anonymous reader (a browser of its own); return the page's text."""
    response = Client().get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    return text(response)


def author_named(name: str) -> Author:
    return Author.objects.get(name=name)


def age_the_version(seconds: int = 5) -> None:
    PageVersion.objects.filter(pk=1).update(changed_at=timezone.now() - timedelta(seconds=seconds))


# --- what is cached, and how readers revalidate ------------------------------------------


def test_a_second_anonymous_read_costs_one_query_and_gets_the_same_page():
    publish(make_blog(register("alice")), "Cached entry")
    first = Client().get("/")

    queries = count_queries(lambda: Client().get("/"))
    second = Client().get("/")

    assert queries == 1  # the pages' version; the page comes from memory
    assert second.status_code == 200 and second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == "no-cache"
    # What the middleware behind the cache added is kept with the page.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == first["X-Frame-Options"]


def test_a_reader_with_the_current_etag_gets_304_and_a_changed_page_gets_200():
    blog = make_blog(register("alice"))
    publish(blog, "First")
    etag = Client().get("/blogs/alice-notes")["ETag"]

    unchanged = Client().get("/blogs/alice-notes", HTTP_IF_NONE_MATCH=etag)
    publish(blog, "Second")
    changed = Client().get("/blogs/alice-notes", HTTP_IF_NONE_MATCH=etag)

    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert changed.status_code == 200 and "Second" in text(changed)
    assert changed["ETag"] != etag


def test_last_modified_answers_if_modified_since_once_the_version_is_a_second_old(monkeypatch):
    publish(make_blog(register("alice")), "First")
    written = PageVersion.objects.get(pk=1).changed_at.timestamp()
    with monkeypatch.context() as clock:
        # Read within the second of the write, however slow the machine is today.
        clock.setattr(pagecache.time, "time", lambda: int(written) + 0.5)
        fresh = Client().get("/")
    age_the_version()
    aged = Client().get("/")

    again = Client().get("/", HTTP_IF_MODIFIED_SINCE=aged["Last-Modified"])

    # Within the second of the last write, a date could not tell two versions apart.
    assert "Last-Modified" not in fresh
    assert again.status_code == 304


def test_an_if_modified_since_from_before_a_write_gets_the_new_page():
    blog = make_blog(register("alice"))
    publish(blog, "First")
    age_the_version()
    last_modified = Client().get("/")["Last-Modified"]

    publish(blog, "Second")
    response = Client().get("/", HTTP_IF_MODIFIED_SINCE=last_modified)

    assert response.status_code == 200 and "Second" in text(response)


@pytest.mark.parametrize(
    "path", ["/", "/blogs/alice-notes", "/feed", "/api/v1/blogs/alice-notes/entries"]
)
def test_a_head_gets_the_headers_a_get_gets_whether_the_page_is_cached_or_not(path):
    blog = make_blog(register("alice"))
    publish(blog, "First")
    age_the_version()

    head_first = Client().head(path)  # nothing cached yet
    get = Client().get(path)
    queries = count_queries(lambda: Client().head(path))
    head_cached = Client().head(path)
    unchanged = Client().head(path, HTTP_IF_NONE_MATCH=get["ETag"])
    publish(blog, "Second")
    after_write = Client().head(path)

    for head in (head_first, head_cached):
        assert head.status_code == 200 and head.content == b""
        for name in ("ETag", "Last-Modified", "Cache-Control", "Content-Type", "Content-Length"):
            assert head.get(name) == get.get(name), name
    assert queries == 1  # answered from the cache: the pages' version only
    assert unchanged.status_code == 304
    assert after_write["ETag"] != get["ETag"]


def test_a_cached_page_answers_the_preconditions_of_a_cautious_client_with_412():
    publish(make_blog(register("alice")), "First")
    age_the_version()
    first = Client().get("/")
    last_modified = first["Last-Modified"]

    wrong_tag = Client().get("/", HTTP_IF_MATCH='"not-this-page"')
    right_tag = Client().get("/", HTTP_IF_MATCH=first["ETag"])
    changed_since = Client().get("/", HTTP_IF_UNMODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT")
    unchanged_since = Client().get("/", HTTP_IF_UNMODIFIED_SINCE=last_modified)

    assert wrong_tag.status_code == 412 and changed_since.status_code == 412
    assert right_tag.status_code == 200 and right_tag.content == first.content
    assert unchanged_since.status_code == 200


def test_query_strings_the_pages_do_not_read_never_take_a_place_in_the_cache():
    """Otherwise /?x=1, /?x=2 ... would push the pages readers want out of the cache."""
    publish(make_blog(register("alice")), "First")
    cache = caches[pagecache.CACHE_ALIAS]
    cache.clear()

    for n in range(5):
        assert "First" in read(f"/?utm_source={n}")
    assert "First" in read("/blogs/alice-notes?page=1")
    assert "First" in read("/api/v1/blogs/alice-notes/entries?page=1&page_size=5")
    read("/api/v1/blogs/alice-notes/entries?page=1&page=2")  # a parameter twice

    # The pages with the parameters they read are kept (two), the others are not.
    assert len(cache._cache) == 2  # LocMemCache's entries


def test_errors_and_redirects_are_never_cached():
    make_blog(register("alice"))
    assert Client().get("/blogs/nobody").status_code == 404

    services.blog_create(owner=register("bob"), path="nobody", title="Now somebody")

    assert "Now somebody" in read("/blogs/nobody")


def test_api_reads_are_cached_per_accept_header():
    writer = journeys.register("carol")
    journeys.create_blog(writer, "carol")
    journeys.publish_entry(writer, "carol", "One")
    as_json = APIClient().get("/api/v1/blogs/carol/entries")

    as_xml = APIClient().get("/api/v1/blogs/carol/entries", HTTP_ACCEPT="application/xml")
    json_again = APIClient().get("/api/v1/blogs/carol/entries")

    # The JSON in the cache is not an answer to a client that cannot take JSON.
    assert as_xml.status_code == 406
    assert as_json["Content-Type"] == json_again["Content-Type"] == "application/json"
    assert json_again.json()["results"][0]["title"] == "One"


# --- signed-in readers, tokens and messages ----------------------------------------------


def test_a_signed_in_owner_is_never_served_a_readers_page_nor_leaves_one():
    alice = client_of("alice")
    publish(make_blog(author_named("alice")), "Hello")
    manage = 'href="/my/blogs/alice-notes"'
    assert manage not in read("/blogs/alice-notes")

    owners_page = alice.get("/blogs/alice-notes")
    after = read("/blogs/alice-notes")

    assert manage in text(owners_page) and "Sign out" in text(owners_page)
    assert manage not in after and "Sign out" not in after


def test_a_draft_is_shown_to_its_owner_and_never_to_a_reader_from_the_cache():
    alice = client_of("alice")
    author = author_named("alice")
    draft = services.entry_create(
        blog=make_blog(author), actor=author, title="Secret", body="", status="draft"
    )
    path = f"/blogs/alice-notes/entries/{draft.pk}"

    assert alice.get(path).status_code == 200
    assert Client().get(path).status_code == 404
    assert Client().get(path).status_code == 404


def test_a_token_holders_read_is_never_served_from_the_cache():
    writer = journeys.register("carol")
    journeys.create_blog(writer, "carol")
    response = writer.client.post(
        "/api/v1/blogs/carol/entries", {"title": "Draft", "body": "", "status": "draft"}, "json"
    )
    assert response.status_code == 201
    assert APIClient().get("/api/v1/blogs/carol/entries?status=all").status_code == 401
    public = APIClient().get("/api/v1/blogs/carol/entries?status=all")

    owners = writer.client.get("/api/v1/blogs/carol/entries?status=all")

    assert public.status_code == 401
    assert owners.status_code == 200 and [e["title"] for e in owners.json()["results"]] == ["Draft"]


def test_a_message_waiting_for_a_reader_is_shown_not_a_cached_page():
    register("alice")
    browser = Client()
    assert "You are signed out" not in text(browser.get("/"))
    sign_in(browser, "alice")

    browser.post("/signout")
    home = browser.get("/")

    assert "You are signed out" in text(home)
    assert "You are signed out" not in read("/")


# --- every write that changes a public page, as a request sequence -----------------------


def test_publishing_through_the_editor_shows_at_once_everywhere():
    alice = client_of("alice")
    alice.post(
        "/my/blogs/-/create", {"path": "alice-notes", "title": "Alice's notes", "description": ""}
    )
    pages = ["/", "/blogs/alice-notes", "/api/v1/blogs/alice-notes/entries", "/feed"]
    before = {page: read(page) for page in pages}

    response = alice.post(
        "/my/blogs/alice-notes/entries/-/publish",
        {"title": "Fresh words", "body": "Hello", "publish": "1"},
    )

    assert response.status_code == 302
    assert all("Fresh words" not in before[page] for page in pages)
    assert all("Fresh words" in read(page) for page in pages)


def test_editing_an_entry_through_the_api_shows_the_new_text_on_its_pages():
    writer = journeys.register("carol")
    journeys.create_blog(writer, "carol")
    entry = journeys.publish_entry(writer, "carol", "Old title", "Old words")
    pages = [
        f"/blogs/carol/entries/{entry['id']}",
        "/blogs/carol",
        f"/api/v1/blogs/carol/entries/{entry['id']}",
        "/authors/carol",
    ]
    assert "Old words" in read(pages[0])
    for page in pages:
        read(page)

    response = writer.client.patch(
        f"/api/v1/blogs/carol/entries/{entry['id']}",
        {"title": "New title", "body": "New words"},
        format="json",
    )

    assert response.status_code == 200
    assert "New words" in read(pages[0]) and "Old words" not in read(pages[0])
    assert "New title" in read(pages[1]) and "Old title" not in read(pages[1])
    assert "New words" in read(pages[2])


def test_unpublishing_and_publishing_again_through_the_web_hide_and_show_the_entry():
    alice = client_of("alice")
    author = author_named("alice")
    entry = publish(make_blog(author), "Now you see me")
    page = f"/blogs/alice-notes/entries/{entry.pk}"
    assert "Now you see me" in read(page) and "Now you see me" in read("/blogs/alice-notes")

    alice.post(f"/my/blogs/alice-notes/entries/{entry.pk}/unpublish")

    assert Client().get(page).status_code == 404
    assert "Now you see me" not in read("/blogs/alice-notes")
    assert "Now you see me" not in read("/")

    alice.post(f"/my/blogs/alice-notes/entries/{entry.pk}/publish")

    assert "Now you see me" in read(page) and "Now you see me" in read("/")


def test_unpublishing_through_the_api_delete_hides_the_entry_from_api_readers():
    writer = journeys.register("carol")
    journeys.create_blog(writer, "carol")
    entry = journeys.publish_entry(writer, "carol", "Going")
    url = f"/api/v1/blogs/carol/entries/{entry['id']}"
    assert APIClient().get(url).status_code == 200

    assert writer.client.delete(url).status_code == 204

    assert APIClient().get(url).status_code == 404
    assert APIClient().get("/api/v1/blogs/carol/entries").json()["results"] == []


def test_an_entry_removed_by_an_operator_leaves_the_pages():
    entry = publish(make_blog(register("alice")), "Spam")
    page = f"/blogs/alice-notes/entries/{entry.pk}"
    assert "Spam" in read(page) and "Spam" in read("/")

    services.entry_remove(entry=entry)  # the admin's delete

    assert Client().get(page).status_code == 404
    assert "Spam" not in read("/")


def test_editing_a_blog_through_the_web_shows_its_new_title():
    alice = client_of("alice")
    author = author_named("alice")
    entry = publish(make_blog(author, title="Old name"), "Hello")
    pages = ["/", "/blogs/alice-notes", f"/blogs/alice-notes/entries/{entry.pk}", "/authors/alice"]
    assert all("Old name" in read(page) for page in pages)

    alice.post("/my/blogs/alice-notes/edit", {"title": "New name", "description": "About"})

    for page in pages:
        assert "New name" in read(page) and "Old name" not in read(page), page


def test_deleting_a_blog_through_the_web_takes_its_pages_away():
    alice = client_of("alice")
    author = author_named("alice")
    entry = publish(make_blog(author), "Hello")
    entry_page = f"/blogs/alice-notes/entries/{entry.pk}"
    assert "Hello" in read(entry_page) and "Alice&#39;s notes" in read("/authors/alice")

    alice.post("/my/blogs/alice-notes/delete")

    assert Client().get(entry_page).status_code == 404
    assert Client().get("/blogs/alice-notes").status_code == 404
    assert APIClient().get("/api/v1/blogs/alice-notes").status_code == 404
    assert "Hello" not in read("/")
    assert "Alice&#39;s notes" not in read("/authors/alice")


def test_a_render_finished_in_the_background_replaces_the_escaped_body(
    fake_renderer, held, django_capture_on_commit_callbacks
):
    fake_renderer.failing = True
    entry = publish(make_blog(register("alice")), "Pending", "Some *text*")
    page = f"/blogs/alice-notes/entries/{entry.pk}"
    assert "Rendering pending" in read(page)

    fake_renderer.failing = False
    event = EntryRenderPending(entry_id=str(entry.pk))
    handlers.on_entry_render_pending(event, handlers.render_pending_entry(event))

    after = read(page)
    assert "Rendering pending" not in after and "<p>Some *text*</p>" in after


def test_a_links_title_fetched_in_the_background_shows_on_the_entry(monkeypatch):
    url = "https://example.com/post"
    entry = publish(make_blog(register("alice")), "Links", f"Read [{url}:title].")
    page = f"/blogs/alice-notes/entries/{entry.pk}"
    assert "Tom &amp; Jerry" not in read(page)

    known = fetcher_api.LinkMetadata(
        url=url,
        final_url=url,
        title="Tom & Jerry",
        description="",
        site_name="",
        image_url="",
        fetched_at=timezone.now(),
    )
    monkeypatch.setattr(fetcher_api, "link_metadata", lambda *, urls: {url: known})
    event = fetcher_api.LinkMetadataFetched(url=url)
    handlers.on_link_metadata_fetched(event, handlers.rerender_linking_entries(event))

    assert "Tom &amp; Jerry" in read(page)


def test_an_authors_new_name_shows_on_their_pages():
    author = register("alice")
    publish(make_blog(author), "Hello")
    assert 'href="/authors/alice"' in read("/")

    services.author_ensure(account_id=author.account_id, name="alicia")

    assert 'href="/authors/alicia"' in read("/") and 'href="/authors/alice"' not in read("/")
    assert "alicia" in read("/authors/alicia")


def test_a_drafts_edits_leave_the_readers_pages_cached():
    author = register("alice")
    blog = make_blog(author)
    publish(blog, "Public")
    draft = services.entry_create(blog=blog, actor=author, title="D", body="", status="draft")
    read("/blogs/alice-notes")
    version = PageVersion.objects.get().version

    services.entry_edit(entry=draft, actor=author, title="Still a draft")

    assert PageVersion.objects.get().version == version
    assert count_queries(lambda: Client().get("/blogs/alice-notes")) == 1


@pytest.mark.django_db(transaction=True, databases=ALL_DATABASES)
def test_deleting_an_account_takes_all_its_pages_away(eager):
    writer = journeys.register("carol")
    journeys.create_blog(writer, "carol", title="Carol's corner")
    entry = journeys.publish_entry(writer, "carol", "Carol was here")
    pages = ["/blogs/carol", f"/blogs/carol/entries/{entry['id']}", "/authors/carol"]
    for page in pages:
        read(page)
    assert "Carol was here" in read("/")

    assert journeys.delete_account(writer).status_code == 204

    assert [Client().get(page).status_code for page in pages] == [404, 404, 404]
    assert "Carol was here" not in read("/")
    assert APIClient().get("/api/v1/blogs").json()["results"] == []
    assert not Entry.objects.exists()
