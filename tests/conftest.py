"""Fixtures shared by every test folder: real services, and skipping without them."""

import os
import uuid

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from blog_project.celery import app as celery_app
from contexts.accounts import api as accounts_api
from contexts.accounts.verification import TokenVerifier
from contexts.kernel.events import dispatch

pytest_plugins = ("celery.contrib.pytest", "tests.workers", "tests.split")

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


@pytest.fixture
def eager():
    """Run tasks in-process, as the embedded default does, whatever broker is configured."""
    keys = ("task_always_eager", "task_eager_propagates")
    before = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(dict.fromkeys(keys, True))
    yield
    celery_app.conf.update(before)


@pytest.fixture
def held(monkeypatch) -> None:
    """Leave published events in their outboxes: nothing relays or applies them on commit.

    As with a broker whose worker is not running; the test relays them itself
    (tests.events has helpers).
    """
    monkeypatch.setattr(dispatch, "is_eager", lambda: False)


@pytest.fixture(autouse=True)
def _isolated_environment(settings, tmp_path, monkeypatch):
    """Give every test fast password hashing, its own token key folder, an empty cache and
    a first commit that sweeps due retries.

    argon2 is slow on purpose; tests that check the real hashers set them back. A key
    prefix of its own gives each test an empty cache (no sign-in failures counted)
    without flushing a shared Redis database under other runs: cache.clear() on Redis
    is FLUSHDB.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ACCOUNTS_KEY_DIR = tmp_path / "keys"
    # Each test has keys of its own: verifiers must not keep the previous test's, neither
    # by caching them (a test that cached them for 300 s left them fresh for the next
    # tests, whose tokens then had a kid it would not fetch again so soon) nor otherwise.
    settings.ACCOUNTS_JWKS_CACHE_SECONDS = 0
    # The first commit of each test looks for due retries, whatever the previous test did.
    monkeypatch.setattr(dispatch, "_next_sweep_at", 0.0)
    monkeypatch.setattr(
        accounts_api, "_verifier", TokenVerifier(lambda: accounts_api.seam.api.token_keys())
    )
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()
    }
