"""Managing blogs and entries in the browser: pages, forms, errors and permissions."""

import pytest
from django.test import Client

from contexts.blog.models import Author, Blog, Entry
from contexts.blog.web import views
from contexts.renderer import api as renderer_api
from tests.blog.conftest_web import (
    ALL_DATABASES,
    client_of,
    csrf_token,
    field_errors,
    make_blog,
    publish,
    register,
    text,
)

pytestmark = pytest.mark.django_db(databases=ALL_DATABASES)


def _alice_with_blog():
    """Return (alice's browser, her blog 'alice-notes')."""
    client = client_of("alice")
    blog = make_blog(Author.objects.get(name="alice"))
    return client, blog


# -- who may see what -----------------------------------------------------------------------

MANAGEMENT_PAGES = [
    "/my/blogs",
    "/my/blogs/-/create",
    "/my/blogs/alice-notes",
    "/my/blogs/alice-notes/edit",
    "/my/blogs/alice-notes/delete",
    "/my/blogs/alice-notes/entries/-/publish",
    "/my/blogs/alice-notes/entries/{entry}",
    "/my/blogs/alice-notes/entries/{entry}/edit",
    "/my/blogs/alice-notes/entries/{entry}/unpublish",
]


@pytest.mark.parametrize("url", MANAGEMENT_PAGES)
def test_visitors_are_sent_to_sign_in_and_back(url):
    entry = publish(make_blog(register("alice")))
    url = url.format(entry=entry.pk)

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/signin?next={url}"


def test_a_visitor_posting_to_a_management_page_changes_nothing():
    blog = make_blog(register("alice"))

    response = Client().post("/my/blogs/alice-notes/delete")

    assert response.status_code == 302
    assert Blog.objects.filter(pk=blog.pk).exists()


@pytest.mark.parametrize("url", MANAGEMENT_PAGES[2:])
def test_another_authors_management_pages_answer_a_friendly_403(url):
    entry = publish(make_blog(register("alice")))
    bob = client_of("bob")
    url = url.format(entry=entry.pk)

    response = bob.get(url)

    assert response.status_code == 403
    assert "belongs to another author" in text(response)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/my/blogs/alice-notes/edit", {"title": "Hacked", "description": ""}),
        ("/my/blogs/alice-notes/delete", {}),
        ("/my/blogs/alice-notes/entries/-/publish", {"title": "Spam", "body": "spam"}),
        ("/my/blogs/alice-notes/entries/{entry}/edit", {"title": "Hacked", "body": "x"}),
        ("/my/blogs/alice-notes/entries/{entry}/unpublish", {}),
    ],
)
def test_another_author_cannot_change_a_blog_by_posting(url, data):
    blog = make_blog(register("alice"))
    entry = publish(blog, "Original", "original body")
    bob = client_of("bob")

    response = bob.post(url.format(entry=entry.pk), data)

    assert response.status_code == 403
    blog.refresh_from_db()
    entry.refresh_from_db()
    assert blog.title == "Alice's notes"
    assert (entry.title, entry.body, entry.status) == ("Original", "original body", "published")
    assert Entry.objects.filter(blog=blog).count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/my/blogs/no-such-blog",
        "/my/blogs/no-such-blog/edit",
        "/my/blogs/no-such-blog/entries/-/publish",
        "/my/blogs/alice-notes/entries/999999",
        "/my/blogs/alice-notes/entries/abc/edit",
        "/my/blogs/alice-notes/entries/999999/unpublish",
    ],
)
def test_unknown_blogs_and_entries_answer_404_to_their_owner_too(url):
    client, _ = _alice_with_blog()

    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in text(response)


# -- my blogs ----------------------------------------------------------------------------


def test_my_blogs_lists_only_my_blogs_with_links_to_manage_them():
    client, _ = _alice_with_blog()
    make_blog(register("bob"), "bob-cooks", "Bob cooks")

    response = client.get("/my/blogs")

    assert response.status_code == 200
    page = text(response)
    assert 'href="/my/blogs/alice-notes"' in page
    assert 'href="/my/blogs/-/create"' in page
    assert "Bob cooks" not in page


def test_my_blogs_without_blogs_invites_to_create_one():
    response = client_of("alice").get("/my/blogs")

    assert "You have no blog yet" in text(response)


# -- create, edit, delete a blog ---------------------------------------------------------


def test_create_a_blog():
    client = client_of("alice")
    assert client.get("/my/blogs/-/create").status_code == 200

    response = client.post(
        "/my/blogs/-/create",
        {"path": "my-first-blog", "title": "My first blog", "description": "Hello"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/my/blogs/my-first-blog"
    blog = Blog.objects.get(path="my-first-blog")
    assert (blog.title, blog.description, blog.owner.name) == ("My first blog", "Hello", "alice")
    page = text(client.get(response["Location"]))
    assert "My first blog" in page and "created" in page


def test_create_a_blog_with_a_taken_path_shows_the_error_next_to_the_path():
    client, _ = _alice_with_blog()

    response = client.post("/my/blogs/-/create", {"path": "alice-notes", "title": "Again"})

    assert response.status_code == 200
    assert field_errors(response, "path")
    assert 'id="id_path_error"' in text(response)
    assert Blog.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"path": "No Spaces", "title": "T"}, "path"),
        ({"path": "ab", "title": "T"}, "path"),
        ({"path": "-leading", "title": "T"}, "path"),
        ({"path": "fine-path", "title": ""}, "title"),
        ({"path": "fine-path", "title": "   "}, "title"),
        ({"path": "fine-path", "title": "x" * 255}, "title"),
        ({"path": "fine-path", "title": "T", "description": "d" * 513}, "description"),
        ({"path": "fine-path", "title": "T\x00"}, "title"),
    ],
)
def test_create_a_blog_with_invalid_input_names_the_field(data, field):
    client = client_of("alice")

    response = client.post("/my/blogs/-/create", data)

    assert response.status_code == 200
    assert field_errors(response, field)
    assert not Blog.objects.exists()


def test_edit_a_blog():
    client, blog = _alice_with_blog()
    form = client.get("/my/blogs/alice-notes/edit")
    assert form.status_code == 200 and "Alice&#39;s notes" in text(form)

    response = client.post(
        "/my/blogs/alice-notes/edit", {"title": "New title", "description": "New words"}
    )

    assert response.status_code == 302 and response["Location"] == "/my/blogs/alice-notes"
    blog.refresh_from_db()
    assert (blog.title, blog.description) == ("New title", "New words")
    assert "New title" in text(Client().get("/blogs/alice-notes"))


def test_edit_a_blog_with_an_empty_title_names_the_field():
    client, blog = _alice_with_blog()

    response = client.post("/my/blogs/alice-notes/edit", {"title": "", "description": ""})

    assert response.status_code == 200
    assert field_errors(response, "title")
    blog.refresh_from_db()
    assert blog.title == "Alice's notes"


def test_delete_a_blog_asks_first_then_deletes_it_with_its_entries():
    client, blog = _alice_with_blog()
    publish(blog)

    confirm = client.get("/my/blogs/alice-notes/delete")
    assert confirm.status_code == 200 and 'method="post"' in text(confirm)
    assert Blog.objects.filter(pk=blog.pk).exists()

    response = client.post("/my/blogs/alice-notes/delete")

    assert response.status_code == 302 and response["Location"] == "/my/blogs"
    assert not Blog.objects.filter(pk=blog.pk).exists()
    assert not Entry.objects.exists()
    assert Client().get("/blogs/alice-notes").status_code == 404


# -- entries ------------------------------------------------------------------------------


def test_manage_a_blog_lists_its_entries_with_their_actions():
    client, blog = _alice_with_blog()
    entry = publish(blog, "First entry")

    response = client.get("/my/blogs/alice-notes")

    assert response.status_code == 200
    page = text(response)
    assert "First entry" in page
    assert f'href="/my/blogs/alice-notes/entries/{entry.pk}/edit"' in page
    assert f'href="/my/blogs/alice-notes/entries/{entry.pk}/unpublish"' in page
    assert 'href="/my/blogs/alice-notes/entries/-/publish"' in page


def test_the_entry_editor_has_a_live_preview_that_works_without_javascript_too():
    client, _ = _alice_with_blog()

    response = client.get("/my/blogs/alice-notes/entries/-/publish")

    assert response.status_code == 200
    page = text(response)
    assert 'name="title"' in page and 'name="body"' in page
    assert "data-preview-source" in page
    assert 'data-preview-url="/api/v1/render"' in page
    assert "/static/blog/preview.js" in page
    assert 'name="preview"' in page


def test_publish_an_entry_renders_it():
    client, blog = _alice_with_blog()

    response = client.post(
        "/my/blogs/alice-notes/entries/-/publish",
        {"title": "Hello world", "body": "Some **bold** words\n\n    indented code", "publish": ""},
    )

    entry = Entry.objects.get(blog=blog)
    assert entry.status == "published"
    assert response.status_code == 302
    assert response["Location"] == f"/my/blogs/alice-notes/entries/{entry.pk}"
    assert entry.body == "Some **bold** words\n\n    indented code"
    page = text(client.get(response["Location"]))
    assert "<strong>bold</strong>" in page
    public = text(Client().get(f"/blogs/alice-notes/entries/{entry.pk}"))
    assert "Hello world" in public and "<strong>bold</strong>" in public


def test_the_preview_button_renders_without_publishing():
    client, _ = _alice_with_blog()

    response = client.post(
        "/my/blogs/alice-notes/entries/-/publish",
        {"title": "Draft", "body": "A *preview*", "preview": ""},
    )

    assert response.status_code == 200
    page = text(response)
    assert "<em>preview</em>" in page
    assert "A *preview*" in page  # the textarea keeps the text for more editing
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "body": "text"}, "title"),
        ({"title": "x" * 501, "body": "text"}, "title"),
        ({"title": "Big", "body": "x" * 100_001}, "body"),
        ({"title": "Nul", "body": "a\x00b"}, "body"),
    ],
)
def test_publish_with_invalid_input_names_the_field(data, field):
    client, _ = _alice_with_blog()

    response = client.post("/my/blogs/alice-notes/entries/-/publish", data)

    assert response.status_code == 200
    assert field_errors(response, field)
    assert not Entry.objects.exists()


@pytest.mark.parametrize("body", ["", "  \r\n\t "])
def test_a_blank_body_is_saved_as_a_draft_but_never_published(body):
    client, blog = _alice_with_blog()

    refused = client.post(
        "/my/blogs/alice-notes/entries/-/publish", {"title": "T", "body": body, "publish": ""}
    )
    saved = client.post("/my/blogs/alice-notes/entries/-/publish", {"title": "T", "body": body})

    assert refused.status_code == 200
    assert "needs a body to be published" in field_errors(refused, "body")[0]
    assert saved.status_code == 302
    entry = Entry.objects.get(blog=blog)
    assert (entry.status, entry.body) == ("draft", body)


def test_edit_an_entry_renders_it_again():
    client, blog = _alice_with_blog()
    entry = publish(blog, "Before", "old *text*")
    form = client.get(f"/my/blogs/alice-notes/entries/{entry.pk}/edit")
    assert form.status_code == 200 and "old *text*" in text(form)
    assert "<em>text</em>" in text(form)  # the preview starts with the current HTML

    response = client.post(
        f"/my/blogs/alice-notes/entries/{entry.pk}/edit",
        {"title": "After", "body": "new **text**"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/my/blogs/alice-notes/entries/{entry.pk}"
    entry.refresh_from_db()
    assert (entry.title, entry.body, entry.rendered) == ("After", "new **text**", True)
    assert entry.edited_at is not None
    public = text(Client().get(f"/blogs/alice-notes/entries/{entry.pk}"))
    assert "<strong>text</strong>" in public and "edited" in public


def test_edit_an_entry_with_an_empty_title_names_the_field():
    client, blog = _alice_with_blog()
    entry = publish(blog, "Before", "body")

    response = client.post(
        f"/my/blogs/alice-notes/entries/{entry.pk}/edit", {"title": "", "body": "b"}
    )

    assert response.status_code == 200
    assert field_errors(response, "title")
    entry.refresh_from_db()
    assert entry.title == "Before"


def test_unpublish_an_entry_asks_first_then_returns_it_to_draft():
    client, blog = _alice_with_blog()
    entry = publish(blog, "Soon gone")

    confirm = client.get(f"/my/blogs/alice-notes/entries/{entry.pk}/unpublish")
    assert confirm.status_code == 200 and 'method="post"' in text(confirm)

    response = client.post(f"/my/blogs/alice-notes/entries/{entry.pk}/unpublish")

    manage = f"/my/blogs/alice-notes/entries/{entry.pk}"
    assert response.status_code == 302 and response["Location"] == manage
    assert "Soon gone" not in text(Client().get("/blogs/alice-notes"))
    assert Client().get(f"/blogs/alice-notes/entries/{entry.pk}").status_code == 404
    page = text(client.get(manage))
    assert "Soon gone" in page and "Draft" in page and "a draft again" in page
    assert f'href="{manage}"' in text(client.get("/my/blogs/alice-notes"))


def test_management_forms_without_a_csrf_token_are_refused():
    _, blog = _alice_with_blog()
    client = Client(enforce_csrf_checks=True)
    client.cookies.update(client_of("carol").cookies)  # any signed-in browser

    response = client.post("/my/blogs/-/create", {"path": "csrf-blog", "title": "T"})

    assert response.status_code == 403
    assert not Blog.objects.filter(path="csrf-blog").exists()


def test_a_broken_renderer_costs_the_preview_only_not_the_text(monkeypatch):
    client, _ = _alice_with_blog()

    def broken(src):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(views.renderer_api, "render", broken)

    response = client.post(
        "/my/blogs/alice-notes/entries/-/publish",
        {"title": "Draft", "body": "keep *this*", "preview": ""},
    )

    assert response.status_code == 200
    assert "The preview is unavailable right now" in text(response)
    assert "keep *this*" in text(response)


def test_a_source_the_renderer_refuses_is_an_error_on_the_body(monkeypatch):
    client, _ = _alice_with_blog()

    def refuse(src):
        raise renderer_api.SourceTooLarge()

    monkeypatch.setattr(views.renderer_api, "render", refuse)

    response = client.post(
        "/my/blogs/alice-notes/entries/-/publish", {"title": "T", "body": "b", "preview": ""}
    )

    assert response.status_code == 200
    assert field_errors(response, "body")


def test_the_preview_url_of_the_editor_renders_what_the_script_sends():
    alice, _ = _alice_with_blog()
    client = Client(enforce_csrf_checks=True)
    client.cookies.update(alice.cookies)
    editor = client.get("/my/blogs/alice-notes/entries/-/publish")
    token = csrf_token(editor)  # the script reads it from the form

    response = client.post(
        views.RENDER_API_URL,
        data={"src": "# Hi <script>x</script>"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert response.status_code == 200
    assert "<h1>Hi" in response.json()["html"]
    assert "<script>" not in response.json()["html"]
