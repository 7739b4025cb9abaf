"""Publish an event from inside a use case: an outbox row in the same transaction."""

from functools import partial

from django.db import connections
from django.utils import timezone
from opentelemetry.trace import SpanKind

from contexts.kernel import tracing
from contexts.kernel.events import dispatch, relay
from contexts.kernel.events.relay import HeldRows, rows_held
from contexts.kernel.events.stores import producer_store_for_alias
from contexts.kernel.events.types import Event, check_publishable
from contexts.kernel.metrics import record_published

__all__ = ["HeldRows", "PublishOutsideTransaction", "publish", "rows_held"]


class PublishOutsideTransaction(RuntimeError):
    """publish() was called with no transaction open on the producer's alias."""


def publish(event: Event, *, using: str, headers: dict[str, str] | None = None) -> None:
    """Record `event` in the outbox of alias `using`, to be relayed once the transaction commits.

    Call it inside the use case's `transaction.atomic(using=...)`: the event commits
    with the state change or not at all. The producer names the event's type only;
    which contexts receive it is decided by the composition root's subscriptions.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise PublishOutsideTransaction(
            f"publish({event.type_name}) must run inside transaction.atomic(using='{using}'), "
            "so that the event commits together with the change it announces"
        )
    payload = check_publishable(event)
    store = producer_store_for_alias(using)
    with tracing.span(
        f"publish {event.type_name}",
        kind=SpanKind.PRODUCER,
        attributes={"context.name": store.context, "event.type": event.type_name},
    ):
        # The headers stored with the event carry this span's context: its handlers' spans
        # continue the trace from here.
        relay.record(
            store,
            event=event,
            payload=payload,
            headers={**dispatch.current_headers(), **(headers or {})},
            now=timezone.now(),
        )
    # Counted when it commits: a rolled-back use case published nothing.
    connection.on_commit(partial(record_published, store.context, event.type_name))
    dispatch.wake_relay_on_commit(connection)
