"""A use case of the test app, with and without announcing itself (for the benchmark too)."""

from django.db import transaction

from contexts.kernel.events.publishing import publish
from tests.eventsapp.events import Burst, ThingHappened
from tests.eventsapp.models import Thing

ALIAS = "default"


def thing_create(*, key: str, announce: bool = True) -> Thing:
    """Create a thing and, when `announce`, publish ThingHappened in the same transaction."""
    with transaction.atomic(using=ALIAS):
        thing = Thing.objects.using(ALIAS).create(key=key)
        if announce:
            publish(ThingHappened(key=key), using=ALIAS)
    return thing


def burst_publish(*, keys: list[str], stall: str | None = None) -> None:
    """Publish one Burst event per key, all in one transaction (the `stall` key stalls)."""
    with transaction.atomic(using=ALIAS):
        for key in keys:
            publish(Burst(key=key, stall=key == stall), using=ALIAS)
