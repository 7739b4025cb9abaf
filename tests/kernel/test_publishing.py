"""Publishing: the outbox row commits with the use case or not at all; delivery after commit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from contexts.kernel.events import InvalidEvent, dispatch
from contexts.kernel.events.models import State
from contexts.kernel.events.publishing import PublishOutsideTransaction, publish
from tests.eventsapp.events import Burst, FlakyThing, ThingHappened, Unheard
from tests.eventsapp.models import Effect, EventPublication, InboxRecord, OutboxEvent, Thing
from tests.eventsapp.services import thing_create

ALL = "__all__"


class Boom(Exception):
    pass


@pytest.mark.django_db(databases=ALL)
def test_publishing_records_the_event_and_one_publication_per_subscriber(
    sent, django_capture_on_commit_callbacks
):
    event = ThingHappened(key="k")

    with (
        django_capture_on_commit_callbacks(using="default", execute=True),
        transaction.atomic(using="default"),
    ):
        publish(event, using="default")
        assert sent == []  # nothing leaves before the commit

    outbox = OutboxEvent.objects.get()
    assert (str(outbox.event_id), outbox.type_name) == (
        event.event_id,
        "eventsapp.ThingHappened.v1",
    )
    assert outbox.payload["key"] == "k"
    publications = EventPublication.objects.order_by("pk")
    assert [p.subscriber for p in publications] == [
        "tests.eventsapp.handlers.record_effect",
        "tests.eventsapp.handlers.audit_effect",
    ]
    assert all(p.state == State.PENDING for p in publications)
    assert sorted(sent.ids()) == [p.pk for p in publications]


@pytest.mark.django_db(databases=ALL)
def test_a_rolled_back_use_case_publishes_nothing(sent, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(using="default", execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(using="default"),
    ):
        Thing.objects.create(key="k")
        publish(ThingHappened(key="k"), using="default")
        raise Boom

    assert callbacks == []
    assert sent == []
    assert not OutboxEvent.objects.exists()
    assert not EventPublication.objects.exists()


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_publishing_outside_a_transaction_on_the_producers_alias_is_refused(sent):
    with pytest.raises(PublishOutsideTransaction):
        publish(ThingHappened(key="k"), using="default")
    # A transaction on another alias is not the producer's transaction.
    with pytest.raises(PublishOutsideTransaction), transaction.atomic(using="blog"):
        publish(ThingHappened(key="k"), using="default")

    assert not OutboxEvent.objects.exists()
    assert sent == []


@pytest.mark.django_db(databases=ALL)
def test_an_event_nobody_subscribes_to_is_recorded_with_no_publication(
    sent, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(using="default", execute=True) as callbacks,
        transaction.atomic(using="default"),
    ):
        publish(Unheard(key="k"), using="default")

    assert OutboxEvent.objects.get().type_name == "eventsapp.Unheard.v1"
    assert not EventPublication.objects.exists()
    assert callbacks == []


@pytest.mark.django_db(databases=ALL)
def test_an_event_that_is_not_json_is_refused_and_nothing_is_written(sent):
    with pytest.raises(InvalidEvent), transaction.atomic(using="default"):
        publish(ThingHappened(key="k", tags=[object()]), using="default")  # type: ignore[list-item]

    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db(databases=ALL)
def test_publishing_where_no_outbox_is_declared_says_what_to_declare(sent):
    with (
        pytest.raises(ImproperlyConfigured, match="OutboxBase"),
        transaction.atomic(using="renderer"),
    ):
        publish(ThingHappened(key="k"), using="renderer")


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_embedded_default_delivers_in_process_right_after_commit(eager):
    thing_create(key="hello")

    effects = sorted(Effect.objects.values_list("subscriber", "key"))
    assert effects == [("audit", "hello"), ("record", "hello")]
    assert set(EventPublication.objects.values_list("state", flat=True)) == {State.COMPLETED}
    assert InboxRecord.objects.count() == 2


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_embedded_default_a_failure_stays_pending_and_a_later_commit_retries_it(eager):
    event = FlakyThing(key="flaky", fail_times=1)
    with transaction.atomic(using="default"):
        publish(event, using="default")  # the failure does not reach the caller

    row = EventPublication.objects.get()
    # One attempt, not a burst of instant eager retries.
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert row.next_attempt_at > timezone.now()
    assert "flaky failure on attempt 1" in row.last_error
    assert not Effect.objects.exists()  # the failed attempt's effect rolled back

    # Time passes; the next commit that publishes on this alias retries what is due.
    EventPublication.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    thing_create(key="later", announce=False)  # a commit with no event retries nothing
    assert EventPublication.objects.get(pk=row.pk).state == State.PENDING
    with transaction.atomic(using="default"):
        publish(Burst(key="next"), using="default")

    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.COMPLETED, 2)
    assert sorted(Effect.objects.values_list("key", flat=True)) == ["flaky", "next"]


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_a_broker_that_fails_after_commit_leaves_the_use_case_done_and_the_event_pending(
    monkeypatch, caplog
):
    def broken(alias, ids, *, countdown=None):
        raise ConnectionError("broker down")

    monkeypatch.setattr(dispatch, "send_deliveries", broken)

    thing_create(key="k")

    assert Thing.objects.filter(key="k").exists()
    assert set(EventPublication.objects.values_list("state", flat=True)) == {State.PENDING}
    assert "stay pending" in caplog.text
