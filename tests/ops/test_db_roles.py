"""A role per context (PostgreSQL): the server itself keeps each context out of the others'
tables, as `make run-split` sets it up."""

from io import StringIO

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from blog_project.databases import role_name

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, databases="__all__")]


def _connect_as(alias: str) -> psycopg.Connection:
    params = connections[alias].get_connection_params()
    database = connections[alias].settings_dict["NAME"]
    return psycopg.connect(
        dbname=database,
        user=role_name(database, alias),
        host=params.get("host"),
        port=params.get("port"),
        options=f"-c search_path={alias}",
        autocommit=True,
    )


@pytest.fixture
def roles(postgres):
    call_command("db_roles", stdout=StringIO())
    yield
    for alias in settings.DATABASES:
        connections[alias].close()
    call_command("db_roles", "--drop", stdout=StringIO())


def test_the_blogs_role_cannot_read_the_accounts_tables(roles):
    with _connect_as("blog") as blog:
        blog.execute("SELECT count(*) FROM blog_blog").fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            blog.execute("SELECT count(*) FROM accounts.accounts_account")


def test_the_accounts_role_reads_its_own_tables_and_nothing_of_the_blog(roles):
    with _connect_as("accounts") as accounts:
        assert accounts.execute("SELECT count(*) FROM accounts_account").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            accounts.execute("SELECT count(*) FROM blog.blog_entry")
