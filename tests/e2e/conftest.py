"""Fixtures of the end-to-end tests: a clean environment, and a real Celery worker process."""

import pytest

from tests.workers import Worker


@pytest.fixture
def worker(start_worker) -> Worker:
    """A real worker on PostgreSQL and Redis, on a queue of this test's own (else skip).

    Deliveries are sent to that queue, so that no other run's worker takes them.
    """
    return start_worker("e2e").wait_ready()
