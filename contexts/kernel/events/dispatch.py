"""When relays and inboxes run: right after each commit when there is no broker, else in
the events worker, woken by the commit.

The code path is the same either way: relay_once() sends due outbox rows through a
transport and process() applies due inbox rows. Without a broker (the embedded default)
the transport is this process, and both run after the publishing transaction commits.
With a broker, a commit on PostgreSQL wakes the worker's relay with NOTIFY (others poll).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import current_app
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from contexts.kernel.events import inbox, relay
from contexts.kernel.events.config import EventsConfig, events_config
from contexts.kernel.events.stores import (
    ConsumerStore,
    ProducerStore,
    consumer_stores,
    producer_store_for_alias,
    producer_stores,
)
from contexts.kernel.events.transports import BrokerTransport, InProcessTransport

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "events_outbox"

HeadersProvider = Callable[[], dict[str, str]]
_headers_provider: HeadersProvider = dict


def is_eager() -> bool:
    """Tell whether events are delivered in this process (no broker: the embedded default)."""
    return bool(current_app.conf.task_always_eager)


def set_headers_provider(provider: HeadersProvider) -> None:
    """Install what gives each published event its headers (request id, trace context)."""
    global _headers_provider
    _headers_provider = provider


def current_headers() -> dict[str, str]:
    """Return the headers a event published now carries."""
    return _headers_provider()


@dataclass
class SweepResult:
    """What a pass over every local outbox and inbox did, by context."""

    sent: dict[str, int] = field(default_factory=dict)
    send_failed: dict[str, int] = field(default_factory=dict)
    applied: dict[str, dict[str, int]] = field(default_factory=dict)


def relay_pending(
    store: ProducerStore, transport: relay.Transport, config: EventsConfig
) -> relay.RelayResult:
    """Relay every due outbox row of `store`, a batch at a time, until none is left."""
    total = relay.RelayResult()
    while True:
        result = relay.relay_once(
            store, transport, policy=config.retry, limit=config.batch, now=timezone.now()
        )
        total.sent += result.sent
        total.failed += result.failed
        total.error = result.error or total.error
        if result.failed or len(result.sent) < config.batch:
            return total


def process_due(
    store: ConsumerStore, config: EventsConfig, *, limit: int | None = None
) -> inbox.ProcessResult:
    """Apply due inbox rows of `store`, a batch at a time, up to `limit` (all when None)."""
    total = inbox.ProcessResult()
    while limit is None or total.claimed < limit:
        batch = config.batch if limit is None else min(config.batch, limit - total.claimed)
        result = inbox.process(store, limit=batch, lease=config.lease, policy=config.retry)
        total.outcomes += result.outcomes
        if result.claimed < batch:
            break
    return total


def _count(result: inbox.ProcessResult) -> dict[str, int]:
    statuses = (inbox.COMPLETED, inbox.RETRY, inbox.FAILED)
    return {status: len(result.ids(status)) for status in statuses}


def sweep(*, config: EventsConfig | None = None) -> SweepResult:
    """Relay every local outbox and apply every local inbox, once, now."""
    config = config or events_config()
    transport = InProcessTransport() if is_eager() else BrokerTransport(config)
    found = SweepResult()
    try:
        for context, store in producer_stores().items():
            result = relay_pending(store, transport, config)
            found.sent[context] = len(result.sent)
            found.send_failed[context] = len(result.failed)
    finally:
        if isinstance(transport, BrokerTransport):
            transport.close()
    for context, inbox_store in consumer_stores().items():
        found.applied[context] = _count(process_due(inbox_store, config))
    return found


# When this process's commits next look for inbox rows whose retry is due (monotonic).
_next_sweep_at = 0.0


def _sweep_now(config: EventsConfig) -> bool:
    """Tell whether a commit should look for due retries: once per poll interval at most.

    A retry waits seconds for its backoff, so looking on every commit only cost each write
    a query per inbox; at most `poll_seconds` late, a later commit still finds it."""
    global _next_sweep_at  # noqa: PLW0603  (one process-wide clock, read on every commit)
    now = time.monotonic()
    if now < _next_sweep_at:
        return False
    _next_sweep_at = now + config.poll_seconds
    return True


def deliver_here(alias: str) -> None:
    """After a commit with no broker: relay the alias's outbox into the inboxes of this process
    and apply them; never raise into the caller (the change is committed already).

    The relayed events go into each inbox claimed by this process, as the events worker
    receives them, and are applied at once: no claiming pass. Nothing runs a worker then,
    so such a commit first retries a few rows of every inbox whose retry is due (once per
    EVENTS_POLL_SECONDS in a process).
    """
    config = events_config()
    try:
        transport = InProcessTransport(lease=config.lease)
        relay_pending(producer_store_for_alias(alias), transport, config)
        if _sweep_now(config):
            for store in consumer_stores().values():
                process_due(store, config, limit=config.eager_sweep_limit)
        for store, token, rows in transport.claimed:
            inbox.apply_claimed(store, token, rows, lease=config.lease, policy=config.retry)
    except Exception:  # noqa: BLE001  (committed; the next commit or `events sweep` catches up)
        logger.exception(
            "could not deliver the events of alias '%s' now; they stay pending for the next "
            "commit or `manage.py events sweep`",
            alias,
        )


_after_commit: dict[str, Callable[[], None]] = {}


def _once_per_transaction(connection: BaseDatabaseWrapper, action: Callable[[], None]) -> bool:
    """Register `action` to run on commit unless this (sub)transaction has it already.

    A burst of events published in one transaction then costs one relay pass.
    """
    current = set(connection.savepoint_ids)
    # django-stubs types the entries as pairs; since Django 4.2 they are (sids, func, robust).
    pending = connection.run_on_commit
    if any(func is action and sids == current for sids, func, _ in pending):  # type: ignore[misc]
        return False
    connection.on_commit(action)
    return True


def wake_relay_on_commit(connection: BaseDatabaseWrapper) -> None:
    """Make the commit of the current transaction start the relay of its outbox.

    Without a broker the relay runs here, after the commit. With one, the worker's relay
    is woken on PostgreSQL by a trigger on the outbox table (see install_wakeup), which
    costs the use case no round trip; elsewhere the relay polls.
    """
    if not is_eager():
        return
    alias = connection.alias
    action = _after_commit.get(alias)
    if action is None:
        action = _after_commit.setdefault(alias, lambda: deliver_here(alias))
    _once_per_transaction(connection, action)


WAKEUP_SQL = """
CREATE OR REPLACE FUNCTION events_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{channel}', TG_TABLE_SCHEMA);
    RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER events_outbox_notify AFTER INSERT ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION events_outbox_notify();
"""


def install_wakeup(connection: BaseDatabaseWrapper, store: ProducerStore) -> None:
    """On PostgreSQL, have every commit that wrote to the outbox NOTIFY the relay.

    NOTIFY is transactional: the relay hears it when, and only if, the transaction
    commits; several in one transaction arrive as one.
    """
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(store.outbox._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(WAKEUP_SQL.format(channel=NOTIFY_CHANNEL, table=table))
