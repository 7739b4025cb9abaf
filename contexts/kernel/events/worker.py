"""The events worker: relays this process's outboxes to the broker and fills and applies its
inboxes from the broker. `make worker` runs it inside the Celery worker; `manage.py events
work` runs it alone.

Two threads. The relay sends due outbox rows, then sleeps until a commit on PostgreSQL
wakes it (LISTEN) or the poll interval passes. The consumer reads each local consuming
context's streams, writes the entries to the inbox in batches, acknowledges them only
after that commit, and applies due inbox rows. After a pass or a read that found several
events, each waits EVENTS_LINGER_MS before the next: under a stream of commits a batch
then carries what arrived meanwhile, instead of one event each, while one event at a time
goes on at once. A worker killed at any point loses nothing: unsent rows are still
pending, unacknowledged entries are claimed by another reader after the visibility
timeout, and a claimed inbox row falls due again when its lease ends.
"""

import logging
import os
import select
import socket
import threading
import time
import uuid
from collections.abc import Callable
from functools import partial

import psycopg
from django.db import close_old_connections, connections
from django.utils import timezone

from contexts.kernel.events import dispatch, inbox, transports
from contexts.kernel.events.config import EventsConfig, events_config
from contexts.kernel.events.models import InboxBase
from contexts.kernel.events.stores import ConsumerStore, ProducerStore

logger = logging.getLogger(__name__)

# How long one wait for new stream entries lasts at most before the loop looks around.
READ_WAIT_SECONDS = 1.0
# After a failure (broker or database down), wait this long before trying again.
FAILURE_PAUSE_SECONDS = 1.0


class _Wakeup:
    """Wait for a commit that published (PostgreSQL NOTIFY), or for the poll interval.

    A notification names the schema of the outbox that was written to: only the outboxes
    it names need a pass then. Outboxes in another database than the one listened to
    cannot be heard, so every wake-up looks at them too.
    """

    def __init__(self, stores: dict[str, ProducerStore]) -> None:
        self._connection: psycopg.Connection | None = None
        # Notified schema -> the contexts whose outbox lives there.
        self._heard: dict[str, list[str]] = {}
        self.unheard: list[str] = list(stores)
        keys = ("dbname", "user", "password", "host", "port")
        listened = None
        for context, store in stores.items():
            connection = connections[store.alias]
            if connection.vendor != "postgresql":
                continue
            params = connection.get_connection_params()
            where = tuple(params.get(key) for key in ("dbname", "host", "port"))
            if listened is None:
                self._connection = psycopg.connect(
                    autocommit=True, **{key: params[key] for key in keys if params.get(key)}
                )
                self._connection.execute(f"LISTEN {dispatch.NOTIFY_CHANNEL}")
                listened = where
            if where != listened:
                continue
            # The trigger names TG_TABLE_SCHEMA: where the alias finds its outbox table.
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_schema()")
                (schema,) = cursor.fetchone()
            self._heard.setdefault(schema, []).append(context)
            self.unheard.remove(context)

    def wait(self, seconds: float, stop: threading.Event) -> list[str] | None:
        """Return the contexts whose outbox a commit wrote to (and those that cannot be
        heard), or None when nothing was heard for `seconds`."""
        if self._connection is None:
            stop.wait(seconds)
            return None
        schemas: set[str] = set()
        for note in self._connection.notifies(timeout=seconds, stop_after=1):
            schemas.add(note.payload)
        if not schemas:
            return None
        # Drain the rest, so that a burst of commits costs one pass, not one each.
        while select.select([self._connection.fileno()], [], [], 0)[0]:
            for note in self._connection.notifies(timeout=0.001):
                schemas.add(note.payload)
        if schemas - self._heard.keys():
            return None  # an outbox this worker did not map: look at every one
        woken = {context for schema in schemas for context in self._heard[schema]}
        return sorted(woken | set(self.unheard))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


class EventsWorker:
    """Relay the given outboxes and consume the given inboxes until stopped."""

    def __init__(
        self,
        *,
        producers: dict[str, ProducerStore],
        consumers: dict[str, ConsumerStore],
        config: EventsConfig | None = None,
    ) -> None:
        self.config = config or events_config()
        if not self.config.broker_url and (producers or consumers):
            raise ValueError("the events worker needs a broker: set CELERY_BROKER_URL")
        self.producers = producers
        self.consumers = consumers
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> "EventsWorker":
        """Start a relay thread, and a consumer thread per consuming context."""
        loops: list[tuple[str, Callable[[], None]]] = []
        if self.producers:
            loops.append(("events-relay", self._relay_loop))
        for context in sorted(self.consumers):
            loops.append((f"events-{context}", partial(self._consumer_loop, context)))
        self._not_ready = threading.Semaphore(0)
        for name, loop in loops:
            thread = threading.Thread(target=self._guarded, args=(loop,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        threading.Thread(target=self._await_ready, args=(len(loops),), daemon=True).start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the threads to finish their batch and stop; wait for them."""
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout)

    def alive(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def _await_ready(self, count: int) -> None:
        for _ in range(count):
            self._not_ready.acquire()
        self.ready.set()

    def _guarded(self, loop: Callable[[], None]) -> None:
        try:
            loop()
        finally:
            connections.close_all()

    # -- relay -------------------------------------------------------------------------

    def _relay_loop(self) -> None:
        transport = transports.BrokerTransport(self.config)
        wakeup = _Wakeup(self.producers)
        logger.info("events relay started for %s", ", ".join(sorted(self.producers)))
        self._not_ready.release()
        every = list(self.producers)
        next_full_pass = 0.0
        woken: list[str] | None = None
        try:
            while not self.stopping.is_set():
                # A commit's notification wakes the pass over its own outbox alone; every
                # poll interval, a pass over all of them relays what no commit announces
                # (retries whose backoff ended, rows a failed pass left).
                if woken is None or time.monotonic() >= next_full_pass:
                    woken = every
                    next_full_pass = time.monotonic() + self.config.poll_seconds
                sent = self._relay_pass(transport, woken)
                if sent > 1 and self.config.linger_seconds:
                    # Commits are coming faster than one a pass: let the next ones
                    # gather for one pass.
                    self.stopping.wait(self.config.linger_seconds)
                # Each outbox was relayed until a batch came back short: what commits
                # next announces itself, so no pass runs again before a wake-up.
                wait = max(0.0, next_full_pass - time.monotonic())
                woken = wakeup.wait(wait, self.stopping)
        finally:
            transport.close()
            wakeup.close()

    def _relay_pass(self, transport: transports.BrokerTransport, contexts: list[str]) -> int:
        """Relay the outboxes of `contexts` until each is drained (or fails to send);
        return how many events were sent."""
        sent = 0
        for context in contexts:
            store = self.producers[context]
            close_old_connections()
            try:
                result = dispatch.relay_pending(store, transport, self.config)
            except Exception:  # noqa: BLE001  (the database is away: try again shortly)
                logger.exception("relaying the outbox of %s failed", context)
                self.stopping.wait(FAILURE_PAUSE_SECONDS)
                continue
            sent += len(result.sent)
            if result.failed:
                logger.warning(
                    "could not send %d event(s) of %s to the broker: %s",
                    len(result.failed),
                    context,
                    result.error.splitlines()[0] if result.error else "",
                )
                self.stopping.wait(FAILURE_PAUSE_SECONDS)
        return sent

    # -- consumer ----------------------------------------------------------------------

    def _consumer_loop(self, context: str) -> None:
        name = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        announced = False
        while not self.stopping.is_set():
            reader = None
            try:
                reader = transports.StreamConsumer(self.config, context, name)
                if not announced:
                    logger.info("events consumer started for %s", context)
                    self._not_ready.release()
                    announced = True
                self._consume(reader)
            except Exception:  # noqa: BLE001  (broker or database away: start again shortly)
                logger.exception("the events consumer of %s failed; starting again", context)
                self.stopping.wait(FAILURE_PAUSE_SECONDS)
            finally:
                if reader is not None:
                    reader.close()

    def _consume(self, reader: transports.StreamConsumer) -> None:
        store = self.consumers[reader.context]
        next_due_pass = next_reclaim = 0.0
        busy = False
        while not self.stopping.is_set():
            if busy and self.config.linger_seconds:
                # The last read found several entries, but not a full batch (then more
                # may be waiting already): let the next ones gather for one batch.
                self.stopping.wait(self.config.linger_seconds)
            now = time.monotonic()
            if now >= next_reclaim:
                # Entries a dead reader took and never acknowledged: their inbox rows are
                # committed before they are applied, so that each attempt counts.
                self._flush(reader, reader.reclaim(), first_delivery=False)
                next_reclaim = now + self.config.broker_visibility_seconds / 2
            wait_ms = int(min(READ_WAIT_SECONDS, max(0.0, next_due_pass - now)) * 1000)
            deliveries = reader.read(block_ms=max(1, wait_ms))
            busy = 1 < len(deliveries) < self.config.batch
            self._flush(reader, deliveries, first_delivery=True)
            if time.monotonic() >= next_due_pass:
                # Every poll interval: retries that fell due, rows whose lease ran out.
                close_old_connections()
                dispatch.process_due(store, self.config)
                next_due_pass = time.monotonic() + self.config.poll_seconds

    def _flush(
        self,
        reader: transports.StreamConsumer,
        deliveries: list[transports.Delivery],
        *,
        first_delivery: bool,
    ) -> None:
        """Write entries to the inbox and apply them, then acknowledge them: entries read
        the first time in one transaction (inbox.receive_applied), others in two, the
        inbox's rows committed claimed before they are acknowledged and applied."""
        if not deliveries:
            return
        envelopes = [item.envelope for item in deliveries if item.envelope is not None]
        if len(envelopes) < len(deliveries):
            logger.error(
                "dropping %d entry(ies) of the %s events that are not event envelopes",
                len(deliveries) - len(envelopes),
                reader.context,
            )
        store = self.consumers[reader.context]
        if first_delivery:
            if envelopes:
                close_old_connections()
                inbox.receive_applied(
                    store,
                    envelopes,
                    now=timezone.now(),
                    lease=self.config.lease,
                    policy=self.config.retry,
                )
            # Each event is in the inbox, applied (or committed pending when a handler
            # failed): until here a crash leaves the entry pending in the group, and
            # another reader claims it after the visibility timeout.
            reader.acknowledge(deliveries)
            return
        token: uuid.UUID | None = None
        rows: list[InboxBase] = []
        if envelopes:
            close_old_connections()
            token, rows = inbox.receive_claimed(
                store, envelopes, now=timezone.now(), lease=self.config.lease
            )
        # Only now is each event safe in the inbox: until here a crash leaves the entry
        # pending in the group, and another reader claims it after the visibility timeout.
        reader.acknowledge(deliveries)
        if token is not None and rows:
            inbox.apply_claimed(
                store, token, rows, lease=self.config.lease, policy=self.config.retry
            )
