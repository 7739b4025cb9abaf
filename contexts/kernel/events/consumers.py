"""Idempotent consumption: the inbox row and the handler's effect commit together, or neither."""

from django.db import IntegrityError, transaction

from contexts.kernel.events.stores import InboxStore
from contexts.kernel.events.subscriptions import Subscriber
from contexts.kernel.events.types import Event


def record_in_inbox(inbox: InboxStore, *, event_id: str, subscriber: str) -> bool:
    """Insert the inbox row inside the caller's transaction; False if it was there already.

    The unique (event_id, subscriber) key decides: a concurrent second delivery waits on
    the first one's row and then finds it, so the effect cannot happen twice.
    """
    try:
        # A savepoint, so that a duplicate leaves the caller's transaction usable.
        with transaction.atomic(using=inbox.alias):
            inbox.inbox.objects.using(inbox.alias).create(event_id=event_id, subscriber=subscriber)
    except IntegrityError:
        return False
    return True


def consume(subscriber: Subscriber, event: Event) -> bool:
    """Run the subscriber's handler on `event` once; False when the inbox says it already ran.

    The handler runs inside a transaction on the consuming context's alias, so whatever
    it changes there commits with the inbox row or rolls back with it on an error.
    """
    with transaction.atomic(using=subscriber.inbox.alias):
        if not record_in_inbox(
            subscriber.inbox, event_id=event.event_id, subscriber=subscriber.name
        ):
            return False
        subscriber.handler(event)
    return True
