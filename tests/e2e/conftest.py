"""Fixtures of the end-to-end tests: a clean environment, and a real Celery worker process."""

import pytest

from tests.workers import Worker


@pytest.fixture
def worker(start_worker) -> Worker:
    """A real `celery worker` on PostgreSQL and Redis (else skip), with the events worker's
    threads inside it, as `make worker` runs it; on broker names of this test's own."""
    return start_worker("e2e", kind="celery").wait_ready()
