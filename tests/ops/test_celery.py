"""Celery: eager in-process without a broker, a real worker with one."""

import os
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from blog_project.celery import app as celery_app


@celery_app.task(name="tests.worker_identity")
def worker_identity(value: int) -> dict:
    """Return where the task ran, so a test can tell eager from real execution."""
    return {"value": value * 2, "thread": threading.get_ident(), "pid": os.getpid()}


def test_without_a_broker_tasks_run_eagerly_in_process():
    if settings.CELERY_BROKER_URL:
        pytest.skip("a broker is configured in this run")

    result = worker_identity.delay(21)

    assert result.get(timeout=1) == {
        "value": 42,
        "thread": threading.get_ident(),
        "pid": os.getpid(),
    }


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_real_worker_runs_a_task_sent_through_redis(redis_broker):
    assert celery_app.conf.task_always_eager is False

    with start_worker(celery_app, pool="threads", concurrency=1, perform_ping_check=False):
        result = worker_identity.delay(21).get(timeout=30)

    assert result["value"] == 42
    # It ran on the worker's thread, not inline in the test.
    assert result["thread"] != threading.get_ident()
