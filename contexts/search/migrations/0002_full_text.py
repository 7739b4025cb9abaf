"""The full-text index of search_document, in the database's own engine.

PostgreSQL: a generated tsvector column, the title weighted 'A' over the text 'B'
(English stemming), with a GIN index. SQLite: an FTS5 table whose content is
search_document (title, text), kept in step by triggers, with the Porter stemmer.
backends.py queries both with the same configuration.

Later migrations that alter search_document must keep this working: on SQLite, Django
rebuilds a table it alters and its triggers go with it; on PostgreSQL a column that the
generated one reads cannot change its type while it exists.
"""

from sqlite3 import sqlite_version

from django.db import migrations

POSTGRES_FORWARD = [
    """
    ALTER TABLE search_document ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, text), 'B')
    ) STORED
    """,
    "CREATE INDEX search_document_vector ON search_document USING gin (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS search_vector",
]

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_document_fts USING fts5(
        title, text, content='search_document', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER search_document_fts_insert AFTER INSERT ON search_document BEGIN
        INSERT INTO search_document_fts(rowid, title, text)
        VALUES (new.id, new.title, new.text);
    END
    """,
    """
    CREATE TRIGGER search_document_fts_delete AFTER DELETE ON search_document BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END
    """,
    """
    CREATE TRIGGER search_document_fts_update AFTER UPDATE OF title, text ON search_document
    BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO search_document_fts(rowid, title, text)
        VALUES (new.id, new.title, new.text);
    END
    """,
    # Rows written before the index existed.
    "INSERT INTO search_document_fts(search_document_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_document_fts_update",
    "DROP TRIGGER IF EXISTS search_document_fts_delete",
    "DROP TRIGGER IF EXISTS search_document_fts_insert",
    "DROP TABLE IF EXISTS search_document_fts",
]

FTS5_MISSING = (
    "The search context needs SQLite's FTS5 full-text extension, and the SQLite this "
    "Python uses ({version}) was built without it. Use a Python whose sqlite3 has FTS5 "
    "(the python.org and Debian/Ubuntu builds do), or run on PostgreSQL (DATABASE_URL)."
)


def sqlite_has_fts5(connection) -> bool:
    """Tell whether an SQLite connection can create FTS5 tables."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        options = {row[0] for row in cursor.fetchall()}
    if "ENABLE_FTS5" in options:
        return True
    try:  # built as a loadable extension, or under another option name
        with connection.cursor() as cursor:
            cursor.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
            cursor.execute("DROP TABLE temp.fts5_probe")
    except Exception:
        return False
    return True


def _run(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        _run(schema_editor, POSTGRES_FORWARD)
    elif connection.vendor == "sqlite":
        if not sqlite_has_fts5(connection):
            raise RuntimeError(FTS5_MISSING.format(version=sqlite_version))
        _run(schema_editor, SQLITE_FORWARD)
    else:
        raise RuntimeError(f"search has no full-text index for {connection.vendor} databases")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
