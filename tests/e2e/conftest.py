"""Fixtures of the end-to-end tests: a clean environment, and a real Celery worker process."""

import pytest
from django.core.cache import cache

from tests.workers import Worker


@pytest.fixture(autouse=True)
def _e2e_environment(settings, tmp_path):
    """Fast password hashing, a private token key folder, and no throttle counts left over."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ACCOUNTS_KEY_DIR = tmp_path / "keys"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def worker(start_worker) -> Worker:
    """A real worker on PostgreSQL and Redis, on a queue of this test's own (else skip).

    Deliveries are sent to that queue, so that no other run's worker takes them.
    """
    return start_worker("e2e").wait_ready()
