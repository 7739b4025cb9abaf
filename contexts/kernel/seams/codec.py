"""JSON forms of the values an api takes and returns: primitives, datetimes, frozen dataclasses.

The same rules both ways: what a caller encodes, the other side decodes by the type
hints of the Protocol method, so a remote call returns the very types an in-process
one does.
"""

import dataclasses
import functools
import types
import typing
from datetime import datetime
from typing import Any


class DecodeError(ValueError):
    """A JSON value does not have the shape its type hint asks for."""


def encode(value: Any) -> Any:
    """Return the JSON-ready form of `value`."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: encode(getattr(value, item.name)) for item in _fields(type(value))}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    raise TypeError(f"{type(value).__name__} has no JSON form for an api call")


@functools.cache
def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    return tuple(item for item in dataclasses.fields(cls) if item.init)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(value: Any, hint: Any) -> Any:
    """Rebuild a value of type `hint` from its JSON form; raise DecodeError if it cannot be."""
    if hint is Any or hint is object:
        return value
    if hint is None or hint is type(None):
        if value is not None:
            raise DecodeError(f"expected null, got {value!r:.40}")
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if isinstance(hint, types.UnionType) or origin is typing.Union:
        if value is None and type(None) in args:
            return None
        for arg in (arg for arg in args if arg is not type(None)):
            try:
                return decode(value, arg)
            except DecodeError:
                continue
        raise DecodeError(f"{value!r:.40} matches none of {hint}")
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise DecodeError(f"expected a list, got {type(value).__name__}")
        items = [decode(item, args[0] if args else Any) for item in value]
        return items if origin is list else tuple(items)
    if origin is dict:
        if not isinstance(value, dict):
            raise DecodeError(f"expected an object, got {type(value).__name__}")
        return {key: decode(item, args[1] if args else Any) for key, item in value.items()}
    if hint is datetime:
        try:
            return datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise DecodeError(f"expected an ISO datetime, got {value!r:.40}") from None
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise DecodeError(f"expected an object for {hint.__name__}")
        hints = _hints(hint)
        known = {item.name for item in _fields(hint)}
        try:
            return hint(**{
                key: decode(item, hints[key]) for key, item in value.items() if key in known
            })  # fmt: skip
        except TypeError as exc:
            raise DecodeError(f"{hint.__name__}: {exc}") from None
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint in (str, int, bool, float):
        if type(value) is not hint:
            raise DecodeError(f"expected {hint.__name__}, got {type(value).__name__}")
        return value
    raise DecodeError(f"no JSON form for {hint!r}")
