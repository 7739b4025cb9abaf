"""The split deployment end to end (SPLIT_DEPLOYMENT=1): accounts and the renderer answer from
processes of their own, and the account-deletion saga crosses them through the broker."""

import time
from collections.abc import Callable

import httpx
import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from blog_project import seams
from contexts.blog import selectors
from tests.e2e.journeys import create_blog, delete_account, publish_entry, register
from tests.split import SPLIT

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(not SPLIT, reason="runs against a split deployment (SPLIT_DEPLOYMENT=1)"),
]

SETTLE_SECONDS = 30.0


def _eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting until {what}")


def test_accounts_and_the_renderer_answer_from_processes_of_their_own():
    assert seams.SEAMS["accounts"][0].seam.transport == "http"
    assert seams.SEAMS["renderer"][0].seam.transport == "http"
    for context in ("accounts", "renderer"):
        ready = httpx.get(f"{settings.CONTEXT_URLS[context]}/server/ready").json()
        # Each opens its own database alone (the renderer has no tables: none at all).
        databases = {name for name in ready["checks"] if name.startswith("database:")}
        assert databases == (
            {"database:accounts"} if context == "accounts" else {"database:renderer"}
        )


def test_a_writer_registers_publishes_and_deletes_the_account_across_the_services():
    alice = register("alice")
    _eventually(
        lambda: selectors.author_get_by_account(account_id=alice.account_id) is not None,
        "the blog learns of the registration from the accounts service's event",
    )
    create_blog(alice, "alices-notes")
    entry = publish_entry(alice, "alices-notes", "Hello", "Some *Markdown* and id:alice")

    # Rendered by the renderer service; the token checked here with the published keys.
    assert "<em>Markdown</em>" in entry["body_html"]
    assert '<a href="/authors/alice">id:alice</a>' in entry["body_html"]
    assert alice.client.get("/api/v1/me").json()["name"] == "alice"

    assert delete_account(alice).status_code == 204
    _eventually(
        lambda: APIClient().get("/api/v1/blogs/alices-notes").status_code == 404,
        "the blog deletes the account's content on the accounts service's event",
    )
    refused = alice.client.post("/api/v1/blogs", {"path": "back", "title": "t"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (401, "account_deleted")
    assert Client().get("/authors/alice").status_code == 404
