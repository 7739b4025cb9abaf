"""kernel.sql: a context's own SQL, prepared once per connection on PostgreSQL (fetch_one),
and an INSERT that leaves out the rows a unique constraint refuses (insert_new).

CI runs this file on SQLite (run 1) and on PostgreSQL (run 2).
"""

import uuid

import pytest
from django.db import DatabaseError, connections, router
from django.test.utils import CaptureQueriesContext

from contexts.blog.models import Blog
from contexts.kernel.sql import fetch_one, insert_new
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
