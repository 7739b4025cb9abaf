"""Delivering one publication: once per subscriber, retried with backoff, failed when spent."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from contexts.kernel.events import delivery as dl
from contexts.kernel.events import operations, registry
from contexts.kernel.events import subscriptions as subs
from contexts.kernel.events.consumers import consume
from contexts.kernel.events.models import State
from contexts.kernel.events.publishing import publish
from contexts.kernel.events.stores import producer_store
from contexts.kernel.events.subscriptions import configure
from contexts.kernel.tasks import deliver_publication
from tests.eventsapp.events import Burst, DoomedThing, FlakyThing
from tests.eventsapp.models import Effect, EventPublication, InboxRecord, Switch

pytestmark = pytest.mark.django_db(databases="__all__")

ALIAS = "default"


def _publish(event) -> EventPublication:
    with transaction.atomic(using=ALIAS):
        publish(event, using=ALIAS)
    return EventPublication.objects.get(event_id=event.event_id)


def _deliver_until_settled(pub: EventPublication) -> list[str]:
    """Deliver, each time at the moment the retry is due; return the outcomes."""
    outcomes, now = [], timezone.now()
    while True:
        outcome = dl.deliver(ALIAS, pub.pk, now=now)
        outcomes.append(outcome.status)
        if outcome.retry_in is None:
            return outcomes
        now = EventPublication.objects.get(pk=pub.pk).next_attempt_at


def test_a_delivery_runs_the_handler_and_completes_the_publication(sent):
    pub = _publish(Burst(key="k"))

    outcome = dl.deliver(ALIAS, pub.pk)

    assert outcome == dl.Outcome(dl.COMPLETED)
    pub.refresh_from_db()
    assert (pub.state, pub.attempts, pub.last_error) == (State.COMPLETED, 1, "")
    assert pub.completed_at is not None
    assert list(Effect.objects.values_list("key", "subscriber")) == [("k", "burst")]


def test_the_inbox_turns_a_redelivery_into_a_no_op(sent):
    pub = _publish(Burst(key="k"))
    dl.deliver(ALIAS, pub.pk)
    # As if the completion had been lost and the sweep had sent it again.
    EventPublication.objects.filter(pk=pub.pk).update(state=State.PENDING)

    outcome = dl.deliver(ALIAS, pub.pk)

    assert outcome.status == dl.DUPLICATE
    assert EventPublication.objects.get(pk=pub.pk).state == State.COMPLETED
    assert Effect.objects.count() == 1
    assert InboxRecord.objects.count() == 1


def test_consuming_the_same_event_twice_has_one_effect():
    event = Burst(key="k")
    (subscriber,) = subs.subscribers_of(Burst.type_name)

    assert consume(subscriber, event) is True
    assert consume(subscriber, event) is False
    assert Effect.objects.filter(event_id=event.event_id).count() == 1


def test_a_failed_attempt_rolls_back_its_effect_and_inbox_row_then_retries(sent, settings):
    settings.EVENTS_RETRY_BASE_SECONDS = 4
    settings.EVENTS_RETRY_JITTER = 0.5
    pub = _publish(FlakyThing(key="k", fail_times=1))

    outcome = dl.deliver(ALIAS, pub.pk)

    assert outcome.status == dl.RETRY and 2 <= outcome.retry_in <= 4
    assert not Effect.objects.exists() and not InboxRecord.objects.exists()
    pub.refresh_from_db()
    assert pub.state == State.PENDING and "flaky failure on attempt 1" in pub.last_error
    assert "Traceback" in pub.last_error

    assert dl.deliver(ALIAS, pub.pk, now=pub.next_attempt_at).status == dl.COMPLETED
    assert Effect.objects.count() == 1


def test_a_handler_failing_three_times_then_succeeding_ends_completed_after_four(sent, settings):
    settings.EVENTS_MAX_ATTEMPTS = 5
    pub = _publish(FlakyThing(key="k", fail_times=3))

    outcomes = _deliver_until_settled(pub)

    assert outcomes == [dl.RETRY, dl.RETRY, dl.RETRY, dl.COMPLETED]
    pub.refresh_from_db()
    assert (pub.state, pub.attempts) == (State.COMPLETED, 4)
    assert Effect.objects.count() == 1


def test_a_handler_that_always_fails_ends_failed_with_its_error_and_resubmit_revives_it(
    sent, settings
):
    settings.EVENTS_MAX_ATTEMPTS = 3
    pub = _publish(DoomedThing(key="k"))

    assert _deliver_until_settled(pub) == [dl.RETRY, dl.RETRY, dl.FAILED]
    pub.refresh_from_db()
    assert (pub.state, pub.attempts) == (State.FAILED, 3)
    assert pub.last_error.startswith("RuntimeError: the doomed switch is off")

    Switch.objects.create(name="doomed", on=True)
    assert operations.resubmit(refs=[f"default:{pub.pk}"]) == {ALIAS: [pub.pk]}
    assert sent.ids() == [pub.pk]
    assert dl.deliver(ALIAS, pub.pk).status == dl.COMPLETED
    assert Effect.objects.filter(subscriber="doomed").count() == 1


def test_a_publication_not_yet_due_or_already_done_is_left_alone(sent):
    pub = _publish(Burst(key="k"))
    now = timezone.now()
    EventPublication.objects.filter(pk=pub.pk).update(next_attempt_at=now + timedelta(seconds=9))

    early = dl.deliver(ALIAS, pub.pk, now=now)
    dl.deliver(ALIAS, pub.pk, now=now + timedelta(seconds=10))
    late = dl.deliver(ALIAS, pub.pk, now=now + timedelta(seconds=10))

    assert early.status == dl.NOT_DUE and early.retry_in == pytest.approx(9)
    assert late == dl.Outcome(dl.SKIPPED)
    assert Effect.objects.count() == 1


def test_a_subscriber_dropped_from_the_table_fails_its_publications_with_a_reason(sent, settings):
    settings.EVENTS_MAX_ATTEMPTS = 1
    pub = _publish(Burst(key="k"))
    saved = configure({})
    try:
        outcome = dl.deliver(ALIAS, pub.pk)
    finally:
        configure(saved)

    assert outcome.status == dl.FAILED
    assert "no longer subscribes" in EventPublication.objects.get(pk=pub.pk).last_error


def test_the_task_schedules_the_retry_with_the_backoff_when_a_worker_runs_it(sent):
    pub = _publish(FlakyThing(key="k", fail_times=1))

    assert deliver_publication(ALIAS, pub.pk) == dl.RETRY

    ((alias, publication_id, countdown),) = sent
    pub.refresh_from_db()
    assert (alias, publication_id) == (ALIAS, pub.pk)
    assert 1 <= countdown <= 2  # base 2 s, half of it jitter
    assert pub.next_attempt_at > timezone.now()


def test_the_sweep_takes_over_a_publication_whose_worker_died(sent, settings):
    settings.EVENTS_STALE_AFTER_SECONDS = 60
    pub = _publish(Burst(key="k"))
    start = timezone.now()
    EventPublication.objects.filter(pk=pub.pk).update(
        state=State.PROCESSING, claimed_at=start, attempts=1
    )

    assert dl.sweep(now=start + timedelta(seconds=59)) == {}
    found = dl.sweep(now=start + timedelta(seconds=61))

    assert found == {ALIAS: [pub.pk]}
    assert dl.deliver(ALIAS, pub.pk, now=start + timedelta(seconds=61)).status == dl.COMPLETED
    pub.refresh_from_db()
    assert (pub.state, pub.attempts) == (State.COMPLETED, 2)


def test_the_sweep_resends_pending_publications_whose_message_was_lost(sent, settings):
    settings.EVENTS_STALE_AFTER_SECONDS = 60
    pub = _publish(Burst(key="k"))
    now = timezone.now()

    assert dl.sweep(now=now) == {}
    assert dl.sweep(now=now + timedelta(seconds=61)) == {ALIAS: [pub.pk]}


def test_two_claims_racing_for_one_publication_give_it_to_one_worker(sent):
    pub = _publish(Burst(key="k"))
    # A worker holds it; a second message for it (from the sweep, say) arrives meanwhile.
    held = registry.claim(producer_store(ALIAS), pub.pk, now=timezone.now())

    assert dl.deliver(ALIAS, pub.pk).status == dl.SKIPPED
    assert not Effect.objects.exists()
    assert held is not None
