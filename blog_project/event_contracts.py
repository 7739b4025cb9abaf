"""The published event types and their JSON schemas: the contract between producer and consumers.

architecture/events.json records every event type a context's api publishes, with its
schema. A type may gain optional fields; any other change (a field removed, retyped or
newly required) needs a new version, i.e. a new type name, because consumers and rows
already in outboxes and inboxes still speak the old one.
"""

import importlib
import inspect
import json
from pathlib import Path

from django.conf import settings

from contexts.kernel.events import Event
from contexts.kernel.events.types import json_schema

DOCUMENT = Path("architecture") / "events.json"
Contracts = dict[str, dict]


def _path() -> Path:
    return Path(settings.BASE_DIR) / DOCUMENT


def published_types() -> dict[str, tuple[str, type[Event]]]:
    """Return every event type exported by a context's api, by name, with its context."""
    found: dict[str, tuple[str, type[Event]]] = {}
    for context in settings.CONTEXTS:
        try:
            module = importlib.import_module(f"contexts.{context}.api")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, Event) and "type_name" in vars(value):
                found[value.type_name] = (context, value)
    return dict(sorted(found.items()))


def current() -> Contracts:
    """Return the contracts as the code defines them now."""
    return {
        name: {"producer": context, "schema": json_schema(cls)}
        for name, (context, cls) in published_types().items()
    }


def published() -> Contracts:
    """Return the contracts recorded in architecture/events.json (none if it is missing)."""
    path = _path()
    return json.loads(path.read_text()) if path.exists() else {}


def write(contracts: Contracts) -> None:
    """Record `contracts` in architecture/events.json."""
    _path().write_text(json.dumps(contracts, indent=2, sort_keys=True) + "\n")


def incompatibilities(before: Contracts, after: Contracts) -> list[str]:
    """Return how `after` breaks the consumers of `before` (empty when it does not)."""
    problems = []
    for name, old in before.items():
        new = after.get(name)
        if new is None:
            problems.append(
                f"{name} is no longer published; consumers may still expect it (if none does, "
                f"remove it from {DOCUMENT} by hand)"
            )
            continue
        old_schema, new_schema = old["schema"], new["schema"]
        for field, spec in old_schema["properties"].items():
            if field not in new_schema["properties"]:
                problems.append(f"{name}: field '{field}' was removed; publish a new version")
            elif new_schema["properties"][field] != spec:
                problems.append(f"{name}: field '{field}' changed type; publish a new version")
        for field in set(new_schema["required"]) - set(old_schema["required"]):
            if field in old_schema["properties"]:
                problems.append(f"{name}: field '{field}' became required; publish a new version")
            else:
                problems.append(
                    f"{name}: new field '{field}' is required; give it a default or publish "
                    "a new version"
                )
    return problems


def check() -> list[str]:
    """Return what is wrong with architecture/events.json against the code."""
    recorded, now = published(), current()
    problems = incompatibilities(recorded, now)
    if not problems and recorded != now:
        problems.append(
            f"{DOCUMENT} is out of date: run `manage.py events schemas --write` and commit it"
        )
    return problems
