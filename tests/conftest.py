"""Fixtures shared by every test folder: real services, and skipping without them."""

import os

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connections

pytest_plugins = ("celery.contrib.pytest",)

ALL_DATABASES = "__all__"


def _require_or_skip(reason: str) -> None:
    """Skip with `reason`, or fail when the run demands real services."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrate every context's alias into its schema of the shared test database.

    Aliases that share one test database are created once, through the first alias,
    and the others are only pointed at it; on PostgreSQL each context's schema must
    still be migrated through its own alias. (SQLite gives each alias its own
    in-memory database, which Django migrates itself.)
    """
    shared = [
        a for a in settings.DATABASES if a != "default" and connections[a].vendor == "postgresql"
    ]
    with django_db_blocker.unblock():
        for alias in shared:
            call_command("migrate", database=alias, verbosity=0, interactive=False)
    yield
    # The test database is dropped through "default": the other aliases must let go first.
    for alias in shared:
        connections[alias].close()


@pytest.fixture
def postgres() -> None:
    """Skip unless the databases are on PostgreSQL (DATABASE_URL)."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        _require_or_skip("DATABASE_URL does not name a PostgreSQL server")


@pytest.fixture
def redis_broker() -> str:
    """Return the Redis broker URL, or skip when none is configured or it does not answer."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        _require_or_skip("CELERY_BROKER_URL does not name a Redis server")

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        _require_or_skip(f"the Redis broker at CELERY_BROKER_URL does not answer: {exc}")
    return url
