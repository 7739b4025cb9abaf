"""The subscription table the composition root hands over: who handles which event type."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

from contexts.kernel.events.stores import InboxStore, inbox_store_for_module
from contexts.kernel.events.types import Event, type_name_of

Handler = Callable[[Any], None]
HandlerRef = Handler | str
SubscriptionTable = Mapping[str | type[Event], Iterable[HandlerRef]]


class NotSubscribed(LookupError):
    """A publication names a subscriber that the table no longer holds."""


@dataclass(frozen=True)
class Subscriber:
    """One handler of one event type, with the inbox of the context it belongs to."""

    name: str
    handler: Handler
    inbox: InboxStore


_table: SubscriptionTable = {}
_resolved: dict[str, dict[str, Subscriber]] = {}


def configure(table: SubscriptionTable) -> SubscriptionTable:
    """Install the subscription table (event type or its name -> handlers); return the old one.

    A handler is a callable or its dotted path; it takes the event and lives in the
    consuming context's handlers.py. Every handler is resolved now, so that a typo or
    a context without an inbox fails at start-up rather than at the first delivery.
    """
    global _table, _resolved
    resolved: dict[str, dict[str, Subscriber]] = {}
    for key, handlers in table.items():
        type_name = type_name_of(key)
        by_name = resolved.setdefault(type_name, {})
        for ref in handlers:
            handler = import_string(ref) if isinstance(ref, str) else ref
            if not callable(handler):
                raise TypeError(f"the handler {ref!r} of {type_name} is not callable")
            name = subscriber_name(handler)
            by_name[name] = Subscriber(name, handler, inbox_store_for_module(handler.__module__))
    previous, _table, _resolved = _table, table, resolved
    return previous


def subscriber_name(handler: Handler) -> str:
    """Return the stable name a handler is recorded under: "module.qualname"."""
    return f"{handler.__module__}.{handler.__qualname__}"


def subscribers_of(type_name: str) -> list[Subscriber]:
    """Return the subscribers of an event type, in table order."""
    return list(_resolved.get(type_name, {}).values())


def subscriber(type_name: str, name: str) -> Subscriber:
    """Return the subscriber `name` of an event type."""
    try:
        return _resolved[type_name][name]
    except KeyError:
        raise NotSubscribed(f"'{name}' no longer subscribes to {type_name}") from None


def table() -> SubscriptionTable:
    """Return the table currently installed."""
    return _table
