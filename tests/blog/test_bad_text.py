"""Control and bidi characters: a 400 naming the field, in the API, the forms and the api."""

import pytest
from django.test import Client

from contexts.blog import services
from contexts.blog.models import Author, Blog, Entry
from tests.blog.conftest_web import client_of, field_errors, make_blog

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.usefixtures("fake_renderer"),
]

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "exe.txt" shown for "txt.exe"
BAD = [RLO, "\u2066", "\x1b", "\x07", "\x85", "\x7f"]
BLOGS = "/api/v1/blogs"
ENTRIES = "/api/v1/blogs/first-blog/entries"


def _field_errors(response, field: str) -> list[str]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [field]
    return body[field]


@pytest.mark.parametrize("char", BAD)
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"path": "new-blog", "title": "Evil{c}txt", "description": ""}, "title"),
        ({"path": "new-blog", "title": "Fine", "description": "About{c}"}, "description"),
        ({"path": "new{c}blog", "title": "Fine"}, "path"),
    ],
)
def test_creating_a_blog_refuses_them_in_every_field(owner_client, char, payload, field):
    payload = {key: value.format(c=char) for key, value in payload.items()}

    response = owner_client.post(BLOGS, payload, format="json")

    assert _field_errors(response, field)
    assert not Blog.objects.filter(path="new-blog").exists()


@pytest.mark.parametrize("field", ["title", "description"])
def test_changing_a_blog_refuses_them(owner_client, blog, field):
    response = owner_client.patch(f"{BLOGS}/first-blog", {field: f"a{RLO}b"}, format="json")

    assert _field_errors(response, field) == [
        "Bidirectional control characters are not allowed: U+202E."
    ]
    blog.refresh_from_db()
    assert RLO not in blog.title + blog.description


@pytest.mark.parametrize("char", BAD)
@pytest.mark.parametrize("field", ["title", "body"])
def test_publishing_an_entry_refuses_them(owner_client, blog, char, field):
    payload = {"title": "T", "body": "B", field: f"x{char}y"}

    response = owner_client.post(ENTRIES, payload, format="json")

    assert _field_errors(response, field)
    assert not Entry.objects.exists()


def test_editing_an_entry_refuses_them(owner_client, entry):
    response = owner_client.patch(f"{ENTRIES}/{entry.pk}", {"title": f"{RLO}x"}, format="json")

    assert _field_errors(response, "title")
    entry.refresh_from_db()
    assert entry.title == "Hello"


def test_multi_line_fields_keep_line_breaks_and_tabs(owner_client, blog):
    body = "line one\r\nline two\n\tcode"

    response = owner_client.post(ENTRIES, {"title": "T", "body": body}, format="json")
    described = owner_client.patch(
        f"{BLOGS}/first-blog", {"description": "two\nlines"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["body"] == body
    assert described.status_code == 200


def test_a_line_break_in_a_title_is_refused(owner_client, blog):
    response = owner_client.post(ENTRIES, {"title": "two\nlines", "body": ""}, format="json")

    assert _field_errors(response, "title") == ["Control characters are not allowed: U+000A."]


def test_a_title_is_measured_as_sent_before_it_is_trimmed(owner_client, blog):
    # 501 characters as sent, 500 once trimmed: over the limit all the same.
    response = owner_client.post(ENTRIES, {"title": " " + "t" * 500, "body": ""}, format="json")

    assert _field_errors(response, "title")


# --- the api behind the endpoints: a call from another context is refused too ----------


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"title": f"a{RLO}b"}, "title"), ({"description": "x\x1by"}, "description")],
)
def test_the_blog_services_refuse_them(author, blog, changes, field):
    with pytest.raises(services.domain.InvalidBlogInput) as caught:
        services.blog_update(blog=blog, actor=author, **changes)

    assert list(caught.value.fields) == [field]
    with pytest.raises(services.domain.InvalidBlogInput):
        services.blog_create(owner=author, path="other", **{"title": "t", **changes})


@pytest.mark.parametrize(("title", "body"), [(f"a{RLO}b", "b"), ("t", "\x1b[31mred")])
def test_the_entry_services_refuse_them(author, blog, title, body):
    with pytest.raises(services.domain.InvalidBlogInput):
        services.entry_publish(blog=blog, actor=author, title=title, body=body)
    assert not Entry.objects.exists()


# --- the web forms ------------------------------------------------------------------------


def test_the_blog_form_refuses_them_next_to_the_field():
    client = client_of("alice")

    response = client.post("/my/blogs/-/create", {"path": "abc", "title": f"x{RLO}y"})

    assert response.status_code == 200
    assert field_errors(response, "title") == [
        "Bidirectional control characters are not allowed: U+202E."
    ]
    assert not Blog.objects.exists()


def test_the_entry_form_refuses_them_and_keeps_line_breaks():
    client = client_of("alice")
    make_blog(Author.objects.get(name="alice"))
    url = "/my/blogs/alice-notes/entries/-/publish"

    refused = client.post(url, {"title": "T", "body": "a\x1b[2Jb"})
    accepted = client.post(url, {"title": "T", "body": "a\r\n\tb"})

    assert refused.status_code == 200
    assert field_errors(refused, "body") == ["Control characters are not allowed: U+001B."]
    assert accepted.status_code == 302
    assert Entry.objects.get().body == "a\r\n\tb"


def test_the_sign_up_form_refuses_them():
    response = Client().post("/signup", {"name": f"ab{RLO}c", "password": "x\x07" * 6})

    assert response.status_code == 200
    assert field_errors(response, "name")
    assert field_errors(response, "password")
