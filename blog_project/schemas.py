"""Create a context's PostgreSQL schema before anything migrates into it."""

from django.db import connections

from blog_project.databases import schema_of


def ensure_schema(sender, using: str, **kwargs) -> None:
    """pre_migrate handler: CREATE SCHEMA IF NOT EXISTS for the alias being migrated."""
    connection = connections[using]
    schema = schema_of(connection.settings_dict)
    if connection.vendor != "postgresql" or not schema:
        return
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
