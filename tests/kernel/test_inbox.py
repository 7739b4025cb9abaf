"""The consumer's inbox: received once per subscriber, applied once, retried, leased."""

import random
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from contexts.kernel.events import inbox
from contexts.kernel.events import subscriptions as subs
from contexts.kernel.events.envelopes import Envelope, InvalidEnvelope
from contexts.kernel.events.models import InboxState
from contexts.kernel.retry import RetryPolicy
from tests.eventsapp import handlers
from tests.eventsapp.events import Burst, DoomedThing, FlakyThing, ThingHappened, Unheard
from tests.eventsapp.models import Effect, Switch

pytestmark = pytest.mark.django_db(databases="__all__")

POLICY = RetryPolicy(max_attempts=5, base_seconds=2, cap_seconds=60, jitter=0)
LEASE = timedelta(seconds=10)


def envelope(event) -> Envelope:
    return Envelope(event.event_id, event.type_name, event.to_payload(), "eventsapp", {})


def process(consumer, *, now=None, limit=50) -> inbox.ProcessResult:
    return inbox.process(
        consumer, limit=limit, lease=LEASE, policy=POLICY, now=now, rng=random.Random(1)
    )


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def test_an_event_arrives_as_one_pending_row_per_subscriber_of_this_context(consumer):
    event = ThingHappened(key="k")

    offered = inbox.receive(consumer, [envelope(event)], now=timezone.now())

    assert offered == 2
    rows = consumer.rows.order_by("pk")
    assert [row.subscriber for row in rows] == [
        "tests.eventsapp.handlers.record_effect",
        "tests.eventsapp.handlers.audit_effect",
    ]
    assert {(row.state, row.attempts, str(row.event_id)) for row in rows} == {
        (InboxState.PENDING, 0, event.event_id)
    }


def test_receiving_a_message_again_changes_nothing(consumer):
    event = Burst(key="k")
    inbox.receive(consumer, [envelope(event)], now=timezone.now())
    process(consumer)

    inbox.receive(consumer, [envelope(event)], now=timezone.now())

    assert consumer.rows.get().state == InboxState.COMPLETED
    assert process(consumer).claimed == 0
    assert Effect.objects.count() == 1


def test_an_event_no_subscriber_of_this_context_wants_leaves_no_row(consumer):
    assert inbox.receive(consumer, [envelope(Unheard(key="k"))], now=timezone.now()) == 0
    assert not consumer.rows.exists()


def test_applying_runs_each_handler_once_and_completes_its_row(consumer):
    inbox.receive(consumer, [envelope(ThingHappened(key="k"))], now=timezone.now())

    result = process(consumer)

    assert sorted(Effect.objects.values_list("subscriber", flat=True)) == ["audit", "record"]
    assert len(result.ids(inbox.COMPLETED)) == 2
    assert set(consumer.rows.values_list("state", "attempts")) == {(InboxState.COMPLETED, 1)}
    assert all(row.completed_at for row in consumer.rows.all())


def test_a_failed_attempt_rolls_back_its_own_effect_only_and_waits_its_backoff(consumer):
    flaky, fine = FlakyThing(key="flaky", fail_times=1), Burst(key="fine")
    inbox.receive(consumer, [envelope(flaky), envelope(fine)], now=timezone.now())

    result = process(consumer)

    assert result.ids(inbox.RETRY) == [consumer.rows.get(type_name=flaky.type_name).pk]
    assert list(Effect.objects.values_list("key", flat=True)) == ["fine"]
    row = consumer.rows.get(type_name=flaky.type_name)
    assert (row.state, row.attempts) == (InboxState.PENDING, 1)
    assert row.last_error.startswith("RuntimeError: flaky failure on attempt 1")
    assert row.next_attempt_at > later(1.5)
    assert process(consumer).claimed == 0  # not due yet


def test_a_handler_failing_three_times_then_succeeding_completes_after_four(consumer):
    inbox.receive(consumer, [envelope(FlakyThing(key="f", fail_times=3))], now=timezone.now())

    for hours in range(4):
        process(consumer, now=later(3600 * hours))

    row = consumer.rows.get()
    assert (row.state, row.attempts, row.last_error) == (InboxState.COMPLETED, 4, "")
    assert Effect.objects.filter(subscriber="flaky").count() == 1


def test_a_handler_that_always_fails_ends_failed_and_resubmit_applies_it(consumer):
    inbox.receive(consumer, [envelope(DoomedThing(key="d"))], now=timezone.now())
    for hours in range(POLICY.max_attempts):
        process(consumer, now=later(3600 * hours))

    row = consumer.rows.get()
    assert (row.state, row.attempts) == (InboxState.FAILED, POLICY.max_attempts)
    assert row.last_error.startswith("RuntimeError: the doomed switch is off")
    assert process(consumer, now=later(10**6)).claimed == 0  # failed stays failed

    Switch.objects.create(name="doomed", on=True)
    assert inbox.resubmit(consumer, ids=[row.pk], now=timezone.now()) == [row.pk]
    process(consumer)

    row.refresh_from_db()
    assert (row.state, row.attempts) == (InboxState.COMPLETED, 1)


def test_a_claimed_row_is_held_for_its_lease_then_taken_up_again_with_the_attempt_counted(
    consumer,
):
    inbox.receive(consumer, [envelope(Burst(key="k"))], now=timezone.now())
    # A worker claims it and dies before applying it.
    token, rows = inbox.claim(consumer, limit=10, now=timezone.now(), lease=LEASE, policy=POLICY)
    assert [row.attempts for row in rows] == [1]

    assert process(consumer).claimed == 0  # another worker leaves it alone meanwhile
    assert inbox.resubmit(consumer, ids=None, now=timezone.now()) == []  # held: not now

    result = process(consumer, now=later(LEASE.total_seconds() + 1))

    assert len(result.ids(inbox.COMPLETED)) == 1
    assert consumer.rows.get().attempts == 2
    assert Effect.objects.count() == 1


def test_a_row_whose_worker_died_on_its_last_attempt_ends_failed(consumer):
    inbox.receive(consumer, [envelope(Burst(key="k"))], now=timezone.now())
    consumer.rows.update(attempts=POLICY.max_attempts)

    assert process(consumer).claimed == 0

    row = consumer.rows.get()
    assert row.state == InboxState.FAILED
    assert "stopped before it finished" in row.last_error
    assert not Effect.objects.exists()


def test_a_worker_whose_lease_was_taken_over_applies_nothing(consumer):
    inbox.receive(consumer, [envelope(Burst(key="k"))], now=timezone.now())
    # Our claim, then its lease runs out and another worker takes the row.
    inbox.claim(consumer, limit=10, now=timezone.now(), lease=LEASE, policy=POLICY)
    consumer.rows.update(claim_token=None, next_attempt_at=timezone.now())

    process(consumer)  # the other worker

    assert Effect.objects.count() == 1


def test_rows_whose_claim_another_worker_took_are_neither_applied_nor_completed(consumer):
    inbox.receive(consumer, [envelope(ThingHappened(key="k"))], now=timezone.now())
    token, rows = inbox.claim(consumer, limit=10, now=timezone.now(), lease=LEASE, policy=POLICY)
    # Our lease ran out while we were slow: another worker claimed one row, and has
    # completed the other.
    taken, done = rows
    consumer.rows.filter(pk=taken.pk).update(claim_token=uuid.uuid4())
    consumer.rows.filter(pk=done.pk).update(state=InboxState.COMPLETED)

    result = inbox.apply_claimed(consumer, token, rows, lease=LEASE, policy=POLICY)

    assert result.outcomes == []
    assert not Effect.objects.exists()
    assert consumer.rows.get(pk=taken.pk).state == InboxState.PENDING
    assert consumer.rows.get(pk=taken.pk).claim_token != token


def test_of_a_batch_only_the_rows_still_held_are_applied_and_completed(consumer):
    inbox.receive(consumer, [envelope(Burst(key=key)) for key in "ab"], now=timezone.now())
    token, rows = inbox.claim(consumer, limit=10, now=timezone.now(), lease=LEASE, policy=POLICY)
    lost, kept = rows
    other = uuid.uuid4()
    consumer.rows.filter(pk=lost.pk).update(claim_token=other)

    result = inbox.apply_claimed(consumer, token, rows, lease=LEASE, policy=POLICY)

    assert result.ids(inbox.COMPLETED) == [kept.pk]
    assert list(Effect.objects.values_list("key", flat=True)) == [kept.payload["key"]]
    lost.refresh_from_db()
    kept.refresh_from_db()
    assert (lost.state, lost.claim_token) == (InboxState.PENDING, other)
    assert (kept.state, kept.claim_token, kept.last_error) == (InboxState.COMPLETED, None, "")
    assert kept.completed_at is not None


def test_a_subscriber_dropped_from_the_table_fails_its_rows_with_a_reason(consumer):
    inbox.receive(consumer, [envelope(Burst(key="k"))], now=timezone.now())
    consumer.rows.update(subscriber="tests.eventsapp.handlers.gone")

    process(consumer)

    row = consumer.rows.get()
    assert row.state == InboxState.PENDING
    assert "no longer subscribes" in row.last_error


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_prepare_step_runs_outside_the_transaction_and_hands_its_result_over(consumer):
    seen = []

    def prepare(event):
        seen.append(("prepare", connections["default"].in_atomic_block))
        return event.key.upper()

    @subs.prepared_by(prepare)
    def handler(event, prepared):
        seen.append(("apply", connections["default"].in_atomic_block, prepared))

    handler.__module__ = handlers.__name__
    saved = subs.configure({**subs.table(), Burst: [handler]})
    try:
        inbox.receive(consumer, [envelope(Burst(key="k"))], now=timezone.now())
        assert len(process(consumer).ids(inbox.COMPLETED)) == 1
    finally:
        subs.configure(saved)

    assert seen == [("prepare", False), ("apply", True, "K")]


def _together_subscriber(calls: list, *, refuse: str | None = None):
    """A Burst handler applied together: records which keys each call got, and fails a
    call that holds the key `refuse` (a call of one event too)."""

    def apply(events) -> None:
        calls.append(sorted(event.key for event in events))
        if refuse in [event.key for event in events]:
            raise RuntimeError(f"refused {refuse}")
        for event in events:
            Effect.objects.create(event_id=event.event_id, subscriber="together", key=event.key)

    @subs.applied_together_by(apply)
    def handler(event) -> None:
        apply([event])

    handler.__module__ = handlers.__name__
    return handler


def test_a_handler_applied_together_gets_the_events_a_worker_holds_in_one_call(consumer):
    calls: list = []
    saved = subs.configure({**subs.table(), Burst: [_together_subscriber(calls)]})
    try:
        events = [Burst(key=key) for key in "abc"]
        inbox.receive(consumer, [envelope(event) for event in events], now=timezone.now())

        result = process(consumer)
    finally:
        subs.configure(saved)

    assert calls == [["a", "b", "c"]]
    assert len(result.ids(inbox.COMPLETED)) == 3
    assert sorted(Effect.objects.values_list("key", flat=True)) == ["a", "b", "c"]
    assert set(consumer.rows.values_list("state", flat=True)) == {InboxState.COMPLETED}


def test_when_a_call_together_fails_each_event_is_applied_alone_and_only_its_own_waits(
    consumer,
):
    calls: list = []
    saved = subs.configure({**subs.table(), Burst: [_together_subscriber(calls, refuse="b")]})
    try:
        events = [Burst(key=key) for key in "abc"]
        inbox.receive(consumer, [envelope(event) for event in events], now=timezone.now())

        result = process(consumer)
    finally:
        subs.configure(saved)

    assert calls == [["a", "b", "c"], ["a"], ["b"], ["c"]]
    # The failed call's effects rolled back; each event then got its own attempt.
    assert sorted(Effect.objects.values_list("key", flat=True)) == ["a", "c"]
    refused = consumer.rows.get(event_id=events[1].event_id)
    assert result.ids(inbox.RETRY) == [refused.pk]
    assert (refused.state, refused.attempts) == (InboxState.PENDING, 1)
    assert refused.last_error.startswith("RuntimeError: refused b")
    assert consumer.rows.filter(state=InboxState.COMPLETED).count() == 2


def test_a_handler_cannot_be_both_prepared_and_applied_together():
    @subs.prepared_by(lambda event: None)
    @subs.applied_together_by(lambda events: None)
    def handler(event, prepared) -> None:
        pass

    handler.__module__ = handlers.__name__
    with pytest.raises(TypeError, match="applied event by event"):
        subs.configure({Burst: [handler]})


def test_messages_that_are_not_envelopes_are_refused():
    event = Burst(key="k")
    good = envelope(event).to_message()
    for bad in (
        [],
        {**good, "event_id": "nope"},
        {**good, "type": "no type"},
        {**good, "payload": {**good["payload"], "type": "eventsapp.Other.v1"}},
        {**good, "headers": {"a": 1}},
    ):
        with pytest.raises(InvalidEnvelope):
            Envelope.from_message(bad)
    assert Envelope.from_message(good) == envelope(event)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_two_workers_claiming_at_once_never_share_a_row(postgres, consumer):
    events = [Burst(key=f"k{n}") for n in range(40)]
    inbox.receive(consumer, [envelope(event) for event in events], now=timezone.now())
    claimed: list[list[int]] = []
    start = threading.Barrier(2)

    def claim():
        try:
            start.wait()
            with transaction.atomic(using="default"):
                _, rows = inbox.claim(
                    consumer, limit=30, now=timezone.now(), lease=LEASE, policy=POLICY
                )
            claimed.append([row.pk for row in rows])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    first, second = claimed
    assert not set(first) & set(second)
    assert len(first) + len(second) == 40


def receive_applied(consumer, events) -> inbox.ProcessResult:
    return inbox.receive_applied(
        consumer,
        [envelope(event) for event in events],
        now=timezone.now(),
        lease=LEASE,
        policy=POLICY,
        rng=random.Random(1),
    )


def test_an_event_read_the_first_time_is_recorded_completed_with_its_effects(consumer):
    result = receive_applied(consumer, [ThingHappened(key="k")])

    assert sorted(Effect.objects.values_list("subscriber", flat=True)) == ["audit", "record"]
    assert len(result.ids(inbox.COMPLETED)) == 2
    rows = consumer.rows.all()
    assert {(row.state, row.attempts, row.claim_token) for row in rows} == {
        (InboxState.COMPLETED, 1, None)
    }
    assert all(row.completed_at is not None for row in rows)
    assert process(consumer).claimed == 0


def test_an_event_read_again_after_it_was_recorded_is_not_applied_again(consumer):
    event = Burst(key="k")
    receive_applied(consumer, [event])

    result = receive_applied(consumer, [event, Burst(key="new")])

    assert sorted(Effect.objects.values_list("key", flat=True)) == ["k", "new"]
    assert len(result.ids(inbox.COMPLETED)) == 1
    assert consumer.rows.count() == 2


def test_a_handler_failing_on_first_read_leaves_its_row_pending_with_the_attempt_counted(
    consumer,
):
    flaky, fine = FlakyThing(key="flaky", fail_times=1), Burst(key="fine")

    result = receive_applied(consumer, [flaky, fine])

    row = consumer.rows.get(type_name=flaky.type_name)
    assert result.ids(inbox.RETRY) == [row.pk]
    assert list(Effect.objects.values_list("key", flat=True)) == ["fine"]
    assert (row.state, row.attempts) == (InboxState.PENDING, 1)
    assert row.last_error.startswith("RuntimeError: flaky failure on attempt 1")
    assert consumer.rows.get(type_name=fine.type_name).state == InboxState.COMPLETED


def test_a_prepared_subscriber_read_the_first_time_gets_its_prepared_result(consumer):
    seen = []

    def prepare(event):
        seen.append("prepare")
        return event.key.upper()

    @subs.prepared_by(prepare)
    def handler(event, prepared):
        seen.append(prepared)

    handler.__module__ = handlers.__name__
    saved = subs.configure({**subs.table(), Burst: [handler]})
    try:
        assert len(receive_applied(consumer, [Burst(key="k")]).ids(inbox.COMPLETED)) == 1
    finally:
        subs.configure(saved)

    assert seen == ["prepare", "K"]
    assert consumer.rows.get().state == InboxState.COMPLETED
