"""A write that races the deletion saga: never a 500, never a blog of a deleted account.

blog_create holds the owner row and refuses an author that is gone (AccountGone).

The deletion is made to land in the window between the view finding the author and
the blog being inserted; with a worker that happens when DELETE /api/v1/me and a
POST from another tab or device with the same account overlap.
"""

import pytest
from django.test import Client

from contexts.accounts import api as accounts_api
from contexts.blog import services
from contexts.blog.models import Blog
from tests.e2e.journeys import PASSWORD, register

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def deletion_lands_before_the_insert(monkeypatch):
    """Make the next blog_create delete its owner's account (handler included) first."""

    def arm(account_id: str) -> None:
        real_blog_create = services.blog_create

        def racing(**kwargs):
            accounts_api.account_delete(account_id=account_id, password=PASSWORD)
            return real_blog_create(**kwargs)

        monkeypatch.setattr(services, "blog_create", racing)

    return arm


@pytest.mark.in_process
def test_creating_a_blog_through_the_api_while_the_account_is_deleted(
    eager, deletion_lands_before_the_insert
):
    writer = register("ivan")
    writer.client.raise_request_exception = False
    deletion_lands_before_the_insert(writer.account_id)

    response = writer.client.post(
        "/api/v1/blogs", {"path": "ivans-notes", "title": "Notes"}, format="json"
    )

    assert response.status_code == 401
    assert response.json()["code"] == "account_deleted"
    assert not Blog.objects.filter(path="ivans-notes").exists()


@pytest.mark.in_process
def test_creating_a_blog_in_the_browser_while_the_account_is_deleted(
    eager, deletion_lands_before_the_insert
):
    browser = Client(raise_request_exception=False)
    assert browser.post("/signup", {"name": "judy", "password": PASSWORD}).status_code == 302
    deletion_lands_before_the_insert(browser.session["blog_account_id"])

    response = browser.post(
        "/my/blogs/-/create", {"path": "judys-notes", "title": "Notes", "description": ""}
    )

    assert response.status_code == 200
    assert "This account has been deleted." in response.content.decode()
    assert not Blog.objects.filter(path="judys-notes").exists()
