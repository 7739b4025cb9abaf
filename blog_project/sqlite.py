"""Put each SQLite database file in WAL mode once, when it is migrated."""

from django.db import connections


def ensure_wal(sender, using: str, **kwargs) -> None:
    """pre_migrate handler: switch the alias's SQLite file to write-ahead logging.

    WAL is a property of the file, kept across connections and restarts, so it is set
    here rather than on every connection: readers then never wait for a writer, and a
    writer never waits for readers. In-memory test databases have no journal to change.
    """
    connection = connections[using]
    # connections[] is typed as the base wrapper; SQLite's has is_in_memory_db().
    if connection.vendor != "sqlite" or connection.is_in_memory_db():  # type: ignore[attr-defined]
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
