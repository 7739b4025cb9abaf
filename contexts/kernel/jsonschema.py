"""JSON schemas of Python type hints: the contracts of events and of internal api calls."""

import dataclasses
import functools
import types
import typing
from datetime import datetime
from typing import Any

_SIMPLE: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    datetime: {"type": "string", "format": "date-time"},
    type(None): {"type": "null"},
    None: {"type": "null"},
    Any: {},
}


class NoJsonForm(TypeError):
    """A type hint names a type that has no JSON form."""


def schema_of(hint: Any) -> dict[str, Any]:
    """Return the JSON schema of values of type `hint`."""
    if hint in _SIMPLE:
        return dict(_SIMPLE[hint])
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if isinstance(hint, types.UnionType) or origin is typing.Union:
        return {"anyOf": [schema_of(arg) for arg in args]}
    if origin in (list, tuple) or hint in (list, tuple):
        return {"type": "array", "items": schema_of(args[0]) if args else {}}
    if origin is dict or hint is dict:
        values = schema_of(args[1]) if len(args) == 2 else {}
        return {"type": "object", "additionalProperties": values}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return object_schema(hint)
    raise NoJsonForm(
        f"{hint!r} has no JSON form: use str, int, float, bool, datetime, lists, dicts "
        "and frozen dataclasses of them"
    )


@functools.cache
def object_schema(cls: type) -> dict[str, Any]:
    """Return the JSON schema of a dataclass: its init fields, those without defaults required."""
    hints = typing.get_type_hints(cls)
    fields = [item for item in dataclasses.fields(cls) if item.init]
    return {
        "type": "object",
        "properties": {item.name: schema_of(hints[item.name]) for item in fields},
        "required": [
            item.name
            for item in fields
            if item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
        ],
    }
