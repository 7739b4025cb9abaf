"""Publishing: the outbox row commits with the use case or not at all; delivery after commit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DataError, connections, transaction
from django.utils import timezone

from contexts.kernel.events import InvalidEvent, dispatch
from contexts.kernel.events.models import InboxState, RelayState
from contexts.kernel.events.publishing import PublishOutsideTransaction, publish
from contexts.kernel.events.stores import consumer_stores
from tests.eventsapp.events import Burst, FlakyThing, ThingHappened, Unheard
from tests.eventsapp.models import Effect, InboxRecord, OutboxEvent, Thing
from tests.eventsapp.services import burst_publish, thing_create

ALL = "__all__"


class Boom(Exception):
    pass


@pytest.mark.django_db(databases=ALL)
def test_publishing_writes_one_outbox_row_that_names_its_type_and_no_subscriber(
    held, django_capture_on_commit_callbacks
):
    event = ThingHappened(key="k")

    with (
        django_capture_on_commit_callbacks(using="default", execute=True),
        transaction.atomic(using="default"),
    ):
        publish(event, using="default", headers={"request_id": "r-1"})

    row = OutboxEvent.objects.get()
    assert (str(row.event_id), row.type_name, row.state) == (
        event.event_id,
        "eventsapp.ThingHappened.v1",
        RelayState.PENDING,
    )
    assert row.payload["key"] == "k"
    assert row.headers == {"request_id": "r-1"}
    # The producer's table knows nothing of who consumes: no subscriber column at all.
    assert "subscriber" not in {field.name for field in OutboxEvent._meta.fields}
    assert not InboxRecord.objects.exists()


@pytest.mark.django_db(databases=ALL)
def test_a_rolled_back_use_case_publishes_nothing(eager, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(using="default", execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(using="default"),
    ):
        Thing.objects.create(key="k")
        publish(ThingHappened(key="k"), using="default")
        raise Boom

    assert callbacks == []
    assert not OutboxEvent.objects.exists()
    assert not Effect.objects.exists()


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_publishing_outside_a_transaction_on_the_producers_alias_is_refused(held):
    with pytest.raises(PublishOutsideTransaction):
        publish(ThingHappened(key="k"), using="default")
    with pytest.raises(PublishOutsideTransaction), transaction.atomic(using="blog"):
        publish(ThingHappened(key="k"), using="default")  # open on another alias only

    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db(databases=ALL)
def test_an_event_that_is_not_json_is_refused_and_nothing_is_written(held):
    with pytest.raises(InvalidEvent), transaction.atomic(using="default"):
        publish(ThingHappened(key="k", tags=[object()]), using="default")  # type: ignore[list-item]

    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db(databases=ALL)
def test_publishing_where_no_outbox_is_declared_says_what_to_declare(held):
    with (
        pytest.raises(ImproperlyConfigured, match="OutboxBase"),
        transaction.atomic(using="renderer"),
    ):
        publish(ThingHappened(key="k"), using="renderer")


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_embedded_default_relays_and_applies_in_process_right_after_commit(eager):
    thing_create(key="hello")

    effects = sorted(Effect.objects.values_list("subscriber", "key"))
    assert effects == [("audit", "hello"), ("record", "hello")]
    assert OutboxEvent.objects.get().state == RelayState.SENT
    assert set(InboxRecord.objects.values_list("state", flat=True)) == {InboxState.COMPLETED}
    assert InboxRecord.objects.count() == 2


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_an_event_nobody_subscribes_to_is_relayed_and_lands_in_no_inbox(eager):
    with transaction.atomic(using="default"):
        publish(Unheard(key="k"), using="default")

    assert OutboxEvent.objects.get().state == RelayState.SENT
    assert not InboxRecord.objects.exists()


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_a_burst_published_in_one_transaction_is_relayed_in_one_pass(eager, monkeypatch):
    passes = []
    real = dispatch.relay_pending
    monkeypatch.setattr(dispatch, "relay_pending", lambda *args: passes.append(1) or real(*args))

    burst_publish(keys=[f"k{n}" for n in range(20)])

    assert len(passes) == 1
    assert Effect.objects.filter(subscriber="burst").count() == 20


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_embedded_default_a_failure_stays_pending_and_a_later_commit_retries_it(eager, monkeypatch):
    event = FlakyThing(key="flaky", fail_times=1)
    with transaction.atomic(using="default"):
        publish(event, using="default")  # the failure does not reach the caller

    row = InboxRecord.objects.get()
    # One attempt, not a burst of instant eager retries.
    assert (row.state, row.attempts) == (InboxState.PENDING, 1)
    assert row.next_attempt_at > timezone.now()
    assert "flaky failure on attempt 1" in row.last_error
    assert not Effect.objects.exists()  # the failed attempt's effect rolled back

    # Time passes (past the retry's time, and the process's sweep interval); the next
    # commit that publishes retries what is due.
    InboxRecord.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr(dispatch, "_next_sweep_at", 0.0)
    thing_create(key="later", announce=False)  # a commit with no event retries nothing
    assert InboxRecord.objects.get(pk=row.pk).state == InboxState.PENDING
    with transaction.atomic(using="default"):
        publish(Burst(key="next"), using="default")

    row.refresh_from_db()
    assert (row.state, row.attempts) == (InboxState.COMPLETED, 2)
    assert sorted(Effect.objects.values_list("key", flat=True)) == ["flaky", "next"]


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_embedded_default_commits_look_for_due_retries_once_per_poll_interval(
    eager, monkeypatch, settings
):
    settings.EVENTS_POLL_SECONDS = 60
    sweeps = []
    real = dispatch.process_due
    monkeypatch.setattr(dispatch, "process_due", lambda *a, **k: sweeps.append(1) or real(*a, **k))

    for key in ("a", "b", "c"):
        with transaction.atomic(using="default"):
            publish(Burst(key=key), using="default")

    # Each event applied at once; the inboxes swept for due retries by the first commit only.
    assert sorted(Effect.objects.values_list("key", flat=True)) == ["a", "b", "c"]
    assert len(sweeps) == len(consumer_stores())


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_a_failure_after_commit_leaves_the_use_case_done_and_the_event_pending(
    eager, monkeypatch, caplog
):
    def broken(self, envelopes):
        raise ConnectionError("inbox away")

    monkeypatch.setattr(dispatch.InProcessTransport, "send", broken)

    thing_create(key="k")

    assert Thing.objects.filter(key="k").exists()
    row = OutboxEvent.objects.get()
    assert (row.state, row.attempts) == (RelayState.PENDING, 1)
    assert row.last_error.startswith("ConnectionError: inbox away")


@pytest.mark.django_db(transaction=True, databases=ALL)
def test_with_a_broker_on_postgresql_a_commit_wakes_the_relay_once(postgres, held):
    listener = connections.create_connection("default")
    listener.ensure_connection()
    listener.connection.autocommit = True
    listener.connection.execute(f"LISTEN {dispatch.NOTIFY_CHANNEL}")
    try:
        with transaction.atomic(using="default"):
            publish(ThingHappened(key="a"), using="default")
            publish(ThingHappened(key="b"), using="default")
            assert list(listener.connection.notifies(timeout=0.2)) == []  # not before commit
        heard = list(listener.connection.notifies(timeout=2, stop_after=2))
    finally:
        listener.close()

    # One per transaction, naming the outbox's schema ("public" for the test app's).
    assert [note.payload for note in heard] == ["public"]


@pytest.mark.django_db(databases=ALL)
def test_a_database_error_in_the_outbox_insert_comes_out_as_djangos(postgres, held):
    """As from any query: Django then knows its connection saw an error (a dropped one is
    closed at the request's end), and callers catch Django's exceptions."""
    # PostgreSQL's jsonb refuses the NUL character that JSON itself allows.
    with pytest.raises(DataError), transaction.atomic(using="default"):
        publish(Burst(key="nul \x00 inside"), using="default")

    assert not OutboxEvent.objects.exists()
