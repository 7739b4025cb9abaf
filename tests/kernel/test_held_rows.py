"""Outbox rows held back to travel with a use case's last statements (relay.rows_held).

On PostgreSQL the INSERTs of the rows published inside the block go in one round trip
with the statements given to `send_with` (or at the block's end); the rows are the ones
publish() writes at once, and a block that fails leaves its transaction to roll back.
Anywhere else nothing is held: the rows are written at once, as always.
"""

import pytest
from django.db import ProgrammingError, connections, transaction
from django.test.utils import CaptureQueriesContext

from contexts.kernel.events import dispatch
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
@pytest.mark.parametrize(
    "send",
    [
        lambda outbox: outbox.send_with([("UPDATE no_such_table SET x = %s", [1])]),
        lambda outbox: outbox.fetch_with(
            "WITH x AS (UPDATE no_such_table SET x = %s) SELECT 1", [1]
        ),
    ],
    ids=["send_with", "fetch_with"],
)
def test_a_failing_statement_comes_out_as_djangos_error_and_nothing_commits(send):
    with (
        pytest.raises(ProgrammingError),
        transaction.atomic(using="default"),
        rows_held("default") as outbox,
    ):
        assert outbox is not None
        publish(ThingHappened(key="k"), using="default")
        send(outbox)

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


def _touch_with_sql() -> str:
    table = connections["default"].ops.quote_name(Thing._meta.db_table)
    return (
        f"WITH touched AS (UPDATE {table} SET key = %s WHERE key = %s RETURNING 1)"  # noqa: S608
        " SELECT count(*) + %s FROM touched"
    )


@pytest.mark.usefixtures("postgres")
def test_held_rows_go_in_one_statement_with_fetch_with_in_order_as_publish_writes_them():
    Thing.objects.create(key="k")
    with transaction.atomic(using="default"):
        publish(ThingHappened(key="k", tags=["a"]), using="default")  # written at once
        with rows_held("default") as outbox:
            assert outbox is not None
            for number in range(3):
                publish(ThingHappened(key=f"k{number}", tags=["a"]), using="default")
            assert OutboxEvent.objects.count() == 1  # held back so far
            row = outbox.fetch_with(_touch_with_sql(), ["k2", "k", 10])
            assert outbox.statements == []  # sent: the block's end sends nothing more

    assert row == (11,)
    first, *held = OutboxEvent.objects.order_by("id")
    assert [item.payload["key"] for item in held] == ["k0", "k1", "k2"]  # recorded order
    for item in held:
        expected = _said(first)
        expected["payload"] = {**expected["payload"], "key": item.payload["key"]}
        assert _said(item) == expected
        assert item.event_id != first.event_id
    assert Thing.objects.get().key == "k2"


@pytest.mark.usefixtures("postgres")
def test_fetch_with_and_no_rows_held_sends_the_statement_alone():
    Thing.objects.create(key="k")
    with transaction.atomic(using="default"), rows_held("default") as outbox:
        assert outbox is not None
        assert outbox.fetch_with(_touch_with_sql(), ["x", "none", 0]) == (0,)

    assert not OutboxEvent.objects.exists()
    assert Thing.objects.get().key == "k"


@pytest.mark.usefixtures("postgres")
def test_fetch_with_takes_only_a_statement_that_begins_with_with():
    with transaction.atomic(using="default"), rows_held("default") as outbox:
        assert outbox is not None
        with pytest.raises(ValueError, match="WITH"):
            outbox.fetch_with("SELECT %s", [1])


@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_rows_sent_with_fetch_with_wake_the_relay_on_commit():
    # The outbox's trigger fires for an INSERT inside a WITH as for one alone.
    Thing.objects.create(key="k")
    listener = connections.create_connection("default")
    listener.ensure_connection()
    listener.connection.autocommit = True
    listener.connection.execute(f"LISTEN {dispatch.NOTIFY_CHANNEL}")
    try:
        with transaction.atomic(using="default"), rows_held("default") as outbox:
            assert outbox is not None
            publish(ThingHappened(key="k"), using="default")
            assert outbox.fetch_with(_touch_with_sql(), ["k2", "k", 0]) == (1,)
        heard = list(listener.connection.notifies(timeout=2, stop_after=1))
    finally:
        listener.close()

    assert [note.payload for note in heard] == ["public"]
    assert OutboxEvent.objects.count() == 1
