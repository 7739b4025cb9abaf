"""The subscription table the composition root hands over: who handles which event type.

A handler takes the event and runs inside the consuming context's transaction, together
with its inbox row. Slow work that needs no lock (rendering, a remote call) goes in a
`prepare` step, declared with `@prepared_by(...)`: it runs first, outside any
transaction, and the handler then receives its result as a second argument. A handler
whose effect on several events at once costs less than on each in turn (one statement
for many rows) declares that form with `@applied_together_by(...)`: a worker that holds
several of its events applies them in one call (see inbox.apply_claimed).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

from contexts.kernel.events.stores import ConsumerStore, consumer_store_for_module
from contexts.kernel.events.types import Event, type_name_of

Handler = Callable[..., None]
HandlerRef = Handler | str
SubscriptionTable = Mapping[str | type[Event], Iterable[HandlerRef]]
PREPARE_ATTRIBUTE = "events_prepare"
TOGETHER_ATTRIBUTE = "events_together"


class NotSubscribed(LookupError):
    """An inbox row names a subscriber that the table no longer holds."""


@dataclass(frozen=True)
class Subscriber:
    """One handler of one event type, with the inbox of the context it belongs to."""

    name: str
    handler: Handler
    store: ConsumerStore
    prepare: Callable[[Any], Any] | None = None
    together: Callable[[list[Any]], None] | None = None

    @property
    def context(self) -> str:
        return self.store.context


def applied_together_by(apply: Callable[[list[Any]], None]) -> Callable[[Handler], Handler]:
    """Declare that `apply(events)` has the effect of the handler on each of `events`, in
    any order: a worker holding several events of the handler may apply them in one call.

    Should the call fail, each event is applied again by the handler alone, so that one
    failing event is retried by itself. Not for a handler with a prepare step.
    """

    def declare(handler: Handler) -> Handler:
        setattr(handler, TOGETHER_ATTRIBUTE, apply)
        return handler

    return declare


def prepared_by(prepare: Callable[[Any], Any]) -> Callable[[Handler], Handler]:
    """Declare the slow, lock-free step of a handler: `prepare(event)` runs first, outside
    any transaction, and the handler is then called as `handler(event, prepared)`."""

    def declare(handler: Handler) -> Handler:
        setattr(handler, PREPARE_ATTRIBUTE, prepare)
        return handler

    return declare


_table: SubscriptionTable = {}
_resolved: dict[str, dict[str, Subscriber]] = {}


def configure(table: SubscriptionTable) -> SubscriptionTable:
    """Install the subscription table (event type or its name -> handlers); return the old one.

    A handler is a callable or its dotted path and lives in the consuming context's
    handlers.py. Every handler is resolved now, so that a typo or a context without an
    inbox fails at start-up rather than at the first delivery.
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
            prepare = getattr(handler, PREPARE_ATTRIBUTE, None)
            together = getattr(handler, TOGETHER_ATTRIBUTE, None)
            if prepare is not None and together is not None:
                raise TypeError(f"the handler {name} is prepared: it is applied event by event")
            by_name[name] = Subscriber(
                name, handler, consumer_store_for_module(handler.__module__), prepare, together
            )
    previous, _table, _resolved = _table, table, resolved
    return previous


def subscriber_name(handler: Handler) -> str:
    """Return the stable name a handler is recorded under: "module.qualname"."""
    return f"{handler.__module__}.{handler.__qualname__}"


def subscribers_of(type_name: str, *, context: str | None = None) -> list[Subscriber]:
    """Return the subscribers of an event type (in one context, if given), in table order."""
    found = _resolved.get(type_name, {}).values()
    return [item for item in found if context is None or item.context == context]


def subscriber(type_name: str, name: str) -> Subscriber:
    """Return the subscriber `name` of an event type."""
    try:
        return _resolved[type_name][name]
    except KeyError:
        raise NotSubscribed(f"'{name}' no longer subscribes to {type_name}") from None


def consuming_contexts(type_name: str) -> list[str]:
    """Return the contexts with at least one subscriber of an event type."""
    return list(dict.fromkeys(item.context for item in subscribers_of(type_name)))


def subscribed_types() -> dict[str, list[str]]:
    """Return, for each consuming context, the event types it subscribes to."""
    by_context: dict[str, list[str]] = {}
    for type_name, by_name in _resolved.items():
        for item in by_name.values():
            types = by_context.setdefault(item.context, [])
            if type_name not in types:
                types.append(type_name)
    return by_context


def table() -> SubscriptionTable:
    """Return the table currently installed."""
    return _table
