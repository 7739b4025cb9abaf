"""REST API: drafts (api-v1.md, "Drafts (additions)"), every addition and each error."""

import pytest

from contexts.blog.models import Entry
from tests.blog.test_api_blogs import assert_error, assert_unauthenticated
from tests.blog.test_api_idempotency import post as post_with_key

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("fake_renderer"),
]

ENTRIES = "/api/v1/blogs/first-blog/entries"


def entry_url(entry_id) -> str:
    return f"{ENTRIES}/{entry_id}"


@pytest.fixture
def draft(owner_client, blog) -> dict:
    """A draft of `blog`, saved through the API."""
    response = owner_client.post(
        ENTRIES, {"title": "Draft", "body": "not yet", "status": "draft"}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def stranger(make_account, client_for):
    """A REST client of an account that does not own `blog`."""
    return client_for(make_account()[0])


# --- POST with a status ----------------------------------------------------------------


def test_post_with_status_draft_saves_a_draft_its_owner_alone_sees(
    owner_client, api_client, stranger, draft
):
    assert draft["status"] == "draft"
    assert draft["published_at"] is None
    assert draft["body"] == "not yet"
    assert owner_client.get(entry_url(draft["id"])).json() == draft
    assert_error(api_client.get(entry_url(draft["id"])), 404, "entry_not_found")
    assert_error(stranger.get(entry_url(draft["id"])), 404, "entry_not_found")
    assert api_client.get(ENTRIES).json()["results"] == []
    assert owner_client.get(ENTRIES).json()["results"] == []


def test_post_without_status_still_publishes(owner_client, api_client, blog):
    response = owner_client.post(ENTRIES, {"title": "Old client", "body": "b"}, format="json")

    assert response.status_code == 201
    assert response.json()["status"] == "published"
    assert response.json()["published_at"] is not None
    assert api_client.get(entry_url(response.json()["id"])).status_code == 200


def test_post_with_status_published_publishes(owner_client, blog):
    response = owner_client.post(
        ENTRIES, {"title": "T", "body": "b", "status": "published"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["status"] == "published"


@pytest.mark.parametrize("status", ["public", "Draft", "", 1, None, ["draft"], "all"])
def test_post_with_an_unknown_status_is_400_naming_it(owner_client, blog, status):
    response = owner_client.post(
        ENTRIES, {"title": "T", "body": "b", "status": status}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert not Entry.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "\n\t \n"])
def test_a_blank_body_cannot_be_published_but_a_draft_may_have_one(owner_client, blog, body):
    refused = owner_client.post(ENTRIES, {"title": "T", "body": body}, format="json")
    kept = owner_client.post(
        ENTRIES, {"title": "T", "body": body, "status": "draft"}, format="json"
    )

    assert refused.status_code == 400
    assert list(refused.json()) == ["body"]
    assert "draft" in refused.json()["body"][0]
    assert kept.status_code == 201
    assert Entry.objects.get().body == body


def test_a_draft_by_another_account_is_403(stranger, blog):
    response = stranger.post(ENTRIES, {"title": "T", "body": "", "status": "draft"}, format="json")

    assert_error(response, 403, "not_owner")
    assert not Entry.objects.exists()


# --- PATCH status ----------------------------------------------------------------------


def test_patch_status_published_publishes_a_draft(owner_client, api_client, draft):
    response = owner_client.patch(entry_url(draft["id"]), {"status": "published"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "published"
    assert body["published_at"] is not None
    assert body["edited_at"] is None  # publishing is not an edit of the text
    assert api_client.get(entry_url(draft["id"])).json()["status"] == "published"
    assert [e["id"] for e in api_client.get(ENTRIES).json()["results"]] == [draft["id"]]


def test_patch_status_draft_unpublishes(owner_client, api_client, entry):
    response = owner_client.patch(entry_url(entry.pk), {"status": "draft"}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["published_at"]) == ("draft", None)
    assert_error(api_client.get(entry_url(entry.pk)), 404, "entry_not_found")


def test_patch_changes_a_draft_and_publishes_it_in_one_request(owner_client, blog):
    draft = owner_client.post(
        ENTRIES, {"title": "Empty", "body": "", "status": "draft"}, format="json"
    ).json()

    refused = owner_client.patch(entry_url(draft["id"]), {"status": "published"}, format="json")
    done = owner_client.patch(
        entry_url(draft["id"]), {"body": "Now *written*", "status": "published"}, format="json"
    )

    assert refused.status_code == 400 and list(refused.json()) == ["body"]
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["body"]) == ("published", "Now *written*")


def test_a_published_entry_cannot_be_emptied(owner_client, entry):
    response = owner_client.patch(entry_url(entry.pk), {"body": "  "}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["body"]
    assert Entry.objects.get(pk=entry.pk).body == "Hello *world*"


@pytest.mark.parametrize("status", ["all", "deleted", 3, None])
def test_patch_with_an_unknown_status_is_400(owner_client, entry, status):
    response = owner_client.patch(entry_url(entry.pk), {"status": status}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_another_account_cannot_find_a_draft_to_change_or_unpublish(stranger, draft):
    patched = stranger.patch(entry_url(draft["id"]), {"status": "published"}, format="json")
    deleted = stranger.delete(entry_url(draft["id"]))

    assert_error(patched, 404, "entry_not_found")
    assert_error(deleted, 404, "entry_not_found")
    assert Entry.objects.get().status == "draft"


def test_another_account_changing_a_published_entry_is_still_403(stranger, entry):
    response = stranger.patch(entry_url(entry.pk), {"status": "draft"}, format="json")

    assert_error(response, 403, "not_owner")


# --- lists -----------------------------------------------------------------------------


@pytest.fixture
def mixed(owner_client, blog, make_entry) -> dict:
    """Two published entries and two drafts of `blog`, by their titles."""
    entries = {}
    for title, status in [("p1", "published"), ("d1", "draft"), ("p2", "published")]:
        response = owner_client.post(
            ENTRIES, {"title": title, "body": "b", "status": status}, format="json"
        )
        entries[title] = response.json()["id"]
    entries["d2"] = owner_client.post(
        ENTRIES, {"title": "d2", "body": "", "status": "draft"}, format="json"
    ).json()["id"]
    return entries


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [entry["id"] for entry in response.json()["results"]]


def test_the_owner_lists_drafts_or_everything(owner_client, mixed):
    assert _ids(owner_client.get(ENTRIES)) == [mixed["p2"], mixed["p1"]]
    assert _ids(owner_client.get(ENTRIES, {"status": "published"})) == [mixed["p2"], mixed["p1"]]
    assert _ids(owner_client.get(ENTRIES, {"status": "draft"})) == [mixed["d2"], mixed["d1"]]
    assert _ids(owner_client.get(ENTRIES, {"status": "all"})) == [
        mixed["d2"],
        mixed["d1"],
        mixed["p2"],
        mixed["p1"],
    ]


def test_drafts_page_like_any_list(owner_client, mixed):
    first = owner_client.get(ENTRIES, {"status": "all", "page_size": 3}).json()
    second = owner_client.get(first["next"]).json()

    assert "status=all" in first["next"]
    assert [e["id"] for e in first["results"] + second["results"]] == [
        mixed["d2"],
        mixed["d1"],
        mixed["p2"],
        mixed["p1"],
    ]


@pytest.mark.parametrize("status", ["draft", "all"])
def test_drafts_asked_for_without_a_token_is_401(api_client, mixed, status):
    response = api_client.get(ENTRIES, {"status": status})

    assert_unauthenticated(response)
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("status", ["draft", "all"])
def test_drafts_asked_for_by_another_account_is_403(stranger, mixed, status):
    assert_error(stranger.get(ENTRIES, {"status": status}), 403, "not_owner")


def test_published_entries_are_listed_for_anyone_who_asks(api_client, stranger, mixed):
    assert _ids(api_client.get(ENTRIES, {"status": "published"})) == [mixed["p2"], mixed["p1"]]
    assert _ids(stranger.get(ENTRIES)) == [mixed["p2"], mixed["p1"]]


@pytest.mark.parametrize("status", ["drafts", "DRAFT", "none"])
def test_an_unknown_list_status_is_400(owner_client, blog, status):
    response = owner_client.get(ENTRIES, {"status": status})

    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_drafts_of_an_unknown_blog_is_404(owner_client):
    response = owner_client.get("/api/v1/blogs/unknown/entries", {"status": "draft"})

    assert_error(response, 404, "blog_not_found")


# --- Idempotency-Key -------------------------------------------------------------------


def test_an_idempotency_key_replays_a_draft_too(owner_client, blog):
    payload = {"title": "Once", "body": "", "status": "draft"}

    first = post_with_key(owner_client, "draft-key", payload)
    second = post_with_key(owner_client, "draft-key", payload)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.json()["status"] == "draft"
    assert second["Idempotent-Replayed"] == "true"
    assert Entry.objects.count() == 1


def test_the_same_key_with_another_status_is_409(owner_client, blog):
    post_with_key(owner_client, "key", {"title": "T", "body": "b", "status": "draft"})

    response = post_with_key(owner_client, "key", {"title": "T", "body": "b"})

    assert_error(response, 409, "idempotency_conflict")
    assert Entry.objects.get().status == "draft"


def test_an_idempotency_key_does_not_let_a_blank_body_be_published(owner_client, blog):
    response = post_with_key(owner_client, "blank", {"title": "T", "body": " "})

    assert response.status_code == 400
    assert list(response.json()) == ["body"]
    assert not Entry.objects.exists()
