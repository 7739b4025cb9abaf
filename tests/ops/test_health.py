"""Liveness and readiness as an orchestrator sees them."""

import pytest
from django.conf import settings
from django.db import OperationalError, connections

pytestmark = pytest.mark.django_db(databases="__all__")


def test_health_answers_200(client):
    response = client.get("/server/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/server/health", "/server/ready"])
def test_load_balancers_may_probe_with_head(client, path):
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405


def test_ready_checks_every_database_alias(client):
    response = client.get("/server/ready")

    assert response.status_code == 200
    checks = response.json()["checks"]
    for alias in ("default", "accounts", "blog", "renderer", "fetcher"):
        assert checks[f"database:{alias}"] == "ok"


def test_ready_answers_503_naming_a_database_that_does_not_answer(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["blog"], "cursor", broken_cursor)

    response = client.get("/server/ready")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database:blog"].startswith("error: OperationalError")
    assert checks["database:accounts"] == "ok"


def test_ready_answers_503_when_the_configured_broker_does_not_answer(client, settings):
    # Nothing listens on port 1: the broker check must fail, not hang.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/server/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error:")


def test_ready_includes_a_broker_that_answers(client, redis_broker):
    response = client.get("/server/ready")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_ready_has_no_broker_check_in_eager_mode(client):
    if settings.CELERY_BROKER_URL:
        pytest.skip("a broker is configured in this run")

    response = client.get("/server/ready")

    assert "broker" not in response.json()["checks"]
