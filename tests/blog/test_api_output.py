"""The entries' JSON built directly (serializers.entries_output) is the serializer's, byte for byte.

EntryOutputSerializer describes the contract (OpenAPI); the reads answer with
entries_output, which skips DRF's per-field machinery. Any difference between the two is
a change of the contract.
"""

import json
from datetime import UTC, datetime

import pytest
from django.test import RequestFactory
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import timezone

from contexts.blog import selectors
from contexts.blog.http.serializers import EntryOutputSerializer, entries_output, entry_api_url
from contexts.blog.models import Blog, Entry

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("fake_renderer"),
]


def _serialized(request, entries: list[Entry]) -> str:
    return json.dumps(EntryOutputSerializer(entries, many=True, context={"request": request}).data)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
@pytest.mark.parametrize("host", ["testserver", "example.org:8443"])
def test_entries_output_is_the_serializers(blog, make_entry, settings, zone, host):
    settings.ALLOWED_HOSTS = ["testserver", "example.org"]
    make_entry(blog, title='Quotes "and" <tags> & ünïcode ✓', body="Body with *Markdown*")
    edited = make_entry(blog, title="Edited", body="x")
    Entry.objects.filter(pk=edited.pk).update(
        edited_at=datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)
    )
    draft = make_entry(blog, title="Draft", body="Not yet")
    Entry.objects.filter(pk=draft.pk).update(published_at=None)
    entries = list(selectors.entry_list(blog=blog, status="all"))
    assert {entry.status for entry in entries} == {"draft", "published"}
    request = RequestFactory().get("/api/v1/blogs/x/entries", HTTP_HOST=host, secure=True)

    with timezone.override(zone):
        direct = json.dumps(entries_output(request, entries))
        assert direct == _serialized(request, entries)
    assert "Z" in direct or zone != "UTC"


def test_the_endpoints_answer_what_the_serializer_makes(api_client, blog, make_entry):
    entry = make_entry(blog, title="It's <here>", body="**Bold**")
    request = RequestFactory().get("/")
    listed = api_client.get(f"/api/v1/blogs/{blog.path}/entries").json()["results"]
    one = api_client.get(f"/api/v1/blogs/{blog.path}/entries/{entry.pk}").json()

    expected = json.loads(
        _serialized(request, [selectors.entry_get(blog=blog, entry_id=str(entry.pk))])
    )
    assert listed == expected
    assert one == expected[0]


@pytest.mark.parametrize("prefix", ["/", "/journal/"])
@pytest.mark.parametrize("path", ["notes", "a", "my-notes-2", "0-0"])
@pytest.mark.parametrize("entry_id", [1, 42, 2**40])
def test_an_entrys_location_is_what_reverse_gives(settings, prefix, path, entry_id):
    settings.ALLOWED_HOSTS = ["example.org"]
    entry = Entry(pk=entry_id, blog=Blog(path=path))
    request = RequestFactory().get("/", HTTP_HOST="example.org:8443", secure=True)
    set_script_prefix(prefix)
    try:
        expected = request.build_absolute_uri(
            reverse("blog_api:entry-detail", kwargs={"path": path, "entry_id": str(entry_id)})
        )
        assert entry_api_url(request, entry) == expected
    finally:
        clear_script_prefix()
