"""The publication registry's state machine: claim, complete, fail, retry, stale, resubmit."""

import random
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from contexts.kernel.events import registry as reg
from contexts.kernel.events.models import State
from contexts.kernel.events.publishing import publish
from contexts.kernel.retry import RetryPolicy
from tests.eventsapp.events import Burst, ThingHappened
from tests.eventsapp.models import EventPublication, OutboxEvent

pytestmark = pytest.mark.django_db(databases="__all__")

POLICY = RetryPolicy(max_attempts=3, base_seconds=10, cap_seconds=100, jitter=0.5)
STALE = timedelta(minutes=5)


def _published(event) -> EventPublication:
    with transaction.atomic(using="default"):
        publish(event, using="default")
    return EventPublication.objects.filter(event_id=event.event_id).first()


def _stuck(pub, *, since) -> None:
    """Put a publication in processing since `since`, as a worker that died would leave it."""
    EventPublication.objects.filter(pk=pub.pk).update(
        state=State.PROCESSING, claimed_at=since, attempts=1
    )


@pytest.fixture
def pub(sent) -> EventPublication:
    return _published(Burst(key="one"))


def _row(pub) -> EventPublication:
    return EventPublication.objects.get(pk=pub.pk)


def test_a_new_publication_is_pending_and_due_now(pub):
    assert pub.state == State.PENDING
    assert pub.attempts == 0
    assert pub.next_attempt_at <= timezone.now()
    assert pub.subscriber == "tests.eventsapp.handlers.record_burst"
    assert OutboxEvent.objects.get(event_id=pub.event_id).type_name == "eventsapp.Burst.v1"


def test_claiming_moves_it_to_processing_and_counts_an_attempt(store, pub):
    held = reg.claim(store, pub.pk, now=timezone.now())

    assert held is not None and held.attempts == 1
    assert held.event_id == str(pub.event_id)
    row = _row(pub)
    assert (row.state, row.attempts, row.claim_token) == (State.PROCESSING, 1, held.token)


def test_a_claimed_publication_cannot_be_claimed_again(store, pub):
    now = timezone.now()
    assert reg.claim(store, pub.pk, now=now) is not None

    assert reg.claim(store, pub.pk, now=now) is None
    assert reg.claim(store, pub.pk, now=now + timedelta(minutes=1)) is None


def test_a_publication_not_yet_due_is_not_claimed_and_says_how_long_to_wait(store, pub):
    now = timezone.now()
    EventPublication.objects.filter(pk=pub.pk).update(next_attempt_at=now + timedelta(seconds=30))

    assert reg.claim(store, pub.pk, now=now) is None
    assert reg.seconds_until_due(store, pub.pk, now=now) == pytest.approx(30)
    assert reg.claim(store, pub.pk, now=now + timedelta(seconds=31)) is not None


def test_completing_marks_it_completed_with_its_time(store, pub):
    now = timezone.now()
    held = reg.claim(store, pub.pk, now=now)

    assert reg.complete(store, held, now=now) is True

    row = _row(pub)
    assert (row.state, row.completed_at, row.claim_token) == (State.COMPLETED, now, None)
    assert reg.claim(store, pub.pk, now=now) is None


def test_a_failure_goes_back_to_pending_after_a_jittered_backoff_with_the_error(store, pub):
    now = timezone.now()
    held = reg.claim(store, pub.pk, now=now)

    failure = reg.fail(store, held, error="Boom: no", policy=POLICY, now=now, rng=random.Random(1))

    row = _row(pub)
    assert failure.state == State.PENDING and failure.applied
    assert 5 <= failure.retry_in <= 10
    assert row.state == State.PENDING
    assert row.next_attempt_at == now + timedelta(seconds=failure.retry_in)
    assert (row.attempts, row.last_error) == (1, "Boom: no")
    # Not before its time; then it is claimed again, as attempt 2, waiting longer after.
    assert reg.claim(store, pub.pk, now=now) is None
    later = row.next_attempt_at
    again = reg.claim(store, pub.pk, now=later)
    assert again.attempts == 2
    assert 10 <= reg.fail(store, again, error="x", policy=POLICY, now=later).retry_in <= 20


def test_after_the_last_attempt_a_failure_is_final_and_keeps_the_error(store, pub):
    now = timezone.now()
    for attempt in range(1, POLICY.max_attempts + 1):
        held = reg.claim(store, pub.pk, now=now)
        assert held.attempts == attempt
        failure = reg.fail(store, held, error=f"error {attempt}", policy=POLICY, now=now)
        now = _row(pub).next_attempt_at

    row = _row(pub)
    assert failure.state == State.FAILED and failure.retry_in is None
    assert (row.state, row.attempts, row.last_error) == (State.FAILED, 3, "error 3")
    assert reg.claim(store, pub.pk, now=now + timedelta(days=1)) is None


def test_the_sweep_releases_a_claim_stuck_in_processing_and_it_is_claimed_again(store, pub):
    start = timezone.now()
    first = reg.claim(store, pub.pk, now=start)
    later = start + STALE + timedelta(seconds=1)

    assert (
        reg.release_stale(store, now=start + STALE, stale_after=STALE, policy=POLICY, limit=10)
        == []
    )
    released = reg.release_stale(store, now=later, stale_after=STALE, policy=POLICY, limit=10)

    assert released == [pub.pk]
    row = _row(pub)
    assert row.state == State.PENDING and "stopped answering" in row.last_error
    second = reg.claim(store, pub.pk, now=later)
    assert second is not None and second.attempts == 2
    # The first worker, presumed dead, answers late: it changes nothing.
    assert reg.complete(store, first, now=later) is False
    assert reg.fail(store, first, error="late", policy=POLICY, now=later).applied is False
    assert _row(pub).state == State.PROCESSING
    assert reg.complete(store, second, now=later) is True


def test_a_stuck_publication_with_its_attempts_used_up_ends_failed(store, pub):
    now = timezone.now()
    EventPublication.objects.filter(pk=pub.pk).update(attempts=POLICY.max_attempts - 1)
    reg.claim(store, pub.pk, now=now)

    released = reg.release_stale(
        store, now=now + STALE * 2, stale_after=STALE, policy=POLICY, limit=10
    )

    assert released == []
    row = _row(pub)
    assert row.state == State.FAILED and "stopped answering" in row.last_error


def test_pending_publications_overdue_past_the_grace_are_found_again(store, pub):
    now = timezone.now()

    assert reg.due(store, now=now, grace=STALE, limit=10) == []
    assert reg.due(store, now=now + STALE * 2, grace=STALE, limit=10) == [pub.pk]
    assert reg.due(store, now=now, grace=timedelta(0), limit=10) == [pub.pk]


def test_resubmit_gives_failed_ones_a_fresh_round_and_leaves_completed_ones(store, sent):
    failed, done = _published(Burst(key="f")), _published(Burst(key="d"))
    now = timezone.now()
    EventPublication.objects.filter(pk=failed.pk).update(
        state=State.FAILED, attempts=3, last_error="E"
    )
    reg.complete(store, reg.claim(store, done.pk, now=now), now=now)

    chosen = reg.resubmit(store, ids=[failed.pk, done.pk], now=now, stale_after=STALE)

    assert chosen == [failed.pk]
    row = _row(failed)
    assert (row.state, row.attempts, row.next_attempt_at) == (State.PENDING, 0, now)
    assert _row(done).state == State.COMPLETED


def test_resubmit_all_skips_a_claim_that_is_still_fresh(store, sent):
    fresh, stuck = _published(Burst(key="a")), _published(Burst(key="b"))
    now = timezone.now()
    reg.claim(store, fresh.pk, now=now)
    _stuck(stuck, since=now - STALE * 2)

    chosen = reg.resubmit(store, ids=None, now=now, stale_after=STALE)

    assert chosen == [stuck.pk]
    assert _row(fresh).state == State.PROCESSING
    assert (_row(stuck).state, _row(stuck).attempts) == (State.PENDING, 0)


def test_purge_deletes_old_completed_publications_and_the_outbox_rows_left_unused(store, sent):
    old = _published(ThingHappened(key="old"))  # two subscribers: two publications
    new = _published(Burst(key="new"))
    now = timezone.now()
    for row in EventPublication.objects.filter(event_id=old.event_id):
        reg.complete(store, reg.claim(store, row.pk, now=now), now=now - timedelta(days=8))
    reg.complete(store, reg.claim(store, new.pk, now=now), now=now)
    OutboxEvent.objects.update(recorded_at=now - timedelta(days=9))

    deleted = reg.purge_completed(store, before=now - timedelta(days=7))

    assert deleted == (2, 1)
    assert list(EventPublication.objects.values_list("pk", flat=True)) == [new.pk]
    assert list(OutboxEvent.objects.values_list("event_id", flat=True)) == [new.event_id]


def test_counts_by_state_with_the_stale_and_the_oldest_pending(store, sent):
    a, b, c = (_published(Burst(key=k)) for k in "abc")
    now = timezone.now()
    _stuck(a, since=now - STALE * 2)
    EventPublication.objects.filter(pk=b.pk).update(state=State.FAILED)
    EventPublication.objects.filter(pk=c.pk).update(created_at=now - timedelta(seconds=90))

    counts = reg.counts(store, now=now, stale_after=STALE)

    assert counts == {
        "pending": 1,
        "processing": 1,
        "completed": 0,
        "failed": 1,
        "stale": 1,
        "oldest_pending_age_seconds": 90.0,
    }
