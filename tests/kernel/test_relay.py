"""The producer's relay: due outbox rows go to the transport, and the outbox records how it went."""

import random
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from contexts.kernel.events import relay
from contexts.kernel.events.config import events_config
from contexts.kernel.events.models import RelayState
from contexts.kernel.events.publishing import publish
from contexts.kernel.retry import RetryPolicy
from tests.eventsapp.events import Burst

pytestmark = pytest.mark.django_db(databases="__all__")

POLICY = RetryPolicy(max_attempts=3, base_seconds=2, cap_seconds=60, jitter=0)


class Recording:
    """A transport that keeps what it was handed, or fails while `failing` says so."""

    def __init__(self, failing: bool = False):
        self.sent: list = []
        self.failing = failing

    def send(self, envelopes):
        if self.failing:
            raise ConnectionError("broker down")
        self.sent.extend(envelopes)


def _publish(*keys: str) -> list:
    with transaction.atomic(using="default"):
        events = [Burst(key=key) for key in keys]
        for event in events:
            publish(event, using="default")
    return events


def test_due_rows_go_out_oldest_first_as_envelopes_and_are_marked_sent(producer, held):
    events = _publish("a", "b", "c")
    transport = Recording()
    now = timezone.now()

    result = relay.relay_once(producer, transport, policy=POLICY, limit=10, now=now)

    assert [envelope.event_id for envelope in transport.sent] == [e.event_id for e in events]
    first = transport.sent[0]
    assert (first.type_name, first.producer, first.payload["key"]) == (
        "eventsapp.Burst.v1",
        "eventsapp",
        "a",
    )
    assert len(result.sent) == 3
    rows = list(producer.rows.order_by("pk"))
    assert {(row.state, row.attempts) for row in rows} == {(RelayState.SENT, 1)}
    assert all(row.sent_at == now for row in rows)
    # Sent once: a second pass finds nothing to do.
    assert relay.relay_once(producer, transport, policy=POLICY, limit=10, now=now).sent == []


def test_a_pass_takes_at_most_its_limit(producer, held):
    _publish("a", "b", "c")

    result = relay.relay_once(producer, Recording(), policy=POLICY, limit=2, now=timezone.now())

    assert len(result.sent) == 2
    assert producer.rows.filter(state=RelayState.PENDING).count() == 1


def test_a_failed_send_keeps_the_rows_pending_with_the_error_and_a_backoff(producer, held):
    _publish("a")
    now = timezone.now()

    result = relay.relay_once(producer, Recording(failing=True), policy=POLICY, limit=10, now=now)

    row = producer.rows.get()
    assert result.failed == [row.pk]
    assert (row.state, row.attempts) == (RelayState.PENDING, 1)
    assert row.last_error.startswith("ConnectionError: broker down")
    assert row.next_attempt_at == now + timedelta(seconds=2)
    # Not due before its backoff ends.
    assert relay.relay_once(producer, Recording(), policy=POLICY, limit=10, now=now).sent == []


def test_sending_that_keeps_failing_ends_failed_and_resubmit_sends_it_again(producer, held):
    _publish("a")
    now = timezone.now()
    for attempt in range(POLICY.max_attempts):
        later = now + timedelta(hours=attempt)
        relay.relay_once(
            producer, Recording(failing=True), policy=POLICY, limit=10, now=later,
            rng=random.Random(1),
        )  # fmt: skip

    row = producer.rows.get()
    assert (row.state, row.attempts) == (RelayState.FAILED, POLICY.max_attempts)

    assert relay.resubmit(producer, ids=None, now=now) == [row.pk]
    transport = Recording()
    assert relay.relay_once(producer, transport, policy=POLICY, limit=10, now=now).sent == [row.pk]
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (RelayState.SENT, 1, "")


def test_resubmit_leaves_sent_rows_alone(producer, held):
    _publish("a")
    relay.relay_once(producer, Recording(), policy=POLICY, limit=10, now=timezone.now())

    assert relay.resubmit(producer, ids=None, now=timezone.now()) == []
    assert producer.rows.get().state == RelayState.SENT


def test_purge_deletes_rows_sent_before_the_moment_only(producer, held):
    _publish("old", "new")
    now = timezone.now()
    relay.relay_once(producer, Recording(), policy=POLICY, limit=10, now=now)
    producer.rows.filter(payload__key="old").update(sent_at=now - timedelta(days=8))
    _publish("pending")

    deleted = relay.purge(producer, before=now - timedelta(days=7))

    assert deleted == 1
    assert sorted(producer.rows.values_list("payload__key", flat=True)) == ["new", "pending"]


def test_the_configured_batch_and_policy_come_from_settings(settings):
    settings.EVENTS_BATCH = 7
    settings.EVENTS_LEASE_SECONDS = 3

    config = events_config()

    assert (config.batch, config.lease) == (7, timedelta(seconds=3))
