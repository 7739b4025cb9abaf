"""The event base type, its JSON form, and the registry of event types by name."""

import functools
import json
import re
import types
import typing
import uuid
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from contexts.kernel.jsonschema import NoJsonForm, object_schema

# <context>.<EventName>.v<version>, e.g. "accounts.AccountDeleted.v1".
TYPE_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\.[A-Z][A-Za-z0-9]*\.v[1-9][0-9]*$")
ENVELOPE_FIELDS = ("event_id", "occurred_at")

_types: dict[str, type["Event"]] = {}


class UnknownEventType(LookupError):
    """No event class is registered under a type name."""


class InvalidEvent(ValueError):
    """An event cannot be published as it is (not a frozen dataclass, not JSON)."""


def _new_event_id() -> str:
    return str(uuid.uuid4())


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened in a context, told to whoever subscribes.

    Subclass it as `@dataclass(frozen=True, kw_only=True)` with a class-level
    `type_name = "<context>.<EventName>.v<N>"` and JSON-serialisable fields (str, int,
    float, bool, None, lists and dicts of them; `datetime` fields travel as ISO text).
    A new meaning or a changed field gets a new version, i.e. a new class.
    """

    type_name: ClassVar[str]

    event_id: str = field(default_factory=_new_event_id)
    occurred_at: datetime = field(default_factory=_utc_now)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("type_name")
        if name is None:
            return  # an intermediate base class, not an event type of its own
        if not isinstance(name, str) or not TYPE_NAME_PATTERN.match(name):
            raise InvalidEvent(
                f"{cls.__qualname__}.type_name {name!r} must look like '<context>.<EventName>.v<N>'"
            )
        known = _types.get(name)
        if known is not None and _qualified(known) != _qualified(cls):
            raise InvalidEvent(f"event type {name!r} is already {_qualified(known)}")
        _types[name] = cls

    def to_payload(self) -> dict[str, Any]:
        """Return the event as a JSON-ready dict: its type, envelope and own fields."""
        payload: dict[str, Any] = {"type": self.type_name}
        for item in fields(self):
            payload[item.name] = _to_json(getattr(self, item.name))
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "Event":
        """Rebuild an event from `to_payload()` output (on `Event`, by its type name)."""
        target = cls
        name = payload.get("type")
        if cls is Event or name is not None:
            target = event_type(name)
            if not issubclass(target, cls):
                raise UnknownEventType(f"{name!r} is not a {cls.__qualname__}")
        # mypy takes the class's own __hash__ for the instances' (python/mypy#11470).
        hints, known = _fields_of(target)  # type: ignore[arg-type]
        # Fields the producer added in a compatible way are ignored, not fatal.
        values = {
            key: _from_json(value, hints.get(key)) for key, value in payload.items() if key in known
        }
        return target(**values)


@functools.cache
def _fields_of(cls: type[Event]) -> tuple[dict[str, Any], frozenset[str]]:
    """Return an event type's type hints and field names (worth keeping: hints are slow)."""
    return typing.get_type_hints(cls), frozenset(item.name for item in fields(cls))


def event_type(name: str | None) -> type[Event]:
    """Return the event class registered under `name`."""
    try:
        return _types[name]  # type: ignore[index]
    except KeyError:
        raise UnknownEventType(f"no event type is registered as {name!r}") from None


def type_name_of(event_or_type: "Event | type[Event] | str") -> str:
    """Return the type name of an event, an event class, or a name (checked)."""
    if isinstance(event_or_type, str):
        if not TYPE_NAME_PATTERN.match(event_or_type):
            raise InvalidEvent(f"{event_or_type!r} is not an event type name")
        return event_or_type
    name = getattr(event_or_type, "type_name", None)
    if not isinstance(name, str):
        raise InvalidEvent(f"{event_or_type!r} has no type_name")
    return name


def check_publishable(event: Event) -> dict[str, Any]:
    """Return the event's payload, or raise InvalidEvent saying what is wrong with it."""
    cls = type(event)
    if not isinstance(event, Event) or "type_name" not in vars(cls):
        raise InvalidEvent(f"{cls.__qualname__} is not an event type with a type_name")
    if not is_dataclass(cls) or not cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        raise InvalidEvent(f"{cls.__qualname__} must be a frozen dataclass")
    payload = event.to_payload()
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidEvent(f"{cls.__qualname__} is not JSON-serialisable: {exc}") from exc
    return payload


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_to_json(item) for item in value]
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    return value


def _from_json(value: Any, hint: Any) -> Any:
    if isinstance(value, str) and _is_datetime_hint(hint):
        return datetime.fromisoformat(value)
    return value


def _is_datetime_hint(hint: Any) -> bool:
    if hint is datetime:
        return True
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return datetime in typing.get_args(hint)
    return False


def json_schema(cls: type[Event]) -> dict[str, Any]:
    """Return the JSON schema of an event type's payload: its contract with its consumers."""
    try:
        # mypy takes the class's own __hash__ for the instances' (python/mypy#11470).
        fields_schema = object_schema(cls)  # type: ignore[arg-type]
    except NoJsonForm as exc:
        raise InvalidEvent(str(exc)) from None
    properties: dict[str, Any] = {"type": {"const": cls.type_name}, **fields_schema["properties"]}
    envelope = [name for name in ENVELOPE_FIELDS if name not in fields_schema["required"]]
    required = ["type", *envelope, *fields_schema["required"]]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": cls.type_name,
        "type": "object",
        "properties": properties,
        "required": required,
    }
