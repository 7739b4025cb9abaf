"""Outbox rows held back to travel with a use case's last statements (relay.rows_held).

On PostgreSQL the INSERTs of the rows published inside the block go in one round trip
with the statements given to `send_with` (or at the block's end); the rows are the ones
publish() writes at once, and a block that fails leaves its transaction to roll back.
Anywhere else nothing is held: the rows are written at once, as always.
"""

import pytest
from django.db import ProgrammingError, connections, transaction
from django.test.utils import CaptureQueriesContext

from contexts.kernel.events.publishing import publish, rows_held
from tests.eventsapp.events import ThingHappened
from tests.eventsapp.models import OutboxEvent, Thing

pytestmark = [pytest.mark.django_db(databases="__all__"), pytest.mark.usefixtures("held")]

# What one outbox row says, whoever wrote it (its ids and times are its own).
SAID = ("type_name", "payload", "headers", "state", "attempts", "last_error")


class Boom(Exception):
    pass


def _said(row: OutboxEvent) -> dict:
    said = {name: getattr(row, name) for name in SAID}
    said["payload"] = {k: v for k, v in row.payload.items() if k not in ("event_id", "occurred_at")}
    return said


def _touch_sql() -> str:
    table = connections["default"].ops.quote_name(Thing._meta.db_table)
    return f"UPDATE {table} SET key = %s WHERE key = %s"  # noqa: S608 (a name from meta)


@pytest.mark.usefixtures("postgres")
def test_held_rows_are_written_with_the_statements_sent_after_them_as_publish_writes_them():
    Thing.objects.create(key="k")
    with transaction.atomic(using="default"):
        publish(ThingHappened(key="k", tags=["a"]), using="default")  # written at once
        with rows_held("default") as outbox:
            assert outbox is not None
            publish(ThingHappened(key="k", tags=["a"]), using="default")
            assert OutboxEvent.objects.count() == 1  # held back so far
            counts = outbox.send_with([(_touch_sql(), ["k2", "k"]), (_touch_sql(), ["x", "none"])])

    assert counts == [1, 0]
    first, held = OutboxEvent.objects.order_by("id")
    assert _said(held) == _said(first)
    assert held.event_id != first.event_id
    assert Thing.objects.get().key == "k2"


@pytest.mark.usefixtures("postgres")
def test_rows_still_held_at_the_blocks_end_are_written_then():
    with transaction.atomic(using="default"), rows_held("default") as outbox:
        assert outbox is not None
        publish(ThingHappened(key="k"), using="default")
        publish(ThingHappened(key="l"), using="default")

    assert sorted(row.payload["key"] for row in OutboxEvent.objects.all()) == ["k", "l"]


@pytest.mark.usefixtures("postgres")
def test_a_block_that_fails_leaves_its_transaction_to_roll_back():
    with transaction.atomic(using="default"):
        Thing.objects.create(key="k")
        with pytest.raises(Boom), rows_held("default"):
            publish(ThingHappened(key="k"), using="default")
            raise Boom  # caught here, inside the transaction: it must not commit anyway

    assert not Thing.objects.exists()
    assert not OutboxEvent.objects.exists()


@pytest.mark.usefixtures("postgres")
def test_a_failing_statement_comes_out_as_djangos_error_and_nothing_commits():
    with (
        pytest.raises(ProgrammingError),
        transaction.atomic(using="default"),
        rows_held("default") as outbox,
    ):
        assert outbox is not None
        publish(ThingHappened(key="k"), using="default")
        outbox.send_with([("UPDATE no_such_table SET x = %s", [1])])

    assert not OutboxEvent.objects.exists()


def test_nothing_is_held_inside_another_block():
    with transaction.atomic(using="default"), rows_held("default") as outer:
        with rows_held("default") as inner:
            assert inner is None
            publish(ThingHappened(key="k"), using="default")
        if outer is not None:  # PostgreSQL: the outer block holds the row
            assert not OutboxEvent.objects.exists()

    assert OutboxEvent.objects.count() == 1


def test_a_connection_that_logs_its_queries_writes_each_row_at_once():
    connection = connections["default"]
    with (
        CaptureQueriesContext(connection) as logged,
        transaction.atomic(using="default"),
        rows_held("default") as outbox,
    ):
        assert outbox is None
        publish(ThingHappened(key="k"), using="default")
        assert OutboxEvent.objects.count() == 1  # written at once

    assert logged.captured_queries  # the test's own count is seen


def test_on_sqlite_nothing_is_held():
    if connections["default"].vendor == "postgresql":
        pytest.skip("SQLite's answer")
    with transaction.atomic(using="default"), rows_held("default") as outbox:
        assert outbox is None
        publish(ThingHappened(key="k"), using="default")
        assert OutboxEvent.objects.count() == 1
