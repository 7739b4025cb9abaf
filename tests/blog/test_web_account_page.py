"""The account page /my/account: change the password, delete the account; and small things."""

import pytest
from django.conf import settings
from django.test import Client

from contexts.accounts import api as accounts_api
from contexts.blog import services
from contexts.blog.models import Author, Blog, Entry, WebSession
from tests.blog.conftest_web import (
    ALL_DATABASES,
    PASSWORD,
    client_of,
    field_errors,
    make_blog,
    publish,
    register,
    sign_in,
    text,
)

pytestmark = pytest.mark.django_db(databases=ALL_DATABASES)

COOKIE = settings.SESSION_COOKIE_NAME
NEW_PASSWORD = "another-horse-staple-7"


def _change(client, current=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        "/my/account",
        {"current_password": current, "new_password": new, "new_password_again": again or new},
    )


@pytest.fixture
def events_now(eager, django_capture_on_commit_callbacks):
    """Return a context manager that delivers the accounts events committed inside it.

    As `make run` does right after each commit (a test's transaction never commits).
    """
    return lambda: django_capture_on_commit_callbacks(using="accounts", execute=True)


# --- the page ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/my/account", "/my/account/delete"])
def test_visitors_are_sent_to_sign_in(url):
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/signin?next={url}"


def test_the_account_page_shows_the_account_and_its_two_forms():
    client = client_of("alice")
    make_blog(Author.objects.get(name="alice"))

    response = client.get("/my/account")

    assert response.status_code == 200
    page = text(response)
    assert "You are <strong>alice</strong>" in page and "1 blog:" in page
    for name in ("current_password", "new_password", "new_password_again"):
        assert f'name="{name}"' in page
    assert 'href="/my/account/delete"' in page
    assert 'href="/my/account"' in text(client.get("/"))  # the header links to it


# --- change the password ----------------------------------------------------------------------


def test_changing_the_password_keeps_this_browser_and_signs_out_the_others(events_now):
    here = client_of("alice")
    elsewhere = Client()
    sign_in(elsewhere, "alice")
    old_key = here.cookies[COOKIE].value

    with events_now():
        response = _change(here)

    assert response.status_code == 302 and response["Location"] == "/my/account"
    page = text(here.get("/my/account"))
    assert "Password changed" in page and "signed out" in page
    assert here.cookies[COOKIE].value != old_key  # a new session key
    assert here.get("/my/blogs").status_code == 200
    gone = elsewhere.get("/my/blogs")
    assert gone.status_code == 302 and gone["Location"] == "/signin?next=/my/blogs"
    account = Author.objects.get(name="alice").account_id
    assert list(WebSession.objects.filter(account_id=account).values_list("session_key")) == [
        (here.cookies[COOKIE].value,)
    ]
    assert accounts_api.account_authenticate(name="alice", password=NEW_PASSWORD)


def test_the_old_password_no_longer_signs_in_and_the_new_one_does(events_now):
    with events_now():
        _change(client_of("alice"))

    old = Client().post("/signin", {"name": "alice", "password": PASSWORD})
    new = Client().post("/signin", {"name": "alice", "password": NEW_PASSWORD})

    assert old.status_code == 200 and "Wrong name or password." in text(old)
    assert new.status_code == 302


def test_a_wrong_current_password_is_an_error_on_that_field():
    client = client_of("alice")

    response = _change(client, current="not-my-password")

    assert response.status_code == 200
    assert field_errors(response, "current_password") == ["This is not your current password."]
    assert accounts_api.account_authenticate(name="alice", password=PASSWORD)


def test_two_different_new_passwords_are_an_error_and_change_nothing():
    client = client_of("alice")

    response = _change(client, again="something-else-entirely")

    assert response.status_code == 200
    assert field_errors(response, "new_password_again") == ["The two new passwords differ."]
    assert accounts_api.account_authenticate(name="alice", password=PASSWORD)


@pytest.mark.parametrize("new", ["short", "alice12345", "1234567890123", "password123"])
def test_a_weak_new_password_is_an_error_on_that_field(new):
    client = client_of("alice")

    response = _change(client, new=new)

    assert response.status_code == 200
    assert field_errors(response, "new_password")
    assert accounts_api.account_authenticate(name="alice", password=PASSWORD)


def test_carol12345_is_refused_to_carol_naming_the_problem():
    client = client_of("carol")

    response = _change(client, new="carol12345")

    assert "too similar to the name" in field_errors(response, "new_password")[0]


@pytest.mark.in_process
def test_wrong_current_passwords_are_throttled_with_a_clear_message():
    client = client_of("alice")
    for _ in range(5):
        assert _change(client, current="not-my-password").status_code == 200

    response = _change(client)

    assert response.status_code == 429
    assert "Too many wrong passwords" in field_errors(response, "current_password")[0]


def test_empty_fields_are_named():
    response = client_of("alice").post("/my/account", {})

    assert response.status_code == 200
    for field in ("current_password", "new_password", "new_password_again"):
        assert field_errors(response, field)


# --- delete the account ----------------------------------------------------------------------


def test_delete_asks_for_the_password_and_lists_what_goes():
    client = client_of("alice")
    make_blog(Author.objects.get(name="alice"))

    response = client.get("/my/account/delete")

    assert response.status_code == 200
    page = text(response)
    assert 'name="password"' in page and "Alice&#39;s notes" in page
    assert "cannot be undone" in page


@pytest.mark.in_process
def test_deleting_the_account_runs_the_saga_and_signs_out_with_a_message(events_now):
    client = client_of("alice")
    blog = make_blog(Author.objects.get(name="alice"))
    publish(blog)

    with events_now():
        response = client.post("/my/account/delete", {"password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/"
    home = text(client.get("/"))
    assert "has been deleted" in home and "You are signed out" in home
    assert "site-nav__who" not in home
    assert not Blog.objects.exists() and not Entry.objects.exists()
    assert not Author.objects.exists()
    assert client.get("/my/blogs").status_code == 302
    with pytest.raises(accounts_api.AuthenticationFailed):
        accounts_api.account_authenticate(name="alice", password=PASSWORD)


def test_a_wrong_password_deletes_nothing():
    client = client_of("alice")
    make_blog(Author.objects.get(name="alice"))

    response = client.post("/my/account/delete", {"password": "not-my-password"})

    assert response.status_code == 200
    assert "Nothing was deleted" in field_errors(response, "password")[0]
    assert Blog.objects.exists()
    assert client.get("/my/blogs").status_code == 200


def test_deleting_without_a_password_names_the_field():
    response = client_of("alice").post("/my/account/delete", {})

    assert response.status_code == 200
    assert field_errors(response, "password")


# --- small things -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/signin", "/signup"])
def test_a_signed_in_visitor_of_signin_or_signup_is_sent_on(url):
    client = client_of("alice")

    plain = client.get(url)
    with_next = client.get(f"{url}?next=/my/account")
    unsafe = client.get(f"{url}?next=https://evil.example/")

    assert plain.status_code == 302 and plain["Location"] == "/my/blogs"
    assert with_next["Location"] == "/my/account"
    assert unsafe["Location"] == "/my/blogs"
    assert "already signed in as alice" in text(client.get("/my/blogs"))
    assert Client().get(url).status_code == 200  # signed out: the form


def test_a_favicon_is_served():
    response = Client().get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/blog/favicon.ico"
    assert '<link rel="icon" href="/static/blog/favicon.svg"' in text(Client().get("/"))


def test_times_are_in_time_elements_with_their_zone():
    blog = make_blog(register("alice"))
    entry = publish(blog, "Dated")

    page = text(Client().get(f"/blogs/alice-notes/entries/{entry.pk}"))

    iso = entry.published_at.isoformat()
    assert f'<time datetime="{iso}"' in page
    assert entry.published_at.strftime("%H:%M UTC</time>") in page


def test_blog_descriptions_keep_their_line_breaks_and_stay_escaped():
    owner = register("alice")
    client = Client()
    sign_in(client, "alice")
    client.post(
        "/my/blogs/-/create",
        {"path": "lines", "title": "Lines", "description": "One\r\n<b>Two</b>\r\nThree"},
    )
    blog = Blog.objects.get(path="lines")
    assert blog.owner == owner
    # Lists of blogs for readers show blogs with entries.
    services.entry_publish(blog=blog, actor=owner, title="First", body="Hello")

    for url in ("/blogs/lines", "/my/blogs/lines", "/", "/blogs", "/authors/alice"):
        page = text(client.get(url))
        assert "One<br>&lt;b&gt;Two&lt;/b&gt;<br>Three" in page, url
