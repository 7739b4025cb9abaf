"""The message that carries one event from a producer's relay to each consumer's inbox."""

import uuid
from dataclasses import dataclass
from typing import Any

from contexts.kernel.events.types import TYPE_NAME_PATTERN


class InvalidEnvelope(ValueError):
    """A message on an events queue is not an event envelope."""


@dataclass(frozen=True)
class Envelope:
    """An event as it travels: its id, type, JSON payload, the producing context, headers.

    It names its type, never a consumer: the broker routes it by type to every
    consuming context's queue.
    """

    event_id: str
    type_name: str
    payload: dict[str, Any]
    producer: str
    headers: dict[str, str]

    def to_message(self) -> dict[str, Any]:
        """Return the JSON body sent to the broker."""
        return {
            "event_id": self.event_id,
            "type": self.type_name,
            "producer": self.producer,
            "headers": self.headers,
            "payload": self.payload,
        }

    @classmethod
    def from_message(cls, body: Any) -> "Envelope":
        """Read a message body; raise InvalidEnvelope when it is not one of ours."""
        if not isinstance(body, dict):
            raise InvalidEnvelope("the message body is not a JSON object")
        event_id, type_name = body.get("event_id"), body.get("type")
        payload, headers = body.get("payload"), body.get("headers") or {}
        try:
            event_id = str(uuid.UUID(str(event_id)))
        except ValueError:
            raise InvalidEnvelope(f"event_id {event_id!r} is not a UUID") from None
        if not isinstance(type_name, str) or not TYPE_NAME_PATTERN.match(type_name):
            raise InvalidEnvelope(f"type {type_name!r} is not an event type name")
        if not isinstance(payload, dict) or payload.get("type") != type_name:
            raise InvalidEnvelope("the payload is not an object of the envelope's type")
        if not isinstance(headers, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in headers.items()
        ):
            raise InvalidEnvelope("headers must map strings to strings")
        return cls(event_id, type_name, payload, str(body.get("producer", "")), headers)
