"""Give each context's schema a PostgreSQL role of its own, which can use nothing else.

Run it as a superuser (the DATABASE_URL's user), before the processes start with
DATABASE_ROLES=1 (`make run-split` does both): each alias then connects as
`<database>_<alias>`, the owner of its schema and of every table in it, and PUBLIC loses
its access to those schemas. A process that opens the blog's database cannot read the
accounts tables even if its code tried: the server refuses.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from psycopg import sql

from blog_project.databases import role_name, schema_or_public
from contexts.kernel.events.stores import is_local


class Command(BaseCommand):
    help = "Create a role per context alias and hand it its schema (PostgreSQL, as superuser)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--drop", action="store_true", help="hand everything back; drop the roles"
        )

    def handle(self, *args, **options) -> None:
        connection = connections["default"]
        if connection.vendor != "postgresql":
            raise CommandError("roles per context need PostgreSQL (DATABASE_URL)")
        database = connection.settings_dict["NAME"]
        owner = connection.settings_dict["USER"]
        for alias in connections.settings:
            if not is_local(alias):
                continue
            role = role_name(database, alias)
            schema = schema_or_public(connections.settings[alias])
            with connection.cursor() as cursor:
                if options["drop"]:
                    drop_role(cursor, role=role, to=owner)
                    self.stdout.write(f"dropped role {role}")
                else:
                    grant_schema(cursor, role=role, schema=schema, database=database)
                    self.stdout.write(f"role {role} owns schema {schema}")


def drop_role(cursor, *, role: str, to: str) -> None:
    """Hand what `role` owns back to `to`, and drop it."""
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        return
    cursor.execute(
        sql.SQL("REASSIGN OWNED BY {} TO {}").format(sql.Identifier(role), sql.Identifier(to))
    )
    cursor.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
    cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def grant_schema(cursor, *, role: str, schema: str, database: str) -> None:
    """Make `role` (created if needed) the owner of `schema` and all in it, and nobody else."""
    role_id, schema_id = sql.Identifier(role), sql.Identifier(schema)
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role_id))
    cursor.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role_id)
    )
    cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema_id))
    cursor.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(schema_id, role_id))
    cursor.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(schema_id))
    cursor.execute(
        """
        SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm')
        """,
        [schema],
    )
    # A table's own sequences (its ids) follow it to its new owner.
    for name, _ in cursor.fetchall():
        cursor.execute(
            sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.Identifier(schema, name), role_id)
        )
    cursor.execute(
        """
        SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = %s
        """,
        [schema],
    )
    for (name,) in cursor.fetchall():
        cursor.execute(
            sql.SQL("ALTER FUNCTION {}() OWNER TO {}").format(sql.Identifier(schema, name), role_id)
        )
