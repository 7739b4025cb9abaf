"""`manage.py events`: status, failed, resubmit, purge and sweep, as an operator sees them."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from contexts.kernel.events.models import State
from contexts.kernel.events.publishing import publish
from tests.eventsapp.events import Burst
from tests.eventsapp.models import EventPublication, InboxRecord, OutboxEvent

pytestmark = pytest.mark.django_db(databases="__all__")


def events(*args: str) -> str:
    out = StringIO()
    call_command("events", *args, stdout=out)
    return out.getvalue()


def _publish(key: str, **state) -> EventPublication:
    event = Burst(key=key)
    with transaction.atomic(using="default"):
        publish(event, using="default")
    publication = EventPublication.objects.get(event_id=event.event_id)
    if state:
        EventPublication.objects.filter(pk=publication.pk).update(**state)
        publication.refresh_from_db()
    return publication


@pytest.fixture
def mixed(sent, settings):
    """One publication in each state, one of them stuck in processing for an hour."""
    settings.EVENTS_STALE_AFTER_SECONDS = 300
    now = timezone.now()
    return {
        "pending": _publish("p", created_at=now - timedelta(seconds=120)),
        "stuck": _publish("s", state=State.PROCESSING, claimed_at=now - timedelta(hours=1)),
        "done": _publish("c", state=State.COMPLETED, completed_at=now - timedelta(days=10)),
        "failed": _publish(
            "f", state=State.FAILED, attempts=10, last_error="RuntimeError: no\n\nTraceback..."
        ),
    }


def test_status_as_json_counts_each_state_per_alias_with_stale_and_oldest_pending(mixed):
    report = json.loads(events("status", "--json"))

    row = report["aliases"]["default"]
    assert {k: row[k] for k in ("pending", "processing", "completed", "failed", "stale")} == {
        "pending": 1,
        "processing": 1,
        "completed": 1,
        "failed": 1,
        "stale": 1,
    }
    assert 120 <= row["oldest_pending_age_seconds"] < 180
    assert report["total"]["failed"] == 1
    assert report["stale_after_seconds"] == 300


def test_status_as_a_table(mixed):
    output = events("status")

    assert "pending" in output and "stale" in output
    default_row = next(line for line in output.splitlines() if line.startswith("default"))
    assert default_row.split()[1:6] == ["1", "1", "1", "1", "1"]


def test_status_of_an_unknown_alias_is_an_error():
    with pytest.raises(CommandError, match="no outbox in alias 'nowhere'"):
        events("status", "--alias", "nowhere")


def test_failed_lists_each_failed_publication_with_its_error(mixed):
    output = events("failed")

    ref = f"default:{mixed['failed'].pk}"
    assert ref in output
    assert "eventsapp.Burst.v1" in output
    assert "tests.eventsapp.handlers.record_burst after 10 attempt(s): RuntimeError: no" in output
    assert f"default:{mixed['pending'].pk}" not in output


def test_failed_as_json_keeps_the_whole_error(mixed):
    (row,) = json.loads(events("failed", "--json"))

    assert row["ref"] == f"default:{mixed['failed'].pk}"
    assert row["error"] == "RuntimeError: no\n\nTraceback..."
    assert row["attempts"] == 10


def test_failed_when_there_is_none_says_so(sent):
    assert events("failed") == "No failed publications.\n"


def test_resubmit_by_reference_sends_it_again_with_fresh_attempts(mixed, sent):
    failed = mixed["failed"]

    output = events("resubmit", f"default:{failed.pk}")

    assert f"resubmitted default: {failed.pk}" in output
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (State.PENDING, 0)
    assert sent.ids() == [failed.pk]


def test_resubmit_accepts_a_bare_id_with_the_alias_named(mixed, sent):
    events("resubmit", "--alias", "default", str(mixed["failed"].pk))

    assert sent.ids() == [mixed["failed"].pk]


def test_resubmit_refuses_a_bare_id_when_several_aliases_have_an_outbox(mixed, sent):
    with pytest.raises(CommandError, match="say which alias"):
        events("resubmit", str(mixed["failed"].pk))

    assert sent.ids() == []


def test_resubmit_all_takes_failed_stale_and_waiting_ones_but_not_completed(mixed, sent):
    output = events("resubmit", "--all")

    expected = sorted(mixed[k].pk for k in ("pending", "stuck", "failed"))
    assert sorted(sent.ids()) == expected
    assert "3 publication(s) resubmitted." in output
    assert EventPublication.objects.get(pk=mixed["done"].pk).state == State.COMPLETED


def test_resubmit_refuses_a_completed_or_unknown_publication_by_name(mixed, sent):
    with pytest.raises(CommandError, match=f"default:{mixed['done'].pk}, default:999999"):
        events("resubmit", f"default:{mixed['done'].pk}", "default:999999")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "or --all"),
        (("--all", "default:1"), "or --all"),
        (("elsewhere:1",), "no outbox in alias 'elsewhere'"),
        (("default:one",), "must be a number"),
    ],
)
def test_resubmit_with_bad_arguments_explains(sent, args, message):
    with pytest.raises(CommandError, match=message):
        events("resubmit", *args)


def test_purge_deletes_completed_publications_older_than_a_duration(mixed):
    OutboxEvent.objects.update(recorded_at=timezone.now() - timedelta(days=10))
    InboxRecord.objects.create(event_id=mixed["done"].event_id, subscriber="x")
    InboxRecord.objects.update(processed_at=timezone.now() - timedelta(days=10))

    output = events("purge", "--completed-before", "7d")

    assert "default: 1 completed publication(s), 1 outbox event(s), 1 inbox row(s)" in output
    assert not EventPublication.objects.filter(pk=mixed["done"].pk).exists()
    assert EventPublication.objects.count() == 3


def test_purge_with_an_iso_datetime_keeps_what_completed_after_it(mixed):
    cutoff = (timezone.now() - timedelta(days=11)).replace(tzinfo=None).isoformat()

    output = events("purge", "--completed-before", cutoff)

    assert "default: 0 completed publication(s)" in output
    assert EventPublication.objects.count() == 4


@pytest.mark.parametrize("value", ["yesterday", "7 parsecs", "2024-13-45"])
def test_purge_with_an_unreadable_moment_explains(sent, value):
    with pytest.raises(CommandError, match="neither an ISO datetime nor a duration"):
        events("purge", "--completed-before", value)


def test_sweep_sends_again_what_was_left_behind(mixed, sent):
    output = events("sweep")

    assert sent.ids() == [mixed["stuck"].pk]
    assert output == "1 publication(s) sent again.\n"
    assert EventPublication.objects.get(pk=mixed["stuck"].pk).state == State.PENDING
