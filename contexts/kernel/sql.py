"""Statements of a context's own SQL, sent with the least work on the way.

On PostgreSQL a statement goes through psycopg's own cursor, prepared on the connection
the first time it is sent (parsed and planned once, then only executed: the server binds
the parameters), as the outbox's insert does (events.relay). Django's cursor instead
writes every value into the SQL text on the client and has the server parse and plan each
time: for a statement run on every request, such as the public pages' version, that was
a third of its cost. When the connection logs its queries (DEBUG, or a test counting
them), the statement goes through Django's cursor, so that it is seen.

Outside a transaction (the page cache's version read on every anonymous request) it goes
lower still: straight to libpq, prepared under a name of our own and executed in one C
call, its rows loaded by loaders chosen once per statement and connection. psycopg's
cursor spent 70 us of Python on such a read, which libpq answers in 20.
psycopg may drop every statement the connection has prepared (DEALLOCATE ALL, after a
rollback): one of ours found missing is prepared and sent again, which is safe only
outside a transaction. Inside one, a statement goes through the cursor as before.
"""

import itertools
import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer


def fetch_one(alias: str, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    """Run `sql` with `params` on the database `alias`; return its first row, or None."""
    rows = _fetch(alias, sql, params, first=True)
    return rows[0] if rows else None


def fetch_all(alias: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run `sql` with `params` on the database `alias`; return its rows (as fetch_one)."""
    return _fetch(alias, sql, params, first=False)


def _fetch(alias: str, sql: str, params: Sequence[Any], *, first: bool) -> list[tuple[Any, ...]]:
    connection = connections[alias]
    if connection.vendor == "postgresql" and not connection.queries_logged:
        connection.ensure_connection()
        # Errors come out as Django's (DatabaseError, ...), marking the connection as
        # Django's own cursor would.
        with connection.wrap_database_errors:
            native = connection.connection
            if (
                native.autocommit
                and native.prepare_threshold is not None
                and native.pgconn.transaction_status == pq.TransactionStatus.IDLE
            ):
                return _fetch_prepared(native, sql, params, first=first)
            with psycopg.Cursor(native) as cursor:
                cursor.execute(sql, params, prepare=True)
                if first:
                    row = cursor.fetchone()
                    return [] if row is None else [row]
                return cursor.fetchall()
    with connection.cursor() as django_cursor:
        django_cursor.execute(sql, params)
        if first:
            found: tuple[Any, ...] | None = django_cursor.fetchone()
            return [] if found is None else [found]
        rows: list[tuple[Any, ...]] = django_cursor.fetchall()
        return rows


def execute_together(alias: str, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[int]:
    """Run `statements` (SQL, params) in order inside the current transaction of `alias`;
    return each one's row count.

    On PostgreSQL they go in one round trip (psycopg's pipeline mode: none waits for the
    answer to the one before), each prepared once per connection. An error of any of
    them is raised (as Django's) once all were sent; the ones after it did nothing, and
    the transaction must roll back. Elsewhere, or when the connection logs its queries,
    they go one by one through Django's cursor.
    """
    connection = connections[alias]
    if not connection.in_atomic_block:
        raise RuntimeError("execute_together() runs inside transaction.atomic()")
    if connection.vendor == "postgresql" and not connection.queries_logged:
        connection.ensure_connection()
        native = connection.connection
        cursors: list[psycopg.Cursor[Any]] = []
        with connection.wrap_database_errors:
            try:
                with native.pipeline():
                    for sql, params in statements:
                        cursor = psycopg.Cursor(native)
                        cursors.append(cursor)
                        cursor.execute(sql, params, prepare=True)
                return [cursor.rowcount for cursor in cursors]
            finally:
                for cursor in cursors:
                    cursor.close()
    counts = []
    with connection.cursor() as django_cursor:
        for sql, params in statements:
            django_cursor.execute(sql, params)
            counts.append(django_cursor.rowcount)
    return counts


# Each statement's name on the server, the same on every connection; what each connection
# has prepared (forgotten with the connection), with the transformer that loads its rows,
# its loaders chosen by the first result (the statement's columns do not change).
_names: dict[str, bytes] = {}
_prepared: "weakref.WeakKeyDictionary[psycopg.Connection[Any], dict[bytes, _Statement]]" = (
    weakref.WeakKeyDictionary()
)
_numbers = itertools.count()
_MISSING_STATEMENT = b"26000"  # invalid_sql_statement_name


class _Statement:
    __slots__ = ("loading", "transformer")

    def __init__(self, native: "psycopg.Connection[Any]") -> None:
        self.transformer = Transformer(native)
        self.loading = False  # True once its loaders are set


def _fetch_prepared(
    native: "psycopg.Connection[Any]", sql: str, params: Sequence[Any], *, first: bool
) -> list[tuple[Any, ...]]:
    name = _names.get(sql)
    if name is None:
        name = _names.setdefault(sql, b"kernel_sql_%d" % next(_numbers))
    statements = _prepared.setdefault(native, {})
    pgconn = native.pgconn
    statement = statements.get(name) or _prepare(native, name, sql, statements)
    # None (a NULL) is a value libpq takes, whatever exec_prepared's annotation says.
    values: Any = (
        statement.transformer.dump_sequence(params, [PyFormat.TEXT] * len(params))
        if params
        else None
    )
    result = pgconn.exec_prepared(name, values)
    if _failed(result) and result.error_field(pq.DiagnosticField.SQLSTATE) == _MISSING_STATEMENT:
        statement = _prepare(native, name, sql, statements)
        result = pgconn.exec_prepared(name, values)
    if _failed(result):
        raise psycopg.errors.error_from_result(result, encoding="utf-8")
    count = result.ntuples
    if not count:
        return []
    transformer = statement.transformer
    transformer.set_pgresult(result, set_loaders=not statement.loading)
    statement.loading = True
    if first:
        return [transformer.load_row(0, tuple)]
    return transformer.load_rows(0, count, tuple)


def _prepare(
    native: "psycopg.Connection[Any]",
    name: bytes,
    sql: str,
    statements: dict[bytes, _Statement],
) -> _Statement:
    statements.pop(name, None)
    # Django's placeholders (%s, and %% for a %) become the server's ($1, $2, ...).
    text = sql % tuple(f"${number}" for number in range(1, sql.count("%s") + 1))
    result = native.pgconn.prepare(name, text.encode())
    if _failed(result):
        raise psycopg.errors.error_from_result(result, encoding="utf-8")
    statement = statements[name] = _Statement(native)
    return statement


def _failed(result: pq.abc.PGresult) -> bool:
    return result.status not in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK)


def quoted_columns(model: type[Model], connection: BaseDatabaseWrapper) -> Callable[[str], str]:
    """Return a function giving the quoted column of each of `model`'s fields by name, for
    SQL written by hand: names from the model's own meta, quoted for the backend."""
    quote = connection.ops.quote_name
    columns = {field.name: field.column for field in model._meta.concrete_fields}

    def column(name: str) -> str:
        return str(quote(columns[name]))

    return column


# Each model's _insert_head on each backend, made once (insert_rows runs on every event
# received and every document indexed).
_heads: dict[tuple[type[Model], str], tuple[str, list["Field[Any, Any]"]]] = {}


def _insert_head(
    model: type[Model], connection: BaseDatabaseWrapper
) -> tuple[str, list["Field[Any, Any]"]]:
    """`INSERT INTO <table> (<every concrete field but the key>) VALUES ` and those fields."""
    key = (model, connection.vendor)
    made = _heads.get(key)
    if made is None:
        made = _heads.setdefault(key, _make_insert_head(model, connection))
    return made


def _make_insert_head(
    model: type[Model], connection: BaseDatabaseWrapper
) -> tuple[str, list["Field[Any, Any]"]]:
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    # Names from the model's own meta, quoted; every value is a parameter.
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
        quote(meta.db_table), ", ".join(quote(field.column) for field in fields)
    )
    return head, fields


# Fields of Django's own classes (not subclasses, which may prepare values their way) whose
# get_db_prep_save gives back a value of these exact types as it is: to_python and
# get_prep_value return a str, an int or a bool unchanged, and None as None. An integer
# then goes through the backend's adapt_integerfield_value (PostgreSQL wraps it in its
# column's type): as it is only where that gives it back.
_TEXT: frozenset[type] = frozenset((str, type(None)))
_INTEGER: frozenset[type] = frozenset((int, type(None)))
_BOOLEAN: frozenset[type] = frozenset((bool, type(None)))
_AS_IT_IS: dict[type, frozenset[type]] = {
    models.CharField: _TEXT,
    models.SlugField: _TEXT,
    models.TextField: _TEXT,
    models.BooleanField: _BOOLEAN,
    **dict.fromkeys(
        (
            models.IntegerField,
            models.SmallIntegerField,
            models.BigIntegerField,
            models.PositiveIntegerField,
            models.PositiveSmallIntegerField,
            models.PositiveBigIntegerField,
        ),
        _INTEGER,
    ),
}
# A DateTimeField's aware value on a backend whose adapt_datetimefield_value gives it back
# as it is (PostgreSQL); a naive one is warned about and made aware by get_db_prep_save.
_AWARE: frozenset[type] = frozenset((datetime, type(None)))
_kinds: dict[tuple[type[Model], str], tuple[frozenset[type] | None, ...]] = {}


def values_for_saving(
    model: type[Model], connection: BaseDatabaseWrapper, values: Sequence[Any]
) -> list[Any]:
    """Return `values`, in the order of the fields of `model`'s insert_statement, prepared
    for saving as each field's get_db_prep_save prepares it.

    A str, bool or None in a plain field of that type (an int too, but on PostgreSQL), and
    on PostgreSQL an aware datetime in a DateTimeField, is what get_db_prep_save would give
    back: it goes as it is. A new entry and its event made 22 of those calls, a twentieth
    of their Python; tests/kernel/test_sql.py holds the two equal."""
    _, fields = _insert_head(model, connection)
    key = (model, connection.vendor)
    kinds = _kinds.get(key)
    if kinds is None:
        kinds = _kinds.setdefault(key, tuple(_kind(field, connection) for field in fields))
    prepared = []
    for field, kind, value in zip(fields, kinds, values, strict=True):
        found = type(value)
        if (
            kind is not None
            and found in kind
            and (kind is not _AWARE or value is None or value.utcoffset() is not None)
        ):
            prepared.append(value)
        else:
            prepared.append(field.get_db_prep_save(value, connection))
    return prepared


def _kind(field: "Field[Any, Any]", connection: BaseDatabaseWrapper) -> frozenset[type] | None:
    """The types of the values `field` saves as they are on `connection` (None: none)."""
    if type(field) is models.DateTimeField:
        aware = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
        given: object = connection.ops.adapt_datetimefield_value(aware)
        return _AWARE if given is aware else None
    kind = _AS_IT_IS.get(type(field))
    if kind is _INTEGER:
        number = int("1234567")  # an object of its own: given back, or not
        adapted = connection.ops.adapt_integerfield_value(number, field.get_internal_type())
        return kind if adapted is number else None
    return kind


def _row(fields: Sequence["Field[Any, Any]"]) -> str:
    return "({})".format(", ".join(["%s"] * len(fields)))


# The INSERT of each model on each backend, made once: (SQL, the fields in its order).
_inserts: dict[tuple[type[Model], str, bool], tuple[str, list["Field[Any, Any]"]]] = {}


def insert_statement(
    model: type[Model], connection: BaseDatabaseWrapper, *, returning: bool = False
) -> tuple[str, list["Field[Any, Any]"]]:
    """The INSERT of one `model` row on `connection`'s backend: every concrete field but
    the primary key, each value a parameter, the new key returned when `returning`.
    Made once per model, backend and form; the caller prepares the values in the
    fields' order."""
    key = (model, connection.vendor, returning)
    statement = _inserts.get(key)
    if statement is None:
        head, fields = _insert_head(model, connection)
        returned = f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
        sql = head + _row(fields) + (returned if returning else "")
        statement = _inserts.setdefault(key, (sql, fields))
    return statement


def insert_rows(objs: Sequence[Model], connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
    """The INSERT of `objs` (one model, every concrete field but the key) in one statement,
    each value prepared for saving, and its params; the caller may add a conflict clause."""
    model = type(objs[0])
    head, fields = _insert_head(model, connection)
    params = [
        value
        for obj in objs
        for value in values_for_saving(
            model, connection, [getattr(obj, field.attname) for field in fields]
        )
    ]
    return head + ", ".join([_row(fields)] * len(objs)), params


def insert_new(
    alias: str, objs: Sequence[Model], *, returning: Sequence[str]
) -> list[tuple[Any, ...]]:
    """INSERT `objs` (one model, every concrete field but the key) in one statement,
    leaving out each row that would break a unique constraint; return the fields named
    in `returning` of each row inserted, as Python values.

    One round trip where bulk_create(ignore_conflicts=True) took a transaction of its
    own and a query to find what it inserted. Sent as fetch_all() sends a statement (on
    PostgreSQL prepared once per connection): one per number of rows, which a batch
    bounds, and the one of a single event and subscriber on every delivery."""
    if not objs:
        return []
    connection = connections[alias]
    meta = type(objs[0])._meta
    wanted = [field for name in returning if isinstance(field := meta.get_field(name), Field)]
    insert, params = insert_rows(objs, connection)
    returned = ", ".join(connection.ops.quote_name(field.column) for field in wanted)
    sql = f"{insert} ON CONFLICT DO NOTHING RETURNING {returned}"
    found = fetch_all(alias, sql, params)
    return [
        tuple(field.to_python(value) for field, value in zip(wanted, row, strict=True))
        for row in found
    ]
