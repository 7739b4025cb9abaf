"""`manage.py events`: status, failed, resubmit, purge and sweep, as an operator sees them."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from contexts.kernel.events import dispatch
from contexts.kernel.events.models import InboxState, RelayState
from contexts.kernel.events.publishing import publish
from tests.events import relay_here
from tests.eventsapp.events import Burst
from tests.eventsapp.models import Effect, InboxRecord, OutboxEvent

pytestmark = pytest.mark.django_db(databases="__all__")


def events(*args: str) -> str:
    out = StringIO()
    call_command("events", *args, stdout=out)
    return out.getvalue()


def _publish(*keys: str) -> None:
    with transaction.atomic(using="default"):
        for key in keys:
            publish(Burst(key=key), using="default")


@pytest.fixture
def mixed(held):
    """The test app's outbox and inbox with a row in each state.

    Outbox: one pending (for two minutes), one failed, four sent. Inbox: one pending, one
    held by a live worker, one completed ten days ago, one failed.
    """
    now = timezone.now()
    _publish("ip", "ih", "ic", "if")
    relay_here("eventsapp")
    _publish("op", "of")
    OutboxEvent.objects.filter(payload__key="op").update(recorded_at=now - timedelta(minutes=2))
    OutboxEvent.objects.filter(payload__key="of").update(
        state=RelayState.FAILED, attempts=10, last_error="ConnectionError: down\n\nTraceback..."
    )
    inbox = {row.payload["key"]: row for row in InboxRecord.objects.all()}
    InboxRecord.objects.filter(pk=inbox["ih"].pk).update(
        claim_token="00000000-0000-0000-0000-000000000001",
        next_attempt_at=now + timedelta(seconds=30),
    )
    InboxRecord.objects.filter(pk=inbox["ic"].pk).update(
        state=InboxState.COMPLETED, completed_at=now - timedelta(days=10)
    )
    InboxRecord.objects.filter(pk=inbox["if"].pk).update(
        state=InboxState.FAILED, attempts=10, last_error="RuntimeError: no\n\nTraceback..."
    )
    return {
        "outbox_failed": OutboxEvent.objects.get(payload__key="of"),
        "inbox_failed": InboxRecord.objects.get(pk=inbox["if"].pk),
        "inbox_done": InboxRecord.objects.get(pk=inbox["ic"].pk),
        "inbox_held": InboxRecord.objects.get(pk=inbox["ih"].pk),
    }


def test_status_as_json_counts_both_sides_per_context_with_the_oldest_pending(mixed):
    report = json.loads(events("status", "--json"))

    outbox, inbox = report["outbox"]["eventsapp"], report["inbox"]["eventsapp"]
    assert {key: outbox[key] for key in ("pending", "sent", "failed")} == {
        "pending": 1,
        "sent": 4,
        "failed": 1,
    }
    assert 119 < outbox["oldest_pending_age_seconds"] < 600
    assert {key: inbox[key] for key in ("pending", "in_flight", "completed", "failed")} == {
        "pending": 1,
        "in_flight": 1,
        "completed": 1,
        "failed": 1,
    }
    # The real contexts are there too: accounts and blog publish, the blog consumes.
    assert {"accounts", "blog"} <= set(report["outbox"])
    assert "blog" in report["inbox"]
    assert report["total"]["outbox"]["failed"] == 1


def test_status_as_a_table(mixed):
    out = events("status")

    assert "outbox" in out and "inbox" in out and "in_flight" in out
    assert "eventsapp" in out


def test_status_of_an_unknown_context_is_an_error():
    with pytest.raises(CommandError, match="no such context here: 'nowhere'"):
        events("status", "--context", "nowhere")


def test_failed_lists_failed_rows_of_both_sides_with_their_first_error_line(mixed):
    out = events("failed")

    assert f"outbox:eventsapp:{mixed['outbox_failed'].pk}" in out
    assert "not sent to the broker after 10 attempt(s): ConnectionError: down" in out
    assert f"inbox:eventsapp:{mixed['inbox_failed'].pk}" in out
    assert "by tests.eventsapp.handlers.record_burst after 10 attempt(s): RuntimeError: no" in out
    assert "Traceback" not in out


def test_failed_as_json_keeps_the_whole_error(mixed):
    rows = json.loads(events("failed", "--json"))

    assert {row["side"] for row in rows} == {"outbox", "inbox"}
    assert all("Traceback" in row["error"] for row in rows)


def test_failed_when_there_is_none_says_so(held):
    assert "No failed events." in events("failed")


def test_resubmit_by_reference_takes_it_up_again_with_fresh_attempts(mixed):
    ref = f"inbox:eventsapp:{mixed['inbox_failed'].pk}"

    out = events("resubmit", ref)

    assert f"resubmitted {ref}" in out
    row = InboxRecord.objects.get(pk=mixed["inbox_failed"].pk)
    assert (row.state, row.attempts) == (InboxState.PENDING, 0)


def test_resubmit_all_takes_failed_and_waiting_rows_but_not_done_or_held_ones(mixed):
    out = events("resubmit", "--all", "--context", "eventsapp")

    assert "4 row(s) resubmitted." in out  # outbox: pending, failed; inbox: pending, failed
    assert InboxRecord.objects.get(pk=mixed["inbox_done"].pk).state == InboxState.COMPLETED
    assert InboxRecord.objects.get(pk=mixed["inbox_held"].pk).claim_token is not None


def test_resubmit_refuses_a_done_or_unknown_row_by_name(mixed):
    done = f"inbox:eventsapp:{mixed['inbox_done'].pk}"
    with pytest.raises(CommandError, match=f"not resubmitted.*{done}"):
        events("resubmit", done)
    with pytest.raises(CommandError, match="no inbox of context 'nowhere'"):
        events("resubmit", "inbox:nowhere:1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give row references"),
        (("--all", "inbox:eventsapp:1"), "give row references"),
        (("eventsapp:1",), "write outbox:<context>:<id>"),
        (("inbox:eventsapp:1", "--context", "eventsapp"), "--context goes with --all"),
    ],
)
def test_resubmit_with_bad_arguments_explains(held, args, message):
    with pytest.raises(CommandError, match=message):
        events("resubmit", *args)


def test_purge_deletes_done_rows_older_than_a_duration(mixed):
    out = events("purge", "--completed-before", "7d")

    assert "eventsapp: 0 sent outbox row(s), 1 completed inbox row(s) deleted" in out
    assert not InboxRecord.objects.filter(pk=mixed["inbox_done"].pk).exists()
    assert OutboxEvent.objects.filter(state=RelayState.SENT).count() == 4


def test_purge_with_an_iso_datetime(mixed):
    events("purge", "--completed-before", (timezone.now() + timedelta(days=1)).isoformat())

    assert not OutboxEvent.objects.filter(state=RelayState.SENT).exists()
    assert not InboxRecord.objects.filter(state=InboxState.COMPLETED).exists()
    assert OutboxEvent.objects.filter(state=RelayState.PENDING).exists()


@pytest.mark.parametrize("value", ["soon", "7 parsecs", "2026-13-45"])
def test_purge_with_an_unreadable_moment_explains(held, value):
    with pytest.raises(CommandError, match="neither an ISO datetime nor a duration"):
        events("purge", "--completed-before", value)


def test_sweep_relays_what_was_left_and_applies_what_is_due(mixed, monkeypatch):
    monkeypatch.setattr(dispatch, "is_eager", lambda: True)  # no broker: in this process

    out = events("sweep")

    assert "1 event(s) relayed" in out  # the pending one (the failed one waits for resubmit)
    assert Effect.objects.filter(key__in=["op", "ip"]).count() == 2
    assert not Effect.objects.filter(key="ih").exists()  # held by a live worker
