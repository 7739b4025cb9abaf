"""REST API: every Entries row of api-v1.md, its success and each listed error."""

import pytest

from contexts.blog.models import Entry
from tests.blog.conftest import fake_html
from tests.blog.test_api_blogs import assert_error, assert_unauthenticated

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("fake_renderer"),
]

ENTRY_KEYS = {
    "id",
    "title",
    "body",
    "body_html",
    "status",
    "published_at",
    "edited_at",
    "url",
    "blog",
}
ENTRIES = "/api/v1/blogs/first-blog/entries"


def entry_url(entry_id) -> str:
    return f"{ENTRIES}/{entry_id}"


# --- GET .../entries -----------------------------------------------------------------


def test_list_entries_is_a_page_newest_published_first(api_client, blog, make_entry):
    older = make_entry(blog, title="Older", body="old")
    newer = make_entry(blog, title="Newer", body="new *one*")

    response = api_client.get(ENTRIES)

    assert response.status_code == 200
    body = response.json()
    assert (body["next"], body["previous"]) == (None, None)
    assert [entry["id"] for entry in body["results"]] == [str(newer.pk), str(older.pk)]
    first = body["results"][0]
    assert set(first) == ENTRY_KEYS
    assert first["title"] == "Newer" and first["body"] == "new *one*"
    assert first["body_html"] == fake_html("new *one*")
    assert first["blog"] == {"path": "first-blog", "title": "First blog"}
    assert first["url"] == f"http://testserver/blogs/first-blog/entries/{newer.pk}"
    assert first["edited_at"] is None
    assert first["published_at"].endswith("Z")


def test_list_entries_leaves_out_unpublished_and_other_blogs_entries(
    api_client, owner_client, blog, author, make_blog, make_entry
):
    kept = make_entry(blog)
    gone = make_entry(blog)
    make_entry(make_blog(author, path="elsewhere"))
    owner_client.delete(entry_url(gone.pk))

    response = api_client.get(ENTRIES)

    assert [entry["id"] for entry in response.json()["results"]] == [str(kept.pk)]


def test_list_entries_pages(api_client, blog, make_entry):
    entries = [make_entry(blog, title=f"e{number}") for number in range(3)]

    first = api_client.get(ENTRIES, {"page_size": 2}).json()
    second = api_client.get(first["next"]).json()
    past = api_client.get(ENTRIES, {"page_size": 2, "page": 9})
    far = api_client.get(ENTRIES, {"page_size": 100, "page": 10**20})

    assert [e["id"] for e in first["results"]] == [str(entries[2].pk), str(entries[1].pk)]
    assert [e["id"] for e in second["results"]] == [str(entries[0].pk)]
    assert second["previous"] == "http://testserver/api/v1/blogs/first-blog/entries?page_size=2"
    assert past.status_code == 200 and past.json()["results"] == []
    assert far.status_code == 200 and far.json()["results"] == []


@pytest.mark.parametrize("query", [{"page": "one"}, {"page": "0"}, {"page_size": "500"}])
def test_list_entries_with_a_malformed_page_is_400(api_client, blog, query):
    response = api_client.get(ENTRIES, query)

    assert response.status_code == 400
    assert set(response.json()) <= {"page", "page_size"}


def test_list_entries_of_an_unknown_blog_is_404(api_client):
    assert_error(api_client.get("/api/v1/blogs/unknown/entries"), 404, "blog_not_found")


# --- POST .../entries ----------------------------------------------------------------


def test_publish_entry_answers_201_with_the_rendered_entry_and_location(owner_client, blog):
    response = owner_client.post(
        ENTRIES, {"title": "First post", "body": "# Hi\n\nthere"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == ENTRY_KEYS
    entry = Entry.objects.get()
    assert body["id"] == str(entry.pk)
    assert body["title"] == "First post"
    assert body["body"] == "# Hi\n\nthere"
    assert body["body_html"] == fake_html("# Hi\n\nthere")
    assert body["blog"] == {"path": "first-blog", "title": "First blog"}
    assert body["url"] == f"http://testserver/blogs/first-blog/entries/{entry.pk}"
    assert response["Location"] == f"http://testserver{ENTRIES}/{entry.pk}"
    assert owner_client.get(response["Location"]).json() == body


def test_publish_entry_keeps_the_body_exactly(owner_client, blog):
    body = "  indented code\n\ntrailing spaces  \n"

    response = owner_client.post(ENTRIES, {"title": "  Trimmed  ", "body": body}, format="json")

    assert response.json()["body"] == body
    assert response.json()["title"] == "Trimmed"


def test_publish_entry_without_a_token_is_401(api_client, blog):
    response = api_client.post(ENTRIES, {"title": "t", "body": "b"}, format="json")

    assert_unauthenticated(response)
    assert not Entry.objects.exists()


def test_publish_entry_in_someone_elses_blog_is_403(blog, make_account, client_for):
    response = client_for(make_account()[0]).post(
        ENTRIES, {"title": "t", "body": "b"}, format="json"
    )

    assert_error(response, 403, "not_owner")
    assert not Entry.objects.exists()


def test_publish_entry_in_an_unknown_blog_is_404(owner_client):
    response = owner_client.post(
        "/api/v1/blogs/unknown/entries", {"title": "t", "body": "b"}, format="json"
    )

    assert_error(response, 404, "blog_not_found")


def test_publish_entry_with_a_body_over_100000_characters_is_413(owner_client, blog):
    response = owner_client.post(ENTRIES, {"title": "Big", "body": "x" * 100_001}, format="json")

    assert_error(response, 413, "too_large")
    assert not Entry.objects.exists()


def test_publish_entry_with_a_body_of_exactly_100000_characters_is_201(owner_client, blog):
    response = owner_client.post(ENTRIES, {"title": "Big", "body": "x" * 100_000}, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "b"}, "title"),
        ({"title": "", "body": "b"}, "title"),
        ({"title": "   ", "body": "b"}, "title"),
        ({"title": "t" * 501, "body": "b"}, "title"),
        ({"title": 5, "body": "b"}, "title"),
        ({"title": "t"}, "body"),
        ({"title": "t", "body": None}, "body"),
        ({"title": "t", "body": ["list"]}, "body"),
        ({"title": "t", "body": "nul \x00 byte"}, "body"),
    ],
)
def test_publish_entry_with_an_invalid_field_is_400_naming_it(owner_client, blog, payload, field):
    response = owner_client.post(ENTRIES, payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Entry.objects.exists()


def test_publish_entry_with_a_lone_surrogate_is_400(owner_client, blog):
    # Sent as JSON text: "\\ud800" escapes a lone surrogate no database can store.
    content = '{"title": "t", "body": "lone \\ud800 surrogate"}'

    response = owner_client.generic("POST", ENTRIES, content, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()) == ["body"]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_lone_surrogate_in_a_choice_is_400_on_that_field(owner_client, blog, method):
    # The choice's error quotes what was sent: the answer must still be JSON, not a 500.
    url = ENTRIES
    if method == "PATCH":
        created = owner_client.post(ENTRIES, {"title": "t", "body": "b"}, format="json")
        url = f"{ENTRIES}/{created.json()['id']}"
    content = '{"title": "t", "body": "b", "status": "\\ud800"}'

    response = owner_client.generic(method, url, content, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert "\\ud800" in response.content.decode()  # escaped, as JSON may write it


@pytest.mark.parametrize("content", ["{broken", "[]", "null", "42"])
def test_publish_entry_with_a_body_that_is_not_a_json_object_is_400(owner_client, blog, content):
    response = owner_client.generic("POST", ENTRIES, content, content_type="application/json")

    assert response.status_code == 400
    assert not Entry.objects.exists()


# --- GET .../entries/{id} ------------------------------------------------------------


def test_get_entry_answers_the_entry(api_client, entry):
    response = api_client.get(entry_url(entry.pk))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ENTRY_KEYS
    assert body["id"] == str(entry.pk)
    assert body["body_html"] == fake_html("Hello *world*")


@pytest.mark.parametrize(
    "entry_id", ["abc", "999999", "1.5", "-1", "0x1", "9" * 40, "%00", "0", "+1"]
)
def test_get_unknown_or_non_numeric_entry_is_404(api_client, blog, entry_id):
    assert_error(api_client.get(entry_url(entry_id)), 404, "entry_not_found")


def test_get_entry_through_another_blogs_path_is_404(api_client, author, entry, make_blog):
    make_blog(author, path="other-blog")

    response = api_client.get(f"/api/v1/blogs/other-blog/entries/{entry.pk}")

    assert_error(response, 404, "entry_not_found")


def test_get_entry_of_an_unknown_blog_is_404(api_client, entry):
    response = api_client.get(f"/api/v1/blogs/unknown/entries/{entry.pk}")

    assert_error(response, 404, "blog_not_found")


# --- PATCH .../entries/{id} ----------------------------------------------------------


def test_patch_entry_changes_it_and_renders_again(owner_client, entry, fake_renderer):
    response = owner_client.patch(entry_url(entry.pk), {"body": "*new*"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["body"] == "*new*" and body["title"] == "Hello"
    assert body["body_html"] == fake_html("*new*")
    assert body["edited_at"] is not None and body["edited_at"] >= body["published_at"]
    assert fake_renderer.calls[-1] == "*new*"
    assert Entry.objects.get(pk=entry.pk).body_html == fake_html("*new*")


def test_patch_entry_title_only(owner_client, entry):
    response = owner_client.patch(entry_url(entry.pk), {"title": "Renamed"}, format="json")

    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert response.json()["body"] == "Hello *world*"


def test_patch_entry_without_a_token_is_401(api_client, entry):
    assert_unauthenticated(api_client.patch(entry_url(entry.pk), {"title": "x"}, format="json"))


def test_patch_entry_of_someone_else_is_403(entry, make_account, client_for):
    response = client_for(make_account()[0]).patch(
        entry_url(entry.pk), {"title": "x"}, format="json"
    )

    assert_error(response, 403, "not_owner")
    assert Entry.objects.get(pk=entry.pk).title == "Hello"


def test_an_entry_has_one_address_not_one_per_leading_zero(api_client, owner_client, blog):
    entry_id = owner_client.post(ENTRIES, {"title": "t", "body": "b"}, format="json").json()["id"]

    assert api_client.get(entry_url(entry_id)).status_code == 200
    assert_error(api_client.get(entry_url(f"0{entry_id}")), 404, "entry_not_found")


@pytest.mark.parametrize("entry_id", ["abc", "424242"])
def test_patch_unknown_entry_is_404(owner_client, blog, entry_id):
    response = owner_client.patch(entry_url(entry_id), {"title": "x"}, format="json")

    assert_error(response, 404, "entry_not_found")


def test_patch_entry_with_a_body_over_the_limit_is_413(owner_client, entry):
    response = owner_client.patch(entry_url(entry.pk), {"body": "y" * 100_001}, format="json")

    assert_error(response, 413, "too_large")
    assert Entry.objects.get(pk=entry.pk).body == "Hello *world*"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"title": ""}, "title"), ({"title": "t" * 501}, "title"), ({"body": None}, "body")],
)
def test_patch_entry_with_an_invalid_field_is_400(owner_client, entry, payload, field):
    response = owner_client.patch(entry_url(entry.pk), payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_patch_entry_with_a_non_object_body_is_400(owner_client, entry):
    response = owner_client.generic(
        "PATCH", entry_url(entry.pk), "[1]", content_type="application/json"
    )

    assert response.status_code == 400


# --- DELETE .../entries/{id} ---------------------------------------------------------


def test_delete_entry_returns_it_to_draft_kept_for_its_owner(owner_client, api_client, entry):
    response = owner_client.delete(entry_url(entry.pk))

    assert response.status_code == 204
    assert Entry.objects.get(pk=entry.pk).status == "draft"
    assert_error(api_client.get(entry_url(entry.pk)), 404, "entry_not_found")
    assert api_client.get(ENTRIES).json()["results"] == []
    mine = owner_client.get(entry_url(entry.pk))
    assert mine.status_code == 200
    assert (mine.json()["status"], mine.json()["published_at"]) == ("draft", None)
    # Unpublishing a draft changes nothing.
    assert owner_client.delete(entry_url(entry.pk)).status_code == 204
    assert Entry.objects.get(pk=entry.pk).status == "draft"


def test_delete_entry_without_a_token_is_401(api_client, entry):
    assert_unauthenticated(api_client.delete(entry_url(entry.pk)))
    assert Entry.objects.get(pk=entry.pk).status == "published"


def test_delete_entry_of_someone_else_is_403(entry, make_account, client_for):
    response = client_for(make_account()[0]).delete(entry_url(entry.pk))

    assert_error(response, 403, "not_owner")
    assert Entry.objects.get(pk=entry.pk).status == "published"


def test_delete_unknown_entry_is_404(owner_client, blog):
    assert_error(owner_client.delete(entry_url("nope")), 404, "entry_not_found")
