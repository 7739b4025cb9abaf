"""Fixtures for the kernel's event machinery: the test app's stores."""

import pytest

from contexts.kernel.events.stores import producer_store

ALIAS = "default"


@pytest.fixture
def store():
    """The test app's producer store (outbox and publications, in alias "default")."""
    return producer_store(ALIAS)
