"""Signing up, in and out in the browser: forms, errors, throttling and the session."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from contexts.blog import services
from contexts.blog.models import Author, WebSession
from tests.blog.conftest_web import (
    ALL_DATABASES,
    PASSWORD,
    client_of,
    csrf_token,
    field_errors,
    register,
    sign_in,
    text,
)

pytestmark = pytest.mark.django_db(databases=ALL_DATABASES)

COOKIE = settings.SESSION_COOKIE_NAME


def test_sign_up_page_has_the_api_field_names():
    response = Client().get("/signup")

    assert response.status_code == 200
    assert 'name="name"' in text(response) and 'name="password"' in text(response)
    assert 'name="csrfmiddlewaretoken"' in text(response)


def test_sign_up_creates_the_account_signs_in_and_goes_to_my_blogs():
    client = Client()

    response = client.post("/signup", {"name": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/my/blogs"
    assert Author.objects.filter(name="alice").exists()
    page = text(client.get("/my/blogs"))
    assert "<strong>alice</strong>" in page


def test_sign_up_with_a_taken_name_shows_the_error_next_to_the_name_field():
    register("alice")

    response = Client().post("/signup", {"name": "ALICE", "password": PASSWORD})

    assert response.status_code == 200
    assert field_errors(response, "name")
    assert 'id="id_name_error"' in text(response)
    assert COOKIE not in response.cookies


@pytest.mark.parametrize("name", ["al", "alice!", "a" * 17, "名前です"])
def test_sign_up_with_an_invalid_name_shows_the_error_next_to_the_name_field(name):
    response = Client().post("/signup", {"name": name, "password": PASSWORD})

    assert response.status_code == 200
    assert field_errors(response, "name")
    assert not Author.objects.exists()


@pytest.mark.parametrize("password", ["short", "12345678901", "password123"])
def test_sign_up_with_a_weak_password_shows_the_error_next_to_the_password_field(password):
    response = Client().post("/signup", {"name": "alice", "password": password})

    assert response.status_code == 200
    assert field_errors(response, "password")
    assert 'id="id_password_error"' in text(response)
    assert not Author.objects.exists()


def test_sign_up_with_empty_fields_names_both_fields():
    response = Client().post("/signup", {})

    assert response.status_code == 200
    assert field_errors(response, "name") and field_errors(response, "password")


def test_sign_in_signs_in_and_the_header_shows_the_name():
    register("alice")
    client = Client()

    response = client.post("/signin", {"name": "alice", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/my/blogs"
    assert response.cookies[COOKIE]["httponly"]
    assert response.cookies[COOKIE]["samesite"] == "Lax"
    assert "Signed in as" in text(client.get("/"))


def test_sign_in_stores_the_session_server_side_in_the_blog_schema():
    client = client_of("alice")

    key = client.cookies[COOKIE].value

    assert WebSession.objects.filter(session_key=key).exists()
    assert "alice" not in key


def test_sign_in_gives_a_new_session_key():
    register("alice")
    client = Client()
    session = client.session
    session["visited"] = True
    session.save()
    client.cookies[COOKIE] = session.session_key
    old_key = session.session_key

    sign_in(client, "alice")

    assert client.cookies[COOKIE].value != old_key
    assert not WebSession.objects.filter(session_key=old_key).exists()


def test_sign_in_with_a_wrong_password_says_so_and_does_not_sign_in():
    register("alice")
    client = Client()

    response = client.post("/signin", {"name": "alice", "password": "wrong-password-1"})

    assert response.status_code == 200
    assert "Wrong name or password." in text(response)
    assert client.get("/my/blogs").status_code == 302


def test_sign_in_with_an_unknown_name_gives_the_same_message():
    response = Client().post("/signin", {"name": "nobody", "password": PASSWORD})

    assert response.status_code == 200
    assert "Wrong name or password." in text(response)


@pytest.mark.in_process
def test_sign_in_is_throttled_after_repeated_failures_with_a_clear_message():
    register("alice")
    client = Client()
    for _ in range(5):
        assert (
            client.post("/signin", {"name": "alice", "password": "wrong-password"}).status_code
            == 200
        )

    response = client.post("/signin", {"name": "alice", "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in text(response)
    assert int(response["Retry-After"]) > 0
    assert client.get("/my/blogs").status_code == 302


def test_sign_in_goes_to_next_when_it_is_a_local_address():
    register("alice")

    response = Client().post(
        "/signin", {"name": "alice", "password": PASSWORD, "next": "/my/blogs/-/create"}
    )

    assert response["Location"] == "/my/blogs/-/create"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil"]
)
def test_sign_in_ignores_a_next_that_leaves_the_site(next_url):
    register("alice")

    response = Client().post("/signin", {"name": "alice", "password": PASSWORD, "next": next_url})

    assert response["Location"] == "/my/blogs"


def test_the_sign_in_form_carries_next_along():
    response = Client().get("/signin?next=/my/blogs/-/create")

    assert 'name="next" value="/my/blogs/-/create"' in text(response)


def test_sign_out_by_get_only_asks_for_confirmation():
    client = client_of("alice")

    response = client.get("/signout")

    assert response.status_code == 200
    assert 'action="/signout"' in text(response) and "Sign out" in text(response)
    assert client.get("/my/blogs").status_code == 200


def test_sign_out_ends_the_session_and_the_old_cookie_no_longer_works():
    client = client_of("alice")
    old_key = client.cookies[COOKIE].value

    response = client.post("/signout")

    assert response.status_code == 302 and response["Location"] == "/"
    assert not WebSession.objects.filter(session_key=old_key).exists()
    replay = Client()
    replay.cookies[COOKIE] = old_key
    assert replay.get("/my/blogs").status_code == 302
    assert "Signed in as" not in text(replay.get("/"))


def test_a_session_of_a_deleted_account_is_treated_as_signed_out():
    client = client_of("alice")
    author = Author.objects.get(name="alice")
    services.account_content_delete(account_id=author.account_id)

    response = client.get("/my/blogs")

    assert response.status_code == 302
    assert response["Location"] == "/signin?next=/my/blogs"


def test_forms_without_a_csrf_token_are_refused_with_a_friendly_403():
    register("alice")
    client = Client(enforce_csrf_checks=True)

    response = client.post("/signin", {"name": "alice", "password": PASSWORD})

    assert response.status_code == 403
    assert "This form has expired" in text(response)
    assert COOKIE not in response.cookies


def test_sign_out_without_a_csrf_token_is_refused_and_keeps_the_session():
    register("alice")
    client = Client(enforce_csrf_checks=True)
    page = client.get("/signin")
    token = csrf_token(page)
    assert (
        client.post(
            "/signin", {"name": "alice", "password": PASSWORD, "csrfmiddlewaretoken": str(token)}
        ).status_code
        == 302
    )

    response = client.post("/signout")

    assert response.status_code == 403
    assert client.get("/my/blogs").status_code == 200


def test_staff_still_sign_in_to_the_admin_with_sessions_in_the_blog_schema():
    User.objects.create_superuser("staff", password=PASSWORD)
    client = Client()

    response = client.post(
        "/admin/login/?next=/admin/", {"username": "staff", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert WebSession.objects.filter(session_key=client.cookies[COOKIE].value).exists()


def test_a_stored_session_decodes_to_the_signed_in_account():
    register("alice")
    client = Client()
    sign_in(client, "alice")

    session = WebSession.objects.get(session_key=client.cookies[COOKIE].value)

    # As the admin and the shell read it: Django's Session model API.
    assert session.get_decoded()["blog_account_name"] == "alice"
