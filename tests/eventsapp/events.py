"""Event types of the test app (a real context exports these from its api)."""

from dataclasses import dataclass
from datetime import datetime

from contexts.kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class ThingHappened(Event):
    type_name = "eventsapp.ThingHappened.v1"

    key: str
    at: datetime | None = None
    tags: list[str] | None = None


@dataclass(frozen=True, kw_only=True)
class FlakyThing(Event):
    """Its handler fails `fail_times` times, then succeeds."""

    type_name = "eventsapp.FlakyThing.v1"

    key: str
    fail_times: int


@dataclass(frozen=True, kw_only=True)
class DoomedThing(Event):
    """Its handler fails until the "doomed" switch is on."""

    type_name = "eventsapp.DoomedThing.v1"

    key: str


@dataclass(frozen=True, kw_only=True)
class Unheard(Event):
    """Nobody subscribes to it."""

    type_name = "eventsapp.Unheard.v1"

    key: str


@dataclass(frozen=True, kw_only=True)
class Burst(Event):
    """One of many, with one subscriber: what the load tests publish.

    With `stall`, its handler holds its transaction open until the "release" switch is
    on: a worker killed meanwhile is certain to die in the middle of it.
    """

    type_name = "eventsapp.Burst.v1"

    key: str
    stall: bool = False
