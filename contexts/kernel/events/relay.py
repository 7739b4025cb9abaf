"""The producer's side: write events to the outbox, relay them to the broker, keep the record.

pending --relay--> sent
pending --send fails--> pending (next_attempt_at later) | failed (attempts used up)
failed | pending --resubmit--> pending (attempts start again)

A relay takes a batch of due rows with `SELECT ... FOR UPDATE SKIP LOCKED` (SQLite
serialises writers anyway), sends them and marks them in the same transaction: a relay
that dies mid-batch rolls back and the rows are due again at once. Rows it had already
handed to the broker are then sent twice; inboxes make the second copy a no-op.
"""

import random
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import psycopg
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col

from contexts.kernel.events.envelopes import Envelope
from contexts.kernel.events.errors import describe_error
from contexts.kernel.events.models import OutboxBase, RelayState
from contexts.kernel.events.stores import ProducerStore
from contexts.kernel.events.types import Event
from contexts.kernel.retry import RetryPolicy
from contexts.kernel.sql import (
    execute_together,
    fetch_all,
    fetch_one,
    insert_statement,
    quoted_columns,
    values_for_saving,
)


class Transport(Protocol):
    """Carries envelopes from a relay to the consuming contexts (a broker, or in-process)."""

    def send(self, envelopes: list[Envelope]) -> None:
        """Hand every envelope over, or raise: then none counts as sent."""


@dataclass
class RelayResult:
    """What one relay pass did: the ids sent, the ids whose send failed, and the error."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    error: str = ""


def record(
    store: ProducerStore,
    *,
    event: Event,
    payload: dict[str, Any],
    headers: dict[str, str],
    now: datetime,
) -> None:
    """Write the event to the outbox, pending, inside the caller's transaction."""
    _insert(
        store,
        {
            "event_id": event.event_id,
            "type_name": event.type_name,
            "payload": payload,
            "headers": headers,
            "occurred_at": event.occurred_at,
            "recorded_at": now,
            "next_attempt_at": now,
        },
    )


# One INSERT statement per outbox table, made once. Publishing sits in every use case that
# announces a change, so it is kept to the insert's own cost (bench/events.py): the ORM's
# create() added 0.2 ms (compiling the statement, building a model instance, reading the
# new id back), and Django's psycopg cursor writes every value into the SQL text on the
# client (0.1 ms); on PostgreSQL the statement goes through psycopg's own cursor instead,
# parameters bound by the server, prepared once per connection. Same connection, same
# transaction.
def _insert(store: ProducerStore, values: dict[str, object]) -> None:
    """INSERT one outbox row: `values` by field name, every other field its default."""
    connection = connections[store.alias]
    sql, fields = insert_statement(store.outbox, connection)
    # As get_db_prep_save prepares them, plain values as they are (kernel.sql).
    params = values_for_saving(
        store.outbox,
        connection,
        [values[field.name] if field.name in values else field.get_default() for field in fields],
    )
    held = _held.get(connection)
    if held is not None:
        held.statements.append((sql, params))
        return
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        # Errors come out as Django's, and mark the connection, as from its own cursor.
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class HeldRows:
    """The outbox rows recorded inside `rows_held`, their INSERTs not sent yet."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.statements: list[tuple[str, list[Any]]] = []

    def send_with(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[int]:
        """Send the held rows' INSERTs, then `statements`, in one round trip (on
        PostgreSQL: kernel.sql.execute_together); return the row counts of `statements`."""
        held, self.statements = self.statements, []
        counts = execute_together(self.alias, [*held, *statements])
        return counts[len(held) :]

    def fetch_with(self, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        """Send the held rows' INSERTs and `sql`, a statement that begins with `WITH `, as
        one statement; return its first row (kernel.sql.fetch_one).

        The rows of each outbox table go in one INSERT, in the order they were recorded,
        as a data-modifying CTE in front of `sql`'s own, so they commit or roll back with
        it; the INSERTs and `sql`'s statements see the database as it was before the
        statement (none sees what another writes). One statement, prepared once per
        connection and number of rows, where send_with's pipeline sent one for each row and
        statement: psycopg converted and prepared each of them on every use case.
        """
        if not sql.startswith("WITH "):
            raise ValueError("fetch_with() takes a statement that begins with WITH")
        held, self.statements = self.statements, []
        # One INSERT per table (each statement's SQL is its table's), its rows in order.
        tables: dict[str, list[Sequence[Any]]] = {}
        for insert, values in held:
            tables.setdefault(insert, []).append(values)
        parts, combined = [], []
        for number, (insert, rows) in enumerate(tables.items()):
            row = insert[insert.rindex(" VALUES ") + len(" VALUES ") :]
            parts.append(f"_held_{number} AS ({insert}{f', {row}' * (len(rows) - 1)})")
            combined += [value for values in rows for value in values]
        statement = "WITH " + ", ".join([*parts, sql.removeprefix("WITH ")])
        return fetch_one(self.alias, statement, [*combined, *params])


# The rows each connection holds back (inside rows_held), by connection.
_held: "weakref.WeakKeyDictionary[BaseDatabaseWrapper, HeldRows]" = weakref.WeakKeyDictionary()


@contextmanager
def rows_held(alias: str) -> Iterator[HeldRows | None]:
    """Inside the producer's transaction: hold back the INSERT of each outbox row recorded
    in the block, to be sent with the statements given to `HeldRows.send_with`, or at the
    block's end; nothing in the block may read the outbox meanwhile.

    A round trip saved for a use case that publishes and then sends statements of its
    own. None (the rows are inserted at once, as elsewhere) but on PostgreSQL with a
    connection that does not log its queries, or inside another such block.
    """
    connection = connections[alias]
    if (
        connection.vendor != "postgresql"
        or connection.queries_logged
        or not connection.in_atomic_block
        or connection in _held
    ):
        yield None
        return
    held = _held[connection] = HeldRows(alias)
    try:
        yield held
        if held.statements:
            held.send_with([])
    except BaseException:
        # Rows recorded in this transaction may not have been written: it must not commit.
        connection.set_rollback(True)
        raise
    finally:
        del _held[connection]


def envelope_of(store: ProducerStore, row: OutboxBase) -> Envelope:
    """Return the envelope that carries an outbox row."""
    return Envelope(
        event_id=str(row.event_id),
        type_name=row.type_name,
        payload=row.payload,
        producer=store.context,
        headers=row.headers or {},
    )


def relay_once(
    store: ProducerStore,
    transport: Transport,
    *,
    policy: RetryPolicy,
    limit: int,
    now: datetime,
    rng: random.Random | None = None,
) -> RelayResult:
    """Send up to `limit` due outbox events, oldest first, and record how it went."""
    result = RelayResult()
    with transaction.atomic(using=store.alias):
        # Taken and marked sent in one statement, locked until the commit; should the send
        # fail, the same transaction puts them back as they were, with the attempt counted.
        rows = _take_due(store, limit=limit, now=now)
        if not rows:
            return result
        try:
            transport.send([envelope_of(store, row) for row in rows])
        except Exception as exc:  # noqa: BLE001  (any failure to send is recorded, not raised)
            result.error = describe_error(exc)
            result.failed = _record_failure(store, rows, result.error, policy, now, rng)
            return result
        result.sent = [row.pk for row in rows]
    return result


# One UPDATE .. RETURNING per outbox table and vendor, made once: it takes the due rows
# (skipping those another relay holds) and marks them sent, where a SELECT .. FOR UPDATE
# and an UPDATE cost two statements and their ORM compilation on every pass.
_TAKEN_FIELDS = ("id", "event_id", "type_name", "payload", "headers", "attempts", "recorded_at")
_take_statements: dict[tuple[type[OutboxBase], str], tuple[str, list[Any]]] = {}


def _take_statement(store: ProducerStore, connection: Any) -> tuple[str, list[Any]]:
    key = (store.outbox, connection.vendor)
    statement = _take_statements.get(key)
    if statement is None:
        meta = store.outbox._meta
        quote = connection.ops.quote_name
        table = quote(meta.db_table)
        by_name: dict[str, Any] = {field.name: field for field in meta.concrete_fields}
        column = quoted_columns(store.outbox, connection)

        lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update else ""
        # Names from the model's own meta, quoted; every value is a parameter.
        sql = (
            f"UPDATE {table} SET {column('state')} = %s, {column('sent_at')} = %s, "  # noqa: S608
            f"{column('attempts')} = {column('attempts')} + 1, {column('last_error')} = '' "
            f"WHERE {column('id')} IN (SELECT {column('id')} FROM {table} "
            f"WHERE {column('state')} = %s AND {column('next_attempt_at')} <= %s "
            f"ORDER BY {column('recorded_at')}, {column('id')} LIMIT %s{lock}) "
            f"RETURNING {', '.join(column(name) for name in _TAKEN_FIELDS)}"
        )
        converters = []
        for name in _TAKEN_FIELDS:
            field = by_name[name]
            expression = Col(meta.db_table, field)
            found = connection.ops.get_db_converters(expression) + field.get_db_converters(
                connection
            )
            converters.append((found, expression))
        statement = _take_statements.setdefault(key, (sql, converters))
    return statement


def _take_due(store: ProducerStore, *, limit: int, now: datetime) -> list[OutboxBase]:
    """Mark up to `limit` due rows sent (attempts counted), oldest first; return them as
    they now are. Inside the caller's transaction, which holds them until it ends."""
    connection = connections[store.alias]
    sql, converters = _take_statement(store, connection)
    sent_at = store.outbox._meta.get_field("sent_at").get_db_prep_save(now, connection)
    due = store.outbox._meta.get_field("next_attempt_at").get_db_prep_save(now, connection)
    # kernel.sql: on PostgreSQL prepared once per connection, its values bound by the server.
    found = fetch_all(
        store.alias, sql, [RelayState.SENT.value, sent_at, RelayState.PENDING.value, due, limit]
    )
    rows = []
    for values in found:
        converted = []
        for value, (functions, expression) in zip(values, converters, strict=True):
            for function in functions:
                value = function(value, expression, connection)
            converted.append(value)
        fields = dict(zip(_TAKEN_FIELDS, converted, strict=True))
        rows.append(store.outbox(state=RelayState.SENT, sent_at=now, **fields))
    rows.sort(key=lambda row: (row.recorded_at, row.pk))
    return rows


def _record_failure(
    store: ProducerStore,
    rows: list[OutboxBase],
    error: str,
    policy: RetryPolicy,
    now: datetime,
    rng: random.Random | None,
) -> list[int]:
    """Put rows _take_due() marked sent back (pending after a backoff, or failed once their
    attempts are used up), with the error; their attempt counts."""
    for row in rows:
        attempts = row.attempts  # this attempt included
        changes: dict[str, object]
        if policy.exhausted(attempts):
            changes = {"state": RelayState.FAILED}
        else:
            delay = policy.delay(attempts, rng=rng)
            changes = {
                "state": RelayState.PENDING,
                "next_attempt_at": now + timedelta(seconds=delay),
            }
        store.rows.filter(pk=row.pk).update(
            attempts=attempts, last_error=error, sent_at=None, **changes
        )
    return [row.pk for row in rows]


def resubmit(store: ProducerStore, *, ids: Iterable[int] | None, now: datetime) -> list[int]:
    """Give failed or waiting outbox events a fresh round of attempts, due now.

    `ids=None` takes every failed and pending one. Sent events are left alone (the
    consumers have them; resubmit their inbox rows instead). Returns the ids taken.
    """
    candidates = store.rows.filter(state__in=[RelayState.FAILED, RelayState.PENDING])
    if ids is not None:
        candidates = candidates.filter(pk__in=list(ids))
    chosen = list(candidates.order_by("pk").values_list("pk", flat=True))
    store.rows.filter(pk__in=chosen, state__in=[RelayState.FAILED, RelayState.PENDING]).update(
        state=RelayState.PENDING, attempts=0, next_attempt_at=now
    )
    return chosen


def purge(store: ProducerStore, *, before: datetime) -> int:
    """Delete events sent before `before`; return how many."""
    deleted, _ = store.rows.filter(state=RelayState.SENT, sent_at__lt=before).delete()
    return deleted
