"""What carries envelopes from relays to inboxes: Redis streams, or, with no broker, this process.

On Redis every event type has a stream of its own (`<prefix>:<type name>`): a relay
appends each event to the stream of its type and names nothing else. Each consuming
context reads the streams of the types it subscribes to as a consumer group named after
it; the composition root creates those groups from its subscription table.

Why streams rather than a Celery/kombu queue: a stream entry a consumer has read stays
in the group's pending list until it is acknowledged, atomically, on the server. A
worker killed at any moment (even with a read's answer still in its socket) loses
nothing: another consumer claims its pending entries once they have been idle for the
visibility timeout. kombu's Redis transport pops a message before recording it as
unacknowledged, and a message caught between the two is gone (see ADR 0004).
"""

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from contexts.kernel.events.config import EventsConfig
from contexts.kernel.events.envelopes import Envelope, InvalidEnvelope
from contexts.kernel.events.inbox import receive, receive_claimed
from contexts.kernel.events.models import InboxBase
from contexts.kernel.events.stores import ConsumerStore, consumer_stores
from contexts.kernel.events.subscriptions import consuming_contexts, subscribed_types

FIELD = "envelope"
# A broker that does not answer must not hold a relay for long: the rows stay pending
# and the next pass (with its backoff) tries again.
SOCKET_TIMEOUT_SECONDS = 5.0


class InProcessTransport:
    """No broker (the embedded default): put each envelope straight into the inbox of every
    context that subscribes to its type. Every consuming context must live in this process.

    With a `lease`, the rows are inserted claimed by this process for that long (as the
    events worker receives them), and `claimed` lists them for the caller to apply: no
    claiming pass over the inbox afterwards.
    """

    def __init__(self, *, now: datetime | None = None, lease: timedelta | None = None) -> None:
        self.now = now
        self.lease = lease
        self.claimed: list[tuple[ConsumerStore, uuid.UUID, list[InboxBase]]] = []

    def send(self, envelopes: list[Envelope]) -> None:
        by_context: dict[str, list[Envelope]] = {}
        for envelope in envelopes:
            for context in consuming_contexts(envelope.type_name):
                by_context.setdefault(context, []).append(envelope)
        stores = consumer_stores()
        missing = sorted(set(by_context) - set(stores))
        if missing:
            raise ImproperlyConfigured(
                f"context(s) {', '.join(missing)} consume these events but their database is "
                "not open in this process: a split deployment needs a broker (CELERY_BROKER_URL)"
            )
        now = self.now or timezone.now()
        for context, batch in by_context.items():
            if self.lease is None:
                receive(stores[context], batch, now=now)
                continue
            token, rows = receive_claimed(stores[context], batch, now=now, lease=self.lease)
            if rows:
                self.claimed.append((stores[context], token, rows))


def client(config: EventsConfig) -> redis.Redis:
    """Return a Redis client for events, or say what is missing."""
    if not config.broker_url:
        raise ImproperlyConfigured("events need a broker here: set CELERY_BROKER_URL")
    if not config.broker_url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "events travel on Redis streams: EVENTS_BROKER_URL (or CELERY_BROKER_URL) must be "
            "a redis:// URL"
        )
    return redis.Redis.from_url(
        config.broker_url,
        socket_timeout=SOCKET_TIMEOUT_SECONDS + config.poll_seconds,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
    )


def stream(config: EventsConfig, type_name: str) -> str:
    """Return the name of the stream that carries events of `type_name`."""
    return f"{config.broker_prefix}:{type_name}"


def streams_of(config: EventsConfig, context: str) -> list[str]:
    """Return the streams a consuming context reads: one per event type it subscribes to."""
    return [stream(config, name) for name in sorted(subscribed_types().get(context, []))]


def declare(connection: redis.Redis, config: EventsConfig) -> None:
    """Create each consuming context's group on each stream it reads (idempotent).

    Done by every process that relays, before it sends anything, and by every consumer:
    an event appended before its consumers' group exists would not reach them.
    """
    for context in sorted(subscribed_types()):
        for name in streams_of(config, context):
            try:
                connection.xgroup_create(name, context, id="$", mkstream=True)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise


def _retention_id(config: EventsConfig) -> str:
    """Entries older than the retention are trimmed (inboxes remember as long)."""
    oldest = timezone.now() - config.keep_completed
    return f"{int(oldest.timestamp() * 1000)}-0"


class BrokerTransport:
    """Append envelopes to the stream of their event type."""

    def __init__(self, config: EventsConfig) -> None:
        self.config = config
        self._client = client(config)
        self._declared = False

    def send(self, envelopes: list[Envelope]) -> None:
        if not self._declared:
            declare(self._client, self.config)
            self._declared = True
        minid = _retention_id(self.config)
        pipeline = self._client.pipeline(transaction=False)
        for envelope in envelopes:
            pipeline.xadd(
                stream(self.config, envelope.type_name),
                {FIELD: json.dumps(envelope.to_message())},
                minid=minid,
                approximate=True,
            )
        pipeline.execute()

    def close(self) -> None:
        self._client.close()


@dataclass(frozen=True)
class Delivery:
    """A stream entry read by a consumer group: acknowledge it once it is in the inbox."""

    stream: str
    entry_id: bytes
    envelope: Envelope | None


def _deliveries(name: str, entries: Iterable[Any]) -> list[Delivery]:
    found = []
    for entry_id, fields in entries:
        if fields is None:  # trimmed while pending: nothing left to deliver
            found.append(Delivery(name, entry_id, None))
            continue
        try:
            body = json.loads(fields.get(FIELD.encode(), b"null"))
            envelope = Envelope.from_message(body)
        except (ValueError, InvalidEnvelope):
            envelope = None
        found.append(Delivery(name, entry_id, envelope))
    return found


class StreamConsumer:
    """One consuming context's reader: new entries, and entries a dead reader left behind."""

    def __init__(self, config: EventsConfig, context: str, name: str) -> None:
        self.config = config
        self.context = context
        self.name = name
        self.streams = streams_of(config, context)
        self._client = client(config)
        declare(self._client, config)

    def read(self, *, block_ms: int) -> list[Delivery]:
        """Return up to a batch of new entries, waiting at most `block_ms` for one."""
        # redis-py types a reply as sync or async alike: this client is sync.
        answer: Any = self._client.xreadgroup(
            self.context,
            self.name,
            dict.fromkeys(self.streams, ">"),
            count=self.config.batch,
            block=block_ms,
        )
        return [
            item for name, entries in answer or [] for item in _deliveries(name.decode(), entries)
        ]

    def reclaim(self) -> list[Delivery]:
        """Take over entries read but never acknowledged for longer than the visibility timeout."""
        idle_ms = int(self.config.broker_visibility_seconds * 1000)
        found = []
        for name in self.streams:
            answer = self._client.xautoclaim(
                name, self.context, self.name, idle_ms, count=self.config.batch
            )
            found += _deliveries(name, answer[1])
        return found

    def acknowledge(self, deliveries: list[Delivery]) -> None:
        by_stream: dict[str, list[bytes]] = {}
        for item in deliveries:
            by_stream.setdefault(item.stream, []).append(item.entry_id)
        pipeline = self._client.pipeline(transaction=False)
        for name, ids in by_stream.items():
            pipeline.xack(name, self.context, *ids)
        pipeline.execute()

    def close(self) -> None:
        self._client.close()
