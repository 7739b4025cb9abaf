"""Helpers for tests of events: each context's outbox and inbox, and relaying by hand."""

from django.db.models import QuerySet

from contexts.kernel.events import dispatch
from contexts.kernel.events.config import events_config
from contexts.kernel.events.inbox import ProcessResult, receive
from contexts.kernel.events.relay import RelayResult, envelope_of
from contexts.kernel.events.stores import consumer_stores, producer_stores
from contexts.kernel.events.transports import InProcessTransport
from contexts.kernel.events.types import type_name_of


def outbox(context: str) -> QuerySet:
    """Return the outbox rows of a producing context."""
    return producer_stores()[context].rows


def inbox(context: str) -> QuerySet:
    """Return the inbox rows of a consuming context."""
    return consumer_stores()[context].rows


def outbox_row(context: str, event_type, **payload):
    """Return the one outbox row of `event_type` (whose payload has `payload`)."""
    filters = {f"payload__{key}": value for key, value in payload.items()}
    return outbox(context).get(type_name=type_name_of(event_type), **filters)


def inbox_row(context: str, event_type, **payload):
    """Return the one inbox row of `event_type` (whose payload has `payload`)."""
    filters = {f"payload__{key}": value for key, value in payload.items()}
    return inbox(context).get(type_name=type_name_of(event_type), **filters)


def relay_here(context: str) -> RelayResult:
    """Relay a context's due outbox rows into this process's inboxes, as a broker would."""
    return dispatch.relay_pending(producer_stores()[context], InProcessTransport(), events_config())


def apply_here(context: str) -> ProcessResult:
    """Apply a context's due inbox rows, as its worker would."""
    return dispatch.process_due(consumer_stores()[context], events_config())


def receive_again(producer: str, consumer: str, event_type) -> int:
    """Deliver an outbox row's message to a consumer once more (a broker's redelivery)."""
    store = producer_stores()[producer]
    row = outbox(producer).get(type_name=type_name_of(event_type))
    return receive(consumer_stores()[consumer], [envelope_of(store, row)], now=row.recorded_at)
