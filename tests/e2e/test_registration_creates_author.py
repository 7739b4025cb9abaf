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
from contexts.kernel.events import delivery
from contexts.kernel.events.models import State
from contexts.kernel.events.stores import producer_store
from tests.e2e.journeys import delete_account, events_status, register

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

ACCOUNTS = "accounts"


def _publications():
    return producer_store(ACCOUNTS).publications.objects.using(ACCOUNTS)


def _publication_of(event_type: type) -> object:
    return _publications().get(event_type=event_type.type_name)


def test_registering_through_the_api_creates_the_author_without_any_sign_in(eager):
    writer = register("carol")

    author = selectors.author_get_by_account(account_id=writer.account_id)
    assert author is not None
    assert author.name == "carol"
    page = Client().get("/authors/carol")
    assert page.status_code == 200
    assert "carol" in page.content.decode()
    assert _publication_of(accounts_api.AccountRegistered).state == State.COMPLETED
    assert events_status()["total"]["failed"] == 0


@pytest.mark.parametrize(
    ("operator_command", "attempts"),
    # The sweep counts the dead worker's attempt; a resubmit starts a fresh round.
    [(["sweep"], 2), (["resubmit", "--all"], 1)],
)
def test_a_redelivered_registration_is_a_no_op(
    eager, settings, monkeypatch, operator_command, attempts
):
    writer = register("carol")
    publication = _publication_of(accounts_api.AccountRegistered)
    # A worker ran the handler and committed, then died before marking the delivery
    # completed: the registry still shows it in processing, claimed long ago.
    _publications().filter(pk=publication.pk).update(
        state=State.PROCESSING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    settings.EVENTS_STALE_AFTER_SECONDS = 60
    calls = []

    def spy(**kwargs):
        calls.append(kwargs)
        return real_author_ensure(**kwargs)

    real_author_ensure = services.author_ensure
    monkeypatch.setattr(services, "author_ensure", spy)

    # The sweep (what beat runs) or an operator's resubmit delivers it again, eagerly.
    call_command("events", *operator_command, stdout=StringIO())

    publication.refresh_from_db()
    assert publication.state == State.COMPLETED
    assert publication.attempts == attempts
    assert calls == []  # the inbox turned the second delivery into a no-op
    assert Author.objects.filter(account_id=writer.account_id).count() == 1
    assert Author.objects.filter(name__iexact="carol").count() == 1
    assert events_status()["total"]["failed"] == 0


def test_delivering_a_completed_registration_again_changes_nothing(eager):
    writer = register("carol")
    publication = _publication_of(accounts_api.AccountRegistered)

    outcome = delivery.deliver(ACCOUNTS, publication.pk)

    assert outcome.status == delivery.SKIPPED
    assert Author.objects.filter(account_id=writer.account_id).count() == 1


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


def test_registration_delivered_after_the_deletion_through_the_outbox_leaves_no_author(sent):
    # No delivery runs on its own: the test delivers them, in the wrong order.
    writer = register("erin")
    assert delete_account(writer).status_code == 204
    registered = _publication_of(accounts_api.AccountRegistered)
    deleted = _publication_of(accounts_api.AccountDeleted)
    assert sorted(sent.ids()) == sorted([registered.pk, deleted.pk])
    assert selectors.author_get_by_account(account_id=writer.account_id) is None

    assert delivery.deliver(ACCOUNTS, deleted.pk).status == delivery.COMPLETED
    assert delivery.deliver(ACCOUNTS, registered.pk).status == delivery.COMPLETED

    assert selectors.author_get_by_account(account_id=writer.account_id) is None
    assert Client().get("/authors/erin").status_code == 404
    refused = writer.client.post("/api/v1/blogs", {"path": "erin-is-back", "title": "Back"})
    assert refused.status_code == 401
    assert refused.json()["code"] == "account_deleted"
    assert selectors.author_get_by_account(account_id=writer.account_id) is None
    status = events_status()
    assert (status["total"]["failed"], status["total"]["pending"]) == (0, 0)
    assert status["aliases"][ACCOUNTS]["completed"] == 2
