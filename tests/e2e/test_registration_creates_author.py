"""AccountRegistered gives the new account its blog author; redelivery and disorder are safe.

Events are delivered at least once and in no particular order: a redelivered
registration must not act twice, and a registration that arrives after the deletion
must not bring the author back.
"""

import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from contexts.accounts import api as accounts_api
from contexts.blog import handlers, selectors, services
from contexts.blog.models import Author
from contexts.kernel.events.models import InboxState, RelayState
from tests.e2e.journeys import delete_account, events_status, register
from tests.events import apply_here, inbox, inbox_row, outbox_row, receive_again, relay_here

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.mark.in_process
def test_registering_through_the_api_creates_the_author_without_any_sign_in(eager):
    writer = register("carol")

    author = selectors.author_get_by_account(account_id=writer.account_id)
    assert author is not None
    assert author.name == "carol"
    page = Client().get("/authors/carol")
    assert page.status_code == 200
    assert "carol" in page.content.decode()
    assert outbox_row("accounts", accounts_api.AccountRegistered).state == RelayState.SENT
    assert inbox_row("blog", accounts_api.AccountRegistered).state == InboxState.COMPLETED
    assert events_status()["total"]["inbox"]["failed"] == 0


@pytest.mark.parametrize(
    "operator_command",
    # What the worker does after a crash, or an operator's resubmit of the outbox.
    [["sweep"], ["resubmit", "--all"]],
)
def test_a_registration_relayed_twice_is_applied_once(eager, monkeypatch, operator_command):
    writer = register("carol")
    # A relay sent it, then died before recording that it had: the outbox says pending.
    outbox_row("accounts", accounts_api.AccountRegistered).__class__.objects.using(
        "accounts"
    ).update(state=RelayState.PENDING, next_attempt_at=timezone.now() - timedelta(hours=1))
    calls = []

    def spy(**kwargs):
        calls.append(kwargs)
        return real_author_ensure(**kwargs)

    real_author_ensure = services.author_ensure
    monkeypatch.setattr(services, "author_ensure", spy)

    # The sweep or an operator's resubmit relays it again, eagerly.
    call_command("events", *operator_command, stdout=StringIO())

    assert outbox_row("accounts", accounts_api.AccountRegistered).state == RelayState.SENT
    assert calls == []  # the inbox turned the second delivery into a no-op
    assert inbox("blog").filter(type_name=accounts_api.AccountRegistered.type_name).count() == 1
    assert Author.objects.filter(account_id=writer.account_id).count() == 1
    assert Author.objects.filter(name__iexact="carol").count() == 1
    assert events_status()["total"]["inbox"]["failed"] == 0


def test_a_message_the_broker_delivers_again_changes_nothing(eager):
    writer = register("carol")

    assert receive_again("accounts", "blog", accounts_api.AccountRegistered) == 1
    assert apply_here("blog").claimed == 0

    assert Author.objects.filter(account_id=writer.account_id).count() == 1
    assert inbox_row("blog", accounts_api.AccountRegistered).state == InboxState.COMPLETED


def test_deletion_handled_before_registration_leaves_no_author():
    account_id = uuid.uuid4().hex
    deleted = accounts_api.AccountDeleted(account_id=account_id, name="dave")
    registered = accounts_api.AccountRegistered(account_id=account_id, name="dave")

    handlers.on_account_deleted(deleted)
    handlers.on_account_registered(registered)

    assert selectors.author_get_by_account(account_id=account_id) is None
    assert not Author.objects.filter(name__iexact="dave").exists()
    assert selectors.account_is_deleted(account_id=account_id)
    assert Client().get("/authors/dave").status_code == 404


@pytest.mark.in_process
def test_registration_applied_after_the_deletion_through_the_inbox_leaves_no_author(held):
    # Nothing is relayed on its own: the test relays both, then applies them in the
    # wrong order.
    writer = register("erin")
    assert delete_account(writer).status_code == 204
    assert len(relay_here("accounts").sent) == 2
    assert selectors.author_get_by_account(account_id=writer.account_id) is None
    registered = inbox_row("blog", accounts_api.AccountRegistered)
    inbox("blog").filter(pk=registered.pk).update(next_attempt_at=timezone.now() + timedelta(1))

    assert len(apply_here("blog").ids("completed")) == 1  # the deletion
    inbox("blog").filter(pk=registered.pk).update(next_attempt_at=timezone.now())
    assert apply_here("blog").ids("completed") == [registered.pk]

    assert selectors.author_get_by_account(account_id=writer.account_id) is None
    assert Client().get("/authors/erin").status_code == 404
    refused = writer.client.post("/api/v1/blogs", {"path": "erin-is-back", "title": "Back"})
    assert refused.status_code == 401
    assert refused.json()["code"] == "account_deleted"
    assert selectors.author_get_by_account(account_id=writer.account_id) is None
    status = events_status()
    assert status["outbox"]["accounts"] == {**status["outbox"]["accounts"], "sent": 2, "failed": 0}
    assert (status["inbox"]["blog"]["completed"], status["inbox"]["blog"]["failed"]) == (2, 0)
