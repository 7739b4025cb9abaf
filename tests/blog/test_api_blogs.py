"""REST API: every Blogs row of api-v1.md, its success and each listed error."""

import pytest

from contexts.accounts import api as accounts_api
from contexts.blog.models import Author, Blog, Entry

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("fake_renderer"),
]

BLOG_KEYS = {"path", "title", "description", "owner", "created_at", "updated_at", "url"}


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]


def assert_unauthenticated(response) -> None:
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


# --- GET /api/v1/blogs ---------------------------------------------------------------


def test_list_blogs_is_a_page_of_blogs_newest_first(api_client, author, make_blog):
    make_blog(author, path="older", title="Older")
    make_blog(author, path="newer", title="Newer", description="fresh")

    response = api_client.get("/api/v1/blogs")

    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None and body["previous"] is None
    assert [blog["path"] for blog in body["results"]] == ["newer", "older"]
    newest = body["results"][0]
    assert set(newest) == BLOG_KEYS
    assert newest["title"] == "Newer" and newest["description"] == "fresh"
    assert newest["owner"] == {"name": author.name}
    assert newest["url"] == "http://testserver/blogs/newer"
    assert newest["created_at"].endswith("Z")


def test_list_blogs_pages_with_next_and_previous_links(api_client, author, make_blog):
    for number in range(5):
        make_blog(author, path=f"blog-{number}")

    first = api_client.get("/api/v1/blogs", {"page_size": 2}).json()
    second = api_client.get(first["next"]).json()
    third = api_client.get(second["next"]).json()

    assert [blog["path"] for blog in first["results"]] == ["blog-4", "blog-3"]
    assert [blog["path"] for blog in second["results"]] == ["blog-2", "blog-1"]
    assert [blog["path"] for blog in third["results"]] == ["blog-0"]
    assert first["previous"] is None
    assert second["next"] == "http://testserver/api/v1/blogs?page=3&page_size=2"
    assert second["previous"] == "http://testserver/api/v1/blogs?page_size=2"
    assert third["next"] is None


@pytest.mark.parametrize("page", ["7", "9223372036854775807", "99999999999999999999999"])
def test_list_blogs_past_the_end_is_an_empty_page(api_client, blog, page):
    response = api_client.get("/api/v1/blogs", {"page": page})

    assert response.status_code == 200
    assert response.json()["results"] == []
    assert response.json()["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "x"}, "page_size"),
        # Python's int() takes these; a page number is ASCII digits only.
        ({"page": "\uff11"}, "page"),  # a full-width 1
        ({"page": "+1"}, "page"),
        ({"page": " 1"}, "page"),
        ({"page": "1_0"}, "page"),
        ({"page_size": "+5"}, "page_size"),
    ],
)
def test_list_blogs_with_a_malformed_page_is_400(api_client, query, field):
    response = api_client.get("/api/v1/blogs", query)

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/blogs",
        "/api/v1/blogs/first-blog",
        "/api/v1/blogs/first-blog/entries",
        "/api/v1/blogs/first-blog/entries/1",
    ],
)
def test_every_read_with_a_forged_token_is_401_as_documented(api_client, blog, url):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = api_client.get(url)

    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "invalid_token"


def test_list_blogs_with_a_forged_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = api_client.get("/api/v1/blogs")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


# --- POST /api/v1/blogs --------------------------------------------------------------


def test_create_blog_answers_201_with_the_blog_and_its_location(owner_client, author):
    response = owner_client.post(
        "/api/v1/blogs",
        {"path": "my-notes", "title": "My notes", "description": "Things"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == BLOG_KEYS
    assert body["path"] == "my-notes" and body["title"] == "My notes"
    assert body["owner"] == {"name": author.name}
    assert body["url"] == "http://testserver/blogs/my-notes"
    assert response["Location"] == "http://testserver/api/v1/blogs/my-notes"
    assert Blog.objects.get(path="my-notes").owner_id == author.pk


def test_create_blog_on_first_write_creates_the_author(make_account, client_for):
    account, _ = make_account(name="Newcomer")

    response = client_for(account).post(
        "/api/v1/blogs", {"path": "hello", "title": "Hello"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["owner"] == {"name": "Newcomer"}
    assert response.json()["description"] == ""


def test_create_blog_without_a_token_is_401(api_client):
    response = api_client.post("/api/v1/blogs", {"path": "abc", "title": "t"}, format="json")

    assert_unauthenticated(response)
    assert not Blog.objects.exists()


@pytest.mark.parametrize(
    "header", ["Bearer not-a-token", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b"]
)
def test_create_blog_with_a_bad_token_is_401(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.post("/api/v1/blogs", {"path": "abc", "title": "t"}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert set(response.json()) == {"detail", "code"}


def test_create_blog_with_a_taken_path_is_409(owner_client, blog):
    response = owner_client.post(
        "/api/v1/blogs", {"path": "first-blog", "title": "Again"}, format="json"
    )

    assert_error(response, 409, "path_taken")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "t"}, "path"),
        ({"path": "ab", "title": "t"}, "path"),
        ({"path": "Has-Upper", "title": "t"}, "path"),
        ({"path": "-leading", "title": "t"}, "path"),
        ({"path": "has_underscore", "title": "t"}, "path"),
        ({"path": " padded", "title": "t"}, "path"),
        ({"path": "a" * 65, "title": "t"}, "path"),
        ({"path": 12345, "title": "t"}, "path"),
        ({"path": "good"}, "title"),
        ({"path": "good", "title": ""}, "title"),
        ({"path": "good", "title": "t" * 255}, "title"),
        ({"path": "good", "title": None}, "title"),
        ({"path": "good", "title": "t", "description": "d" * 513}, "description"),
        ({"path": "good", "title": "t\x00"}, "title"),
    ],
)
def test_create_blog_with_an_invalid_field_is_400_naming_it(owner_client, payload, field):
    response = owner_client.post("/api/v1/blogs", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert all(isinstance(message, str) for message in response.json()[field])
    assert not Blog.objects.exists()


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('"a string"', "application/json"),
        ("path=abc&title=t", "application/x-www-form-urlencoded"),
        ("plain", "text/plain"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),
        (b'{"path": "\xff", "title": "t"}', "application/json"),
        ('{"path": "abc", "title": NaN}', "application/json"),
    ],
)
def test_create_blog_with_a_body_that_is_not_a_json_object_is_400(
    owner_client, content, content_type
):
    response = owner_client.generic("POST", "/api/v1/blogs", content, content_type=content_type)

    assert response.status_code == 400
    assert not Blog.objects.exists()


# --- GET /api/v1/blogs/{path} --------------------------------------------------------


def test_get_blog_answers_the_blog(api_client, blog, author):
    response = api_client.get("/api/v1/blogs/first-blog")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == BLOG_KEYS
    assert body["path"] == "first-blog"
    assert body["description"] == "About it"
    assert body["owner"] == {"name": author.name}
    assert body["url"] == "http://testserver/blogs/first-blog"


@pytest.mark.parametrize("path", ["unknown", "UPPER", "x", "%00zz", "a" * 200])
def test_get_unknown_blog_is_404(api_client, path):
    response = api_client.get(f"/api/v1/blogs/{path}")

    assert_error(response, 404, "blog_not_found")


# --- PATCH /api/v1/blogs/{path} ------------------------------------------------------


def test_patch_blog_changes_title_and_description(owner_client, blog):
    response = owner_client.patch(
        "/api/v1/blogs/first-blog", {"title": "Renamed", "description": ""}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["description"], body["path"]) == ("Renamed", "", "first-blog")
    assert body["updated_at"] >= body["created_at"]
    assert Blog.objects.get(pk=blog.pk).title == "Renamed"


def test_patch_blog_with_only_a_description_keeps_the_title(owner_client, blog):
    response = owner_client.patch("/api/v1/blogs/first-blog", {"description": "New"}, format="json")

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["description"]) == ("First blog", "New")


def test_patch_blog_cannot_change_the_path(owner_client, blog):
    response = owner_client.patch("/api/v1/blogs/first-blog", {"path": "elsewhere"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["path"]
    assert Blog.objects.filter(path="first-blog").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "t" * 255}, "title"),
        ({"description": "d" * 513}, "description"),
    ],
)
def test_patch_blog_with_an_invalid_field_is_400(owner_client, blog, payload, field):
    response = owner_client.patch("/api/v1/blogs/first-blog", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_patch_blog_with_a_non_object_body_is_400(owner_client, blog):
    response = owner_client.generic(
        "PATCH", "/api/v1/blogs/first-blog", "[]", content_type="application/json"
    )

    assert response.status_code == 400


def test_patch_blog_without_a_token_is_401(api_client, blog):
    response = api_client.patch("/api/v1/blogs/first-blog", {"title": "x"}, format="json")

    assert_unauthenticated(response)


def test_patch_blog_of_someone_else_is_403(blog, make_account, client_for):
    stranger = client_for(make_account()[0])

    response = stranger.patch("/api/v1/blogs/first-blog", {"title": "Mine"}, format="json")

    assert_error(response, 403, "not_owner")
    assert Blog.objects.get(pk=blog.pk).title == "First blog"


def test_patch_unknown_blog_is_404(owner_client):
    response = owner_client.patch("/api/v1/blogs/unknown", {"title": "x"}, format="json")

    assert_error(response, 404, "blog_not_found")


# --- DELETE /api/v1/blogs/{path} -----------------------------------------------------


def test_delete_blog_answers_204_and_its_entries_go(owner_client, api_client, blog, make_entry):
    entry = make_entry(blog)

    response = owner_client.delete("/api/v1/blogs/first-blog")

    assert response.status_code == 204
    assert response.content == b""
    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert api_client.get("/api/v1/blogs/first-blog").status_code == 404
    assert api_client.get(f"/api/v1/blogs/first-blog/entries/{entry.pk}").status_code == 404


def test_delete_blog_without_a_token_is_401(api_client, blog):
    assert_unauthenticated(api_client.delete("/api/v1/blogs/first-blog"))
    assert Blog.objects.filter(pk=blog.pk).exists()


def test_delete_blog_of_someone_else_is_403(blog, make_account, client_for):
    response = client_for(make_account()[0]).delete("/api/v1/blogs/first-blog")

    assert_error(response, 403, "not_owner")
    assert Blog.objects.filter(pk=blog.pk).exists()


def test_delete_unknown_blog_is_404(owner_client):
    assert_error(owner_client.delete("/api/v1/blogs/unknown"), 404, "blog_not_found")


@pytest.mark.in_process
def test_a_deleted_accounts_token_can_no_longer_write(
    account, author, blog, client_for, eager, django_capture_on_commit_callbacks
):
    client = client_for(account[0])
    with django_capture_on_commit_callbacks(using="accounts", execute=True):
        accounts_api.account_delete(account_id=account[0].id, password=account[1])

    response = client.post("/api/v1/blogs", {"path": "ghost", "title": "t"}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "account_deleted"
    assert not Blog.objects.filter(path="ghost").exists()


def test_a_write_by_an_author_known_under_an_older_name_answers_with_the_new_one(
    owner_client, account, author, blog
):
    # Given the blog knows the account's author under a name it no longer has
    Author.objects.filter(pk=author.pk).update(name="formerly")

    # When the owner changes the blog with a token that carries the current name
    response = owner_client.patch(f"/api/v1/blogs/{blog.path}", {"title": "Renamed"}, format="json")

    # Then the answer and the author show the current name
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == {"name": account[0].name}
    assert Author.objects.get(pk=author.pk).name == account[0].name
