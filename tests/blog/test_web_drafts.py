"""Drafts in the browser, and a text sent after the session ended is never lost."""

import pytest
from django.test import Client

from contexts.blog import services
from contexts.blog.models import Author, Entry
from tests.blog.conftest_web import (
    ALL_DATABASES,
    PASSWORD,
    client_of,
    field_errors,
    form_errors,
    make_blog,
    publish,
    register,
    sign_in,
    text,
)

pytestmark = pytest.mark.django_db(databases=ALL_DATABASES)

EDITOR = "/my/blogs/alice-notes/entries/-/publish"


def _alice_with_blog():
    client = client_of("alice")
    return client, make_blog(Author.objects.get(name="alice"))


def _draft(blog, title="A draft", body="draft *body*") -> Entry:
    return services.entry_create(
        blog=blog, actor=blog.owner, title=title, body=body, status="draft"
    )


# --- the editor ----------------------------------------------------------------------------


def test_save_draft_is_the_first_button_so_enter_never_publishes():
    client, _ = _alice_with_blog()

    page = text(client.get(EDITOR))

    buttons = [part.split(">")[0] for part in page.split("<button")[1:]]
    form_buttons = [b for b in buttons if 'name="' in b]
    assert 'name="save"' in form_buttons[0]
    assert ">Save draft<" in page and ">Publish<" in page
    assert "/static/blog/editor.js" in page
    assert 'data-editor-key="/my/blogs/alice-notes/entries/-/publish"' in page


def test_a_submission_without_publish_saves_a_draft_and_goes_on_editing_it():
    client, blog = _alice_with_blog()

    # What the browser sends when Enter is pressed in the title: no button name at all.
    response = client.post(EDITOR, {"title": "Half", "body": "half written"})

    entry = Entry.objects.get(blog=blog)
    assert (entry.status, entry.published_at) == ("draft", None)
    assert response.status_code == 302
    assert response["Location"] == f"/my/blogs/alice-notes/entries/{entry.pk}/edit"
    page = text(client.get(response["Location"]))
    assert "Draft saved" in page and "half written" in page and "data-entry-saved" in page


def test_publish_publishes_from_the_editor():
    client, blog = _alice_with_blog()

    response = client.post(EDITOR, {"title": "Done", "body": "all *done*", "publish": ""})

    entry = Entry.objects.get(blog=blog)
    assert entry.status == "published"
    assert response["Location"] == f"/my/blogs/alice-notes/entries/{entry.pk}"
    assert "published" in text(client.get(response["Location"]))
    assert "Done" in text(Client().get("/blogs/alice-notes"))


def test_a_draft_is_listed_for_its_owner_and_hidden_from_everyone_else():
    client, blog = _alice_with_blog()
    draft = _draft(blog, title="Secret plans")
    publish(blog, "Public post")
    bob = client_of("bob")

    manage = text(client.get("/my/blogs/alice-notes"))
    assert "Secret plans" in manage and "Draft" in manage and "Public post" in manage
    assert manage.index("Secret plans") < manage.index("Public post")
    assert "Secret plans" not in text(Client().get("/blogs/alice-notes"))
    for browser in (Client(), bob):
        assert browser.get(f"/blogs/alice-notes/entries/{draft.pk}").status_code == 404
    assert bob.get(f"/my/blogs/alice-notes/entries/{draft.pk}").status_code == 403


def test_the_owner_sees_her_draft_on_its_public_address_marked_as_a_draft():
    client, blog = _alice_with_blog()
    draft = _draft(blog)

    page = text(client.get(f"/blogs/alice-notes/entries/{draft.pk}"))

    assert "only you can see this page" in page and "<em>body</em>" in page


def test_a_draft_is_published_from_its_page_and_unpublished_back():
    client, blog = _alice_with_blog()
    draft = _draft(blog)
    manage = f"/my/blogs/alice-notes/entries/{draft.pk}"
    assert f'action="{manage}/publish"' in text(client.get(manage))

    published = client.post(f"{manage}/publish")
    assert published.status_code == 302 and published["Location"] == manage
    assert Client().get(f"/blogs/alice-notes/entries/{draft.pk}").status_code == 200

    client.post(f"{manage}/unpublish")
    assert Client().get(f"/blogs/alice-notes/entries/{draft.pk}").status_code == 404
    assert client.post(f"{manage}/publish").status_code == 302
    assert Entry.objects.get(pk=draft.pk).status == "published"


def test_publishing_a_blank_draft_from_its_page_says_why_not():
    client, blog = _alice_with_blog()
    draft = _draft(blog, body="   ")

    response = client.post(f"/my/blogs/alice-notes/entries/{draft.pk}/publish")

    assert response["Location"] == f"/my/blogs/alice-notes/entries/{draft.pk}/edit"
    assert "needs a body to be published" in text(client.get(response["Location"]))
    assert Entry.objects.get(pk=draft.pk).status == "draft"


def test_publishing_a_draft_needs_a_post_and_the_owner():
    client, blog = _alice_with_blog()
    draft = _draft(blog)
    url = f"/my/blogs/alice-notes/entries/{draft.pk}/publish"

    assert client.get(url).status_code == 405
    assert client_of("bob").post(url).status_code == 403
    assert Client().post(url)["Location"] == f"/signin?next={url}"
    assert Entry.objects.get(pk=draft.pk).status == "draft"


def test_editing_a_draft_offers_publish_and_editing_a_published_entry_saves_it():
    client, blog = _alice_with_blog()
    draft, entry = _draft(blog), publish(blog)

    draft_editor = text(client.get(f"/my/blogs/alice-notes/entries/{draft.pk}/edit"))
    entry_editor = text(client.get(f"/my/blogs/alice-notes/entries/{entry.pk}/edit"))
    saved = client.post(
        f"/my/blogs/alice-notes/entries/{entry.pk}/edit", {"title": "New", "body": "new"}
    )
    published = client.post(
        f"/my/blogs/alice-notes/entries/{draft.pk}/edit",
        {"title": "Out", "body": "out now", "publish": ""},
    )

    assert ">Publish<" in draft_editor and ">Save draft<" in draft_editor
    assert ">Publish<" not in entry_editor and ">Save changes<" in entry_editor
    assert saved["Location"] == f"/my/blogs/alice-notes/entries/{entry.pk}"
    assert Entry.objects.get(pk=entry.pk).status == "published"
    assert published["Location"] == f"/my/blogs/alice-notes/entries/{draft.pk}"
    assert Entry.objects.get(pk=draft.pk).status == "published"


def test_unpublishing_a_draft_only_says_it_is_one():
    client, blog = _alice_with_blog()
    draft = _draft(blog)

    response = client.get(f"/my/blogs/alice-notes/entries/{draft.pk}/unpublish")

    assert response["Location"] == f"/my/blogs/alice-notes/entries/{draft.pk}"
    assert "is a draft already" in text(client.get(response["Location"]))


def test_the_no_javascript_preview_works_without_a_title():
    client, _ = _alice_with_blog()

    response = client.post(EDITOR, {"title": "", "body": "Just *this*", "preview": ""})

    assert response.status_code == 200
    page = text(response)
    assert "<em>this</em>" in page
    assert not form_errors(response)
    assert "data-editor-unsaved" in page
    assert not Entry.objects.exists()


def test_the_preview_still_refuses_a_body_over_the_limit():
    client, _ = _alice_with_blog()

    response = client.post(EDITOR, {"title": "", "body": "x" * 100_001, "preview": ""})

    assert field_errors(response, "body")


# --- never lose a text ----------------------------------------------------------------------


def _signed_out_alice():
    """Alice's blog, and a browser whose session of hers has ended."""
    client, blog = _alice_with_blog()
    client.post("/signout")
    return client, blog


def test_a_text_sent_after_the_session_ended_is_kept_and_given_back_after_signing_in():
    client, blog = _signed_out_alice()

    sent = client.post(EDITOR, {"title": "Long essay", "body": "Hours of *work*", "publish": ""})

    assert sent.status_code == 302
    assert sent["Location"] == f"/signin?next={EDITOR}"
    signin = text(client.get(sent["Location"]))
    assert "your text is kept" in signin
    assert not Entry.objects.exists()

    back = client.post("/signin", {"name": "alice", "password": PASSWORD, "next": EDITOR})
    assert back["Location"] == EDITOR
    editor = client.get(EDITOR)
    page = text(editor)
    assert 'value="Long essay"' in page and "Hours of *work*" in page
    assert "It is not saved yet" in page and "data-editor-unsaved" in page
    assert not Entry.objects.exists()  # given back, not published behind the writer's back

    # Given back once: the text now lives in the form (and the browser's autosave).
    assert "Hours of *work*" not in text(client.get(EDITOR))


def test_a_text_for_an_existing_entry_is_kept_too():
    client, blog = _alice_with_blog()
    entry = publish(blog, "Before", "old body")
    client.post("/signout")
    editor = f"/my/blogs/alice-notes/entries/{entry.pk}/edit"

    client.post(editor, {"title": "After", "body": "new body"})
    sign_in(client, "alice")

    page = text(client.get(editor))
    assert "new body" in page and 'value="After"' in page
    assert Entry.objects.get(pk=entry.pk).body == "old body"


def test_signing_in_as_another_account_never_puts_the_text_in_its_blog_nor_shows_it():
    client, blog = _signed_out_alice()
    register("bob")
    client.post(EDITOR, {"title": "Alice's secret", "body": "for alice only"})

    as_bob = client.post("/signin", {"name": "bob", "password": PASSWORD, "next": EDITOR})
    editor = client.get(as_bob["Location"])

    assert editor.status_code == 302 and editor["Location"] == "/my/blogs"
    page = text(client.get("/my/blogs"))
    assert "belongs to another account" in page and "for alice only" not in page
    assert not Entry.objects.exists()

    # Bob signs out, Alice signs in: the text waited for her.
    client.post("/signout")
    sign_in(client, "alice")
    assert "for alice only" in text(client.get(EDITOR))


def test_a_get_of_the_editor_while_signed_out_keeps_nothing():
    client, _ = _signed_out_alice()

    response = client.get(EDITOR)

    assert response["Location"] == f"/signin?next={EDITOR}"
    assert "blog_kept_texts" not in client.session


def test_kept_texts_are_few_and_the_newest():
    client, _ = _signed_out_alice()
    for number in range(7):
        client.post(f"/my/blogs/blog-{number}/entries/-/publish", {"title": "t", "body": "b"})

    kept = client.session["blog_kept_texts"]
    assert list(kept) == [f"/my/blogs/blog-{number}/entries/-/publish" for number in range(2, 7)]
