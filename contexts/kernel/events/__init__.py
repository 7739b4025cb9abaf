"""Events between contexts: a transactional outbox, a publication registry, idempotent inboxes.

A producer publishes inside its use case's transaction (publishing.publish); each
subscriber gets each event in its own Celery task, at least once, retried with backoff;
an inbox row makes a redelivery a no-op. This package module exports only the pure event
types, so that a context's domain.py can define its events without importing Django;
the table bases are in .models, publish() in .publishing, configure() in .subscriptions.
"""

from contexts.kernel.events.types import Event, InvalidEvent, UnknownEventType, event_type

__all__ = ("Event", "InvalidEvent", "UnknownEventType", "event_type")
