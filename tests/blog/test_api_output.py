"""The entries' JSON built directly (serializers.entries_output) is the serializer's, byte for byte.

EntryOutputSerializer describes the contract (OpenAPI); the reads answer with
entries_output, which skips DRF's per-field machinery. Any difference between the two is
a change of the contract.
"""

import json
from datetime import UTC, datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from contexts.blog import selectors
from contexts.blog.http.serializers import EntryOutputSerializer, entries_output
from contexts.blog.models import Entry

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
