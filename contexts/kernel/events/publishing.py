"""Publish an event from inside a use case: an outbox row in the same transaction."""

from functools import partial

from django.db import transaction
from django.utils import timezone

from contexts.kernel.events import registry
from contexts.kernel.events.dispatch import deliver_after_commit
from contexts.kernel.events.stores import producer_store
from contexts.kernel.events.subscriptions import subscribers_of
from contexts.kernel.events.types import Event, check_publishable


class PublishOutsideTransaction(RuntimeError):
    """publish() was called with no transaction open on the producer's alias."""


def publish(event: Event, *, using: str) -> None:
    """Record `event` in the outbox of alias `using`, with one publication per subscriber.

    Call it inside the use case's `transaction.atomic(using=...)`: the event commits
    with the state change or not at all, and its delivery starts only after commit.
    """
    if not transaction.get_connection(using).in_atomic_block:
        raise PublishOutsideTransaction(
            f"publish({event.type_name}) must run inside transaction.atomic(using='{using}'), "
            "so that the event commits together with the change it announces"
        )
    payload = check_publishable(event)
    store = producer_store(using)
    names = [item.name for item in subscribers_of(event.type_name)]
    ids = registry.record(
        store, event=event, payload=payload, subscribers=names, now=timezone.now()
    )
    if ids:
        transaction.on_commit(partial(deliver_after_commit, using, ids), using=using)
