"""Build DATABASES: one alias per context, SQLite files or PostgreSQL schemas."""

from pathlib import Path
from typing import Any

import dj_database_url

POSTGRES_ENGINES = {"django.db.backends.postgresql"}
# How long a SQLite connection waits for another one's write lock before it gives up with
# "database is locked". Writes hold the lock for milliseconds (no rendering or hashing
# happens inside a transaction), so only a pile-up of many writers comes near it.
SQLITE_BUSY_TIMEOUT_SECONDS = 20
# psycopg's own default: a statement sent through a server-binding cursor is prepared
# after this many runs on a connection, or at once with prepare=True.
PREPARE_THRESHOLD = 5
SQLITE_OPTIONS = {
    # BEGIN IMMEDIATE: a transaction takes the write lock when it starts. A deferred one
    # reads first and then cannot upgrade to a write while another connection writes:
    # SQLite answers "database is locked" at once, without waiting.
    "transaction_mode": "IMMEDIATE",
    "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
}


def database_settings(
    *,
    database_url: str,
    aliases: tuple[str, ...],
    var_dir: Path,
    local: tuple[str, ...] | None = None,
    roles: bool = False,
    conn_max_age: int = 60,
    conn_health_checks: bool = False,
    prepared_statements: bool = True,
) -> dict:
    """Return the DATABASES setting for `aliases` ("default" first).

    With `prepared_statements` (PostgreSQL), a statement the code sends with psycopg's
    `prepare=True` (kernel.sql, the outbox's insert) is parsed and planned once per
    connection; Django's own queries are never prepared (its cursors bind on the client).
    Without it nothing is prepared, as a transaction-mode connection pooler needs.

    Only the aliases in `local` (all when None) are configured: a process of a split
    deployment opens its own context's database and no other. Django always needs a
    "default"; when it is not local it is left empty, and any use of it fails. With
    `roles` (PostgreSQL), each alias connects as a role of its own (`role_name`) that
    `manage.py db_roles` made the owner of that alias's schema and nothing else.
    """
    databases = _all_databases(
        database_url=database_url,
        aliases=aliases,
        var_dir=var_dir,
        conn_max_age=conn_max_age,
        conn_health_checks=conn_health_checks,
        prepared_statements=prepared_statements,
    )
    if roles:
        if not database_url:
            raise ValueError("DATABASE_ROLES needs DATABASE_URL (PostgreSQL)")
        for alias, settings in databases.items():
            settings["USER"] = role_name(settings["NAME"], alias)
    if local is None:
        return databases
    unknown = set(local) - set(aliases)
    if unknown:
        raise ValueError(f"PROCESS_CONTEXTS names unknown contexts: {', '.join(sorted(unknown))}")
    chosen = {alias: settings for alias, settings in databases.items() if alias in local}
    return {"default": {}, **chosen}


def _all_databases(
    *,
    database_url: str,
    aliases: tuple[str, ...],
    var_dir: Path,
    conn_max_age: int,
    conn_health_checks: bool,
    prepared_statements: bool,
) -> dict:
    if not database_url:
        return {
            alias: {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": var_dir / f"{alias}.sqlite3",
                "OPTIONS": dict(SQLITE_OPTIONS),
            }
            for alias in aliases
        }
    base = dj_database_url.parse(
        database_url, conn_max_age=conn_max_age, conn_health_checks=conn_health_checks
    )
    if base["ENGINE"] not in POSTGRES_ENGINES:
        raise ValueError("DATABASE_URL must name a PostgreSQL database (postgresql://...)")
    if prepared_statements:
        # Django turns psycopg's preparing off unless told a threshold. Its own cursors
        # never prepare, so this only lets explicit prepare=True statements be prepared.
        base.setdefault("OPTIONS", {})["prepare_threshold"] = PREPARE_THRESHOLD
    databases = {}
    for alias in aliases:
        settings: dict[str, Any] = {**base, "OPTIONS": dict(base.get("OPTIONS", {}))}
        # Tests share one database too, laid out like production. Django creates and
        # migrates it once, through "default"; the test conftest then migrates each
        # context's alias into its schema (see tests/conftest.py).
        settings["TEST"] = {"NAME": f"test_{base['NAME']}"}
        if alias != "default":
            # Pin the context to its schema: its tables and its django_migrations
            # live there, and it cannot see any other context's tables.
            settings["OPTIONS"]["options"] = f"-c search_path={alias}"
            settings["SCHEMA"] = alias
        databases[alias] = settings
    return databases


def schema_of(settings_dict: dict) -> str | None:
    """Return the PostgreSQL schema an alias is pinned to, or None."""
    return settings_dict.get("SCHEMA")


def role_name(database: str, alias: str) -> str:
    """Return the PostgreSQL role an alias connects as when each has its own."""
    return f"{database}_{alias}"[:63]


def schema_or_public(settings_dict: dict) -> str:
    """Return the schema an alias's tables live in ("public" for Django's own)."""
    return schema_of(settings_dict) or "public"
