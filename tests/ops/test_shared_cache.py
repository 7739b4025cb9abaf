"""The database cache of the production settings: routed to `default`, created, atomic."""

import threading

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connections

from blog_project.cache import DatabaseCache
from blog_project.checks import PER_PROCESS_CACHE, check_shared_cache
from blog_project.routers import ContextRouter

TABLE = "django_cache"
DATABASE_CACHE = {"default": {"BACKEND": "blog_project.cache.DatabaseCache", "LOCATION": TABLE}}


@pytest.fixture
def database_cache(settings):
    """The production settings' cache, its table created by migrate_all."""
    settings.CACHES = DATABASE_CACHE
    call_command("migrate_all", verbosity=0)
    cache = caches["default"]
    assert isinstance(cache, DatabaseCache)
    yield cache
    cache.clear()


def _expires(key: str):
    cache = caches["default"]
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"SELECT expires FROM {TABLE} WHERE cache_key = %s",  # noqa: S608
            [cache.make_key(key)],
        )
        return cursor.fetchone()[0]


def test_the_router_puts_the_cache_table_with_the_framework_tables():
    model = DatabaseCache(TABLE, {}).cache_model_class
    router = ContextRouter()

    assert router.db_for_read(model) == router.db_for_write(model) == "default"
    assert router.allow_migrate("default", "django_cache") is True
    assert all(
        router.allow_migrate(alias, "django_cache") is False
        for alias in ("accounts", "blog", "renderer")
    )


@pytest.mark.django_db(databases="__all__")
def test_migrate_all_creates_the_cache_table_in_default_only(database_cache):
    tables = {
        alias: connections[alias].introspection.table_names() for alias in connections.settings
    }

    assert TABLE in tables["default"]
    assert all(TABLE not in tables[alias] for alias in ("accounts", "blog", "renderer"))


@pytest.mark.django_db(databases="__all__")
def test_counters_count_and_keep_their_window(database_cache):
    database_cache.add("failures", 0, timeout=3600)
    before = _expires("failures")

    counts = [database_cache.incr("failures") for _ in range(3)]
    database_cache.decr("failures")

    assert counts == [1, 2, 3]
    assert database_cache.get("failures") == 2
    # Django's own incr() rewrote the entry with the default timeout (300 s here),
    # shrinking or stretching a throttle's window.
    assert _expires("failures") == before
    with pytest.raises(ValueError):
        database_cache.incr("never-set")


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_increments_from_concurrent_connections_are_never_lost(postgres, database_cache):
    database_cache.add("failures", 0, timeout=3600)
    gate = threading.Barrier(4)

    def count() -> None:
        gate.wait()
        try:
            for _ in range(25):
                caches["default"].incr("failures")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=count) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert database_cache.get("failures") == 100


def test_a_deployment_with_a_per_process_cache_is_refused(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    errors = check_shared_cache()

    assert [error.id for error in errors] == [PER_PROCESS_CACHE]


@pytest.mark.parametrize(
    "backend",
    ["blog_project.cache.DatabaseCache", "django.core.cache.backends.redis.RedisCache"],
)
def test_a_deployment_with_a_shared_cache_passes(settings, backend):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "x"}}

    assert check_shared_cache() == []
