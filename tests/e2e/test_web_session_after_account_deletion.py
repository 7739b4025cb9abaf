"""A browser signed in to the web UI, while the same account is deleted through the API."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from contexts.blog import selectors
from contexts.blog.web.auth import SESSION_ACCOUNT_ID
from tests.e2e.journeys import PASSWORD, bearer, sign_in

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.mark.in_process
def test_deleting_the_account_through_the_api_signs_the_browser_out(eager):
    browser = Client()
    signed_up = browser.post("/signup", {"name": "frank", "password": PASSWORD})
    assert signed_up.status_code == 302
    assert signed_up["Location"] == "/my/blogs"
    created = browser.post(
        "/my/blogs/-/create", {"path": "franks-notes", "title": "Notes", "description": ""}
    )
    assert created.status_code == 302
    assert browser.get("/my/blogs").status_code == 200
    assert SESSION_ACCOUNT_ID in browser.session
    assert browser.get("/blogs/franks-notes").status_code == 200

    issued = sign_in("frank", PASSWORD)
    assert issued.status_code == 201
    deleted = bearer(issued.json()["token"]).delete(
        "/api/v1/me", {"password": PASSWORD}, format="json"
    )
    assert deleted.status_code == 204

    # Public pages no longer greet the deleted account in the header.
    home = browser.get("/").content.decode()
    assert "frank" not in home
    assert 'href="/signin"' in home

    # The author is gone, so the session no longer signs anyone in.
    page = browser.get("/my/blogs")
    assert page.status_code == 302
    assert page["Location"] == "/signin?next=/my/blogs"
    # The stale session was dropped, not kept for an account that no longer exists.
    assert SESSION_ACCOUNT_ID not in browser.session
    assert browser.get("/blogs/franks-notes").status_code == 404
    assert browser.get("/authors/frank").status_code == 404
    assert APIClient().get("/api/v1/blogs/franks-notes").status_code == 404
    # Nor does the web sign-in let the deleted account back in.
    refused = browser.post("/signin", {"name": "frank", "password": PASSWORD})
    assert refused.status_code == 200
    assert "Wrong name or password." in refused.content.decode()
    assert selectors.blog_list().count() == 0
