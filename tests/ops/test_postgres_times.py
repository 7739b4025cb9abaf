"""PostgreSQL's times read through blog_project.postgres are the ones Django's loader reads.

Run on PostgreSQL only (CI's second run); SQLite's times never pass through psycopg.
"""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connections
from psycopg.pq import Format

from blog_project.postgres import TIMESTAMPTZ_OID, _IsoTimes

pytestmark = [pytest.mark.django_db(databases="__all__"), pytest.mark.usefixtures("postgres")]

# What PostgreSQL writes (its ISO DateStyle), and what it could write at the edges.
TEXTS = [
    "2026-12-04 05:27:56.123456+00",
    "2026-12-04 05:27:56+00",
    "2026-12-04 05:27:56.5+00",
    "2026-03-29 01:30:00.000001+00",
    "2026-03-29 03:30:00+02",
    "2026-10-25 02:30:00-09:30",
    "1900-01-01 00:00:00+00:19:32",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]
REFUSED = ["infinity", "-infinity", "2026-12-04 05:27:56+00 BC", "10000-01-01 00:00:00+00"]


def _loaders():
    connection = connections["blog"]
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert issubclass(loader, _IsoTimes)  # registered when the connection was made
    django_loader = next(base for base in loader.__mro__[1:] if not issubclass(base, _IsoTimes))
    return (
        loader(TIMESTAMPTZ_OID, connection.connection),
        django_loader(TIMESTAMPTZ_OID, connection.connection),
    )


@pytest.mark.parametrize("text", TEXTS)
def test_a_time_is_read_as_djangos_loader_reads_it(text):
    iso, django = _loaders()

    read, expected = iso.load(text.encode()), django.load(text.encode())

    assert read == expected
    assert read.tzinfo is expected.tzinfo
    assert read.utcoffset() == expected.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", REFUSED)
def test_what_fromisoformat_refuses_is_what_psycopg_makes_of_it(text):
    iso, django = _loaders()

    try:
        expected = django.load(text.encode())
    except Exception as error:  # noqa: BLE001 - whichever psycopg raises, the same
        with pytest.raises(type(error)):
            iso.load(text.encode())
    else:
        assert iso.load(text.encode()) == expected


def test_times_sent_come_back_equal_and_in_utc():
    moments = [
        datetime(2026, 12, 4, 5, 27, 56, 123456, tzinfo=UTC),
        datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=2))),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    with connections["blog"].cursor() as cursor:
        for moment in moments:
            cursor.execute("SELECT %s::timestamptz", [moment])
            (read,) = cursor.fetchone()

            assert read == moment
            assert read.tzinfo is UTC
