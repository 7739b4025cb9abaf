"""The blog learns of password changes by event: older tokens and web sessions stop working."""

import time
from types import SimpleNamespace

import pytest
from django.test import Client

from contexts.accounts import api as accounts_api
from contexts.accounts import services as accounts_services
from contexts.blog import handlers, services
from contexts.blog.models import Author, Blog, WebSession
from contexts.blog.web import auth as web_auth
from contexts.blog.web.sessions import SessionStore
from tests.blog.conftest import PASSWORD
from tests.blog.conftest_web import sign_in

pytestmark = pytest.mark.django_db(databases="__all__")

NEW_PASSWORD = "another-horse-staple-7"


def _changed(account_id: str, name: str, generation: int) -> accounts_api.PasswordChanged:
    return accounts_api.PasswordChanged(
        account_id=account_id, name=name, credentials_generation=generation
    )


def _session_of(account_id: str, generation: int) -> str:
    store = SessionStore()
    store["blog_account_id"] = account_id
    store["blog_account_name"] = "someone"
    store["blog_credentials_generation"] = generation
    store.create()
    assert store.session_key is not None
    return store.session_key


def _change_password(account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(using="accounts", execute=True):
        return accounts_api.account_password_change(
            account_id=account.id, current_password=PASSWORD, new_password=NEW_PASSWORD
        )


# --- the handler ---------------------------------------------------------------------------


def test_a_session_row_names_its_account_and_generation():
    key = _session_of("acct-1", 3)

    row = WebSession.objects.get(session_key=key)
    assert (row.account_id, row.credentials_generation) == ("acct-1", 3)
    anonymous = SessionStore()
    anonymous["anything"] = 1
    anonymous.create()
    assert WebSession.objects.get(session_key=anonymous.session_key).account_id == ""


def test_password_changed_ends_the_accounts_older_sessions_only(author):
    _session_of(author.account_id, 0)  # older: it goes
    newer = _session_of(author.account_id, 1)
    someone_else = _session_of("another-account", 0)

    handlers.on_password_changed(_changed(author.account_id, author.name, 1))

    assert set(WebSession.objects.values_list("session_key", flat=True)) == {newer, someone_else}
    assert Author.objects.get(pk=author.pk).credentials_generation == 1


def test_password_changed_only_raises_the_generation(author):
    handlers.on_password_changed(_changed(author.account_id, author.name, 2))
    handlers.on_password_changed(_changed(author.account_id, author.name, 1))  # late, older
    handlers.on_password_changed(_changed(author.account_id, author.name, 2))  # again

    assert Author.objects.get(pk=author.pk).credentials_generation == 2


def test_password_changed_before_registration_arrives_creates_the_author():
    handlers.on_password_changed(_changed("new-account", "newbie", 1))

    author = Author.objects.get(account_id="new-account")
    assert (author.name, author.credentials_generation) == ("newbie", 1)


def test_password_changed_of_a_deleted_account_brings_nothing_back(author):
    services.account_content_delete(account_id=author.account_id)

    handlers.on_password_changed(_changed(author.account_id, author.name, 1))

    assert not Author.objects.filter(account_id=author.account_id).exists()


def test_account_deletion_ends_every_session_of_the_account(author):
    mine = _session_of(author.account_id, 0)
    other = _session_of("another-account", 0)

    services.account_content_delete(account_id=author.account_id)

    assert not WebSession.objects.filter(session_key=mine).exists()
    assert WebSession.objects.filter(session_key=other).exists()


def test_a_session_signed_in_again_survives_the_event_arriving_before_the_response_ends(
    author,
):
    """Split deployment: a worker may deliver PasswordChanged while the page that changed
    the password is still answering. The browser's new session must not be ended by it."""
    request = SimpleNamespace(session=SessionStore(_session_of(author.account_id, 0)), META={})
    web_auth.sign_in(
        request, account_id=author.account_id, name=author.name, credentials_generation=1
    )

    handlers.on_password_changed(_changed(author.account_id, author.name, 1))
    request.session.save()  # the end of the response: no "session was deleted" error

    row = WebSession.objects.get(session_key=request.session.session_key)
    assert (row.account_id, row.credentials_generation) == (author.account_id, 1)


# --- tokens on the blog's REST endpoints -----------------------------------------------------


def test_a_token_issued_before_a_password_change_no_longer_writes(
    account, author, client_for, eager, django_capture_on_commit_callbacks, monkeypatch
):
    # Both tokens are issued within one second of the change: `iat` alone could not
    # tell them apart; the generation does.
    second = int(time.time()) - 1
    monkeypatch.setattr(accounts_services, "time", SimpleNamespace(time=lambda: second + 0.1))
    before = client_for(account[0])
    _change_password(account[0], django_capture_on_commit_callbacks)
    monkeypatch.setattr(accounts_services, "time", SimpleNamespace(time=lambda: second + 0.9))
    after = client_for(account[0])
    monkeypatch.undo()

    refused = before.post("/api/v1/blogs", {"path": "old-token", "title": "t"}, format="json")
    accepted = after.post("/api/v1/blogs", {"path": "new-token", "title": "t"}, format="json")

    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Bearer"
    assert refused.json()["code"] == "token_revoked"
    assert accepted.status_code == 201
    assert list(Blog.objects.values_list("path", flat=True)) == ["new-token"]


def test_a_token_issued_before_a_password_change_cannot_read_drafts_either(
    account, author, blog, client_for, eager, django_capture_on_commit_callbacks
):
    old = client_for(account[0])
    _change_password(account[0], django_capture_on_commit_callbacks)

    response = old.get("/api/v1/blogs/first-blog/entries", {"status": "draft"})

    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_the_deleted_accounts_refusal_is_unchanged(
    account, author, client_for, eager, django_capture_on_commit_callbacks
):
    client = client_for(account[0])
    with django_capture_on_commit_callbacks(using="accounts", execute=True):
        accounts_api.account_delete(account_id=account[0].id, password=PASSWORD)

    response = client.get("/api/v1/blogs/first-blog/entries", {"status": "draft"})

    assert response.status_code == 401
    assert response.json()["code"] == "account_deleted"


# --- web sessions -------------------------------------------------------------------------


def test_a_session_made_before_a_password_change_is_signed_out_on_its_next_page(
    account, author, django_capture_on_commit_callbacks
):
    browser = Client()
    sign_in(browser, account[0].name)
    # The session row survives if the event's deletion missed it (a concurrent sign-in);
    # the generation it holds still ends it.
    WebSession.objects.filter(account_id=account[0].id).update(credentials_generation=5)
    _change_password(account[0], django_capture_on_commit_callbacks)
    Author.objects.filter(pk=author.pk).update(credentials_generation=9)

    response = browser.get("/my/blogs")

    assert response.status_code == 302
    assert response["Location"] == "/signin?next=/my/blogs"
    assert "site-nav__who" not in browser.get("/").content.decode()
