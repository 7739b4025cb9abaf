"""kernel.sql: a context's own SQL, prepared once per connection on PostgreSQL (fetch_one),
and an INSERT that leaves out the rows a unique constraint refuses (insert_new).

CI runs this file on SQLite (run 1) and on PostgreSQL (run 2).
"""

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contexts.blog.models import Blog, Entry, OutboxEvent, PageVersion
from contexts.kernel.events.models import RelayState
from contexts.kernel.sql import (
    fetch_all,
    fetch_one,
    insert_new,
    insert_statement,
    values_for_saving,
)
from tests.eventsapp.models import InboxRecord

pytestmark = pytest.mark.django_db(databases="__all__")

VERSION_SQL = "SELECT version FROM blog_pageversion WHERE id = %s"


def _alias() -> str:
    return router.db_for_read(Blog)


def test_it_answers_the_first_row_or_none():
    version = fetch_one(_alias(), VERSION_SQL, [1])
    assert version is not None and len(version[0]) > 0
    assert fetch_one(_alias(), VERSION_SQL, [2]) is None


@pytest.mark.usefixtures("postgres")
def test_on_postgresql_the_statement_is_prepared_once_on_the_connection():
    connection = connections[_alias()]
    fetch_one(_alias(), VERSION_SQL, [1])
    fetch_one(_alias(), VERSION_SQL, [2])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT version FROM blog_pageversion WHERE id = $1%"],
        )
        assert cursor.fetchone() == (1,)


def test_a_connection_that_logs_its_queries_sees_the_statement():
    with CaptureQueriesContext(connections[_alias()]) as captured:
        fetch_one(_alias(), VERSION_SQL, [1])
    assert [query["sql"] for query in captured] == [
        "SELECT version FROM blog_pageversion WHERE id = 1"
    ]


def test_errors_come_out_as_djangos():
    with pytest.raises(DatabaseError):
        fetch_one(_alias(), "SELECT nothing FROM no_such_table WHERE id = %s", [1])


# Outside a transaction (autocommit, as the page cache reads the version) a statement goes
# to libpq under a name of its own. pytest-django wraps the tests above in a transaction:
# these run without one.
# One row whatever the table holds (these tests empty it): the row count plus the parameter.
ECHO_SQL = "SELECT count(*) + %s FROM blog_pageversion"
OWN_PREPARED = "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'kernel_sql_%%'"


def _own_prepared() -> int:
    with connections[_alias()].cursor() as cursor:
        cursor.execute(OWN_PREPARED)
        return cursor.fetchone()[0]


@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(databases="__all__", transaction=True)
def test_outside_a_transaction_it_answers_as_inside_one_and_prepares_once():
    # Tests before this one may have emptied the table (transaction=True flushes it).
    PageVersion.objects.update_or_create(
        pk=1, defaults={"version": "v1", "changed_at": timezone.now()}
    )
    with transaction.atomic(using=_alias()):
        inside = fetch_one(
            _alias(), "SELECT version, changed_at FROM blog_pageversion WHERE id = %s", [1]
        )
    outside = fetch_one(
        _alias(), "SELECT version, changed_at FROM blog_pageversion WHERE id = %s", [1]
    )
    assert outside == inside and outside is not None
    assert outside[1].tzinfo is not None  # loaded as psycopg loads it: an aware datetime
    assert fetch_one(_alias(), VERSION_SQL, [2]) is None
    rows = fetch_one(_alias(), ECHO_SQL, [0])[0]
    prepared = _own_prepared()
    assert fetch_one(_alias(), ECHO_SQL, [5]) == (rows + 5,)
    assert fetch_one(_alias(), ECHO_SQL, [7]) == (rows + 7,)
    assert _own_prepared() == prepared  # executed again, not prepared again


# Three rows whatever the tables hold: 1, 2, 3 plus the parameter, with a time beside each.
SERIES_SQL = "SELECT n + %s, now() FROM generate_series(1, 3) AS n ORDER BY n"


@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(databases="__all__", transaction=True)
def test_every_row_comes_outside_a_transaction_as_inside_one_and_through_djangos_cursor():
    outside = fetch_all(_alias(), SERIES_SQL, [10])
    with transaction.atomic(using=_alias()):
        inside = fetch_all(_alias(), SERIES_SQL, [10])
    with CaptureQueriesContext(connections[_alias()]) as logged:
        through_django = fetch_all(_alias(), SERIES_SQL, [10])

    assert len(logged.captured_queries) == 1
    for rows in (outside, inside, through_django):
        assert [row[0] for row in rows] == [11, 12, 13]
        assert all(row[1].tzinfo is not None for row in rows)  # as psycopg loads them
    assert fetch_all(_alias(), VERSION_SQL, [2]) == []
    assert fetch_one(_alias(), SERIES_SQL, [0])[0] == 1  # the first row only


@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(databases="__all__", transaction=True)
def test_a_statement_deallocated_behind_its_back_is_prepared_again():
    # psycopg sends DEALLOCATE ALL after a rollback once it has prepared statements of
    # its own: the next read must not fail for want of its statement.
    expected = fetch_one(_alias(), ECHO_SQL, [1])
    assert expected is not None
    with connections[_alias()].cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert _own_prepared() == 0
    assert fetch_one(_alias(), ECHO_SQL, [1]) == expected
    assert _own_prepared() == 1


@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(databases="__all__", transaction=True)
def test_outside_a_transaction_errors_come_out_as_djangos_and_the_connection_goes_on():
    with pytest.raises(DatabaseError, match="no_such_table"):
        fetch_one(_alias(), "SELECT nothing FROM no_such_table WHERE id = %s", [1])
    with pytest.raises(DatabaseError, match="invalid input syntax"):
        fetch_one(_alias(), ECHO_SQL, ["one"])
    assert fetch_one(_alias(), ECHO_SQL, [1]) is not None


@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(databases="__all__", transaction=True)
def test_a_connection_the_server_dropped_fails_as_djangos_and_is_replaced():
    connection = connections[_alias()]
    fetch_one(_alias(), ECHO_SQL, [1])
    pid = connection.connection.info.backend_pid
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    with pytest.raises(DatabaseError):
        fetch_one(_alias(), ECHO_SQL, [1])
    # As after any error, Django finds the connection unusable at the request's end.
    connection.close_if_unusable_or_obsolete()
    assert fetch_one(_alias(), ECHO_SQL, [1]) is not None


def test_insert_new_leaves_out_the_rows_a_unique_constraint_refuses():
    event_id = uuid.uuid4()
    kept = InboxRecord.objects.create(
        event_id=event_id, subscriber="a", type_name="t", payload={"seen": "first"}
    )
    rows = [
        InboxRecord(event_id=event_id, subscriber=name, type_name="t", payload={"n": name})
        for name in ("a", "b")
    ]

    inserted = insert_new("default", rows, returning=("event_id", "subscriber"))

    assert inserted == [(event_id, "b")]
    kept.refresh_from_db()
    assert kept.payload == {"seen": "first"}
    assert InboxRecord.objects.get(subscriber="b").payload == {"n": "b"}


# values_for_saving: plain values as they are, everything else through get_db_prep_save.
PLAIN_VALUES: list[object] = [
    None,
    "",
    "text",
    "ünïcode ✓\n\t",
    "\x00",
    0,
    -1,
    7,
    2**40,
    True,
    False,
    1.5,
    datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, 15, tzinfo=ZoneInfo("Europe/Paris")),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "12345678-1234-5678-1234-567812345678",
    {"a": [1, "b"]},
    [],
    RelayState.PENDING,
]


def _prepared_by_django(model, connection, values):
    _, fields = insert_statement(model, connection)
    return [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values, strict=True)
    ]


def _same(found, expected) -> bool:
    # Jsonb wrappers compare by what they wrap; everything else by value and type.
    if hasattr(expected, "obj") and type(found) is type(expected):
        return found.obj == expected.obj
    return type(found) is type(expected) and found == expected


@pytest.mark.parametrize("model", [Entry, OutboxEvent, InboxRecord])
def test_values_for_saving_are_what_get_db_prep_save_makes(model):
    connection = connections[router.db_for_write(model)]
    _, fields = insert_statement(model, connection)
    others = [field.get_default() if field.has_default() else None for field in fields]
    for index, field in enumerate(fields):
        for value in PLAIN_VALUES:
            values = [*others[:index], value, *others[index + 1 :]]
            try:
                expected = field.get_db_prep_save(value, connection)
            except Exception as exc:  # noqa: BLE001  (then it must refuse it alike)
                with pytest.raises(type(exc)):
                    values_for_saving(model, connection, values)
                continue
            found = values_for_saving(model, connection, values)[index]
            assert _same(found, expected), (field.name, value, found, expected)


def test_a_naive_time_is_warned_about_and_made_aware_as_get_db_prep_save_does():
    connection = connections[router.db_for_write(Entry)]
    _, fields = insert_statement(Entry, connection)
    naive = datetime(2026, 3, 29, 1, 30, 15)
    values = [naive if field.name == "created_at" else field.get_default() for field in fields]
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        found = values_for_saving(Entry, connection, values)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        expected = _prepared_by_django(Entry, connection, values)
    assert [_same(got, wanted) for got, wanted in zip(found, expected, strict=True)] == [
        True
    ] * len(fields)
