"""Each context's data lives in its own alias; on PostgreSQL, in its own schema."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connections

from blog_project.databases import database_settings
from blog_project.routers import ContextRouter
from contexts.kernel.events.stores import is_local

CONTEXTS = ("accounts", "blog", "renderer", "fetcher", "search")


def test_every_context_has_an_alias_named_after_it():
    assert set(settings.DATABASES) == {"default", *CONTEXTS}


def test_the_router_sends_framework_apps_to_default_and_contexts_to_their_alias():
    router = ContextRouter()
    user = apps.get_model("auth", "User")

    assert router.db_for_write(user) == "default"
    assert router.allow_migrate("default", "auth") is True
    assert router.allow_migrate("blog", "auth") is False
    for context in CONTEXTS:
        assert router.allow_migrate(context, context) is True
        assert router.allow_migrate("default", context) is False
        others = [c for c in CONTEXTS if c != context]
        assert all(router.allow_migrate(other, context) is False for other in others)


def test_the_router_refuses_a_relation_across_contexts_and_allows_one_inside():
    router = ContextRouter()
    user = apps.get_model("auth", "User")
    group = apps.get_model("auth", "Group")

    class _Fake:
        def __init__(self, label):
            self._meta = type("Meta", (), {"app_label": label})

    assert router.allow_relation(_Fake("blog"), _Fake("blog")) is True
    assert router.allow_relation(_Fake("blog"), _Fake("accounts")) is False
    assert router.allow_relation(_Fake("blog"), user()) is False
    assert router.allow_relation(user(), group()) is True


def test_embedded_default_is_one_sqlite_file_per_alias():
    if settings.DATABASE_URL:
        pytest.skip("DATABASE_URL is set in this run")
    names = {str(db["NAME"]) for db in settings.DATABASES.values()}
    assert len(names) == len(settings.DATABASES)
    assert all(db["ENGINE"] == "django.db.backends.sqlite3" for db in settings.DATABASES.values())


@pytest.mark.django_db(databases="__all__")
def test_on_postgresql_every_context_table_is_in_its_own_schema(postgres):
    for context in CONTEXTS:
        connection = connections[context]
        expected = {m._meta.db_table for m in apps.get_app_config(context).get_models()}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            )
            rows = cursor.fetchall()
        by_schema: dict[str, set[str]] = {}
        for schema, table in rows:
            by_schema.setdefault(schema, set()).add(table)
        assert expected <= by_schema.get(context, set()), context
        assert "django_migrations" in by_schema.get(context, set())
        assert not (expected & by_schema.get("public", set())), context
        # The context's connection sees only its own schema.
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            assert cursor.fetchone()[0] == context


def test_a_process_of_a_split_deployment_opens_only_the_databases_it_names(tmp_path):
    only_accounts = database_settings(
        database_url="", aliases=("default", *CONTEXTS), var_dir=tmp_path, local=("accounts",)
    )

    assert set(only_accounts) == {"default", "accounts"}
    assert only_accounts["default"] == {}  # Django needs one; any use of it fails
    with pytest.raises(ValueError, match="unknown contexts: nowhere"):
        database_settings(
            database_url="", aliases=("default", *CONTEXTS), var_dir=tmp_path, local=("nowhere",)
        )


def test_another_contexts_tables_fail_loudly_where_its_database_is_not_open(settings):
    settings.DATABASES = {
        "default": {"ENGINE": "django.db.backends.dummy"},
        "accounts": settings.DATABASES["accounts"],
    }
    entry = apps.get_model("blog", "Entry")

    # Routed to its own alias, which this process lacks, never to "default".
    assert ContextRouter().db_for_read(entry) == "blog"
    assert not is_local("blog") and is_local("accounts") and not is_local("default")


def test_statements_are_prepared_on_postgresql_unless_a_pooler_needs_them_not_to_be(tmp_path):
    url = "postgresql://postgres@127.0.0.1:5432/blog"
    prepared = database_settings(database_url=url, aliases=("default", "blog"), var_dir=tmp_path)
    unprepared = database_settings(
        database_url=url,
        aliases=("default", "blog"),
        var_dir=tmp_path,
        prepared_statements=False,
    )

    assert {alias["OPTIONS"].get("prepare_threshold") for alias in prepared.values()} == {5}
    # Django's own default: psycopg prepares nothing.
    assert all("prepare_threshold" not in alias["OPTIONS"] for alias in unprepared.values())
