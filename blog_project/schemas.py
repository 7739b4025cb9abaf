"""Create a context's PostgreSQL schema before anything migrates into it; wire its outbox
to wake the relay once it has."""

from django.db import connections

from blog_project.databases import schema_of
from contexts.kernel.events.dispatch import install_wakeup
from contexts.kernel.events.stores import producer_stores


def ensure_schema(sender, using: str, **kwargs) -> None:
    """pre_migrate handler: CREATE SCHEMA IF NOT EXISTS for the alias being migrated."""
    connection = connections[using]
    schema = schema_of(connection.settings_dict)
    if connection.vendor != "postgresql" or not schema:
        return
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def ensure_outbox_wakeups(sender, using: str, **kwargs) -> None:
    """post_migrate handler: the outbox in alias `using` wakes the relay on commit."""
    for store in producer_stores().values():
        if store.alias == using and store.context == sender.label:
            install_wakeup(connections[using], store)
