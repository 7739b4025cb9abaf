"""Fixtures for the kernel's event machinery: the test app's outbox and inbox."""

import pytest

from contexts.kernel.events.stores import consumer_stores, producer_stores

CONTEXT = "eventsapp"


@pytest.fixture
def producer():
    """The test app's outbox (in alias "default")."""
    return producer_stores()[CONTEXT]


@pytest.fixture
def consumer():
    """The test app's inbox (in alias "default")."""
    return consumer_stores()[CONTEXT]
