"""Helpers and fixtures of the web UI tests (imported by tests/blog/test_web*.py)."""

from collections.abc import Callable
from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contexts.accounts import api as accounts_api
from contexts.blog import services
from contexts.blog.models import Author, Blog, Entry

PASSWORD = "correct-horse-battery-9"
ALL_DATABASES = "__all__"


def register(name: str = "alice") -> Author:
    """Register an account and return its blog author."""
    account = accounts_api.account_register(name=name, password=PASSWORD)
    return services.author_ensure(account_id=account.id, name=account.name)


def sign_in(client: Client, name: str) -> None:
    """Sign `client` in through the sign-in form."""
    response = client.post("/signin", {"name": name, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


def client_of(name: str) -> Client:
    """Return a browser signed in as a newly registered account `name`."""
    register(name)
    client = Client()
    sign_in(client, name)
    return client


def make_blog(owner: Author, path: str = "alice-notes", title: str = "Alice's notes") -> Blog:
    return services.blog_create(owner=owner, path=path, title=title, description="About things")


def publish(blog: Blog, title: str = "Hello", body: str = "Some *text*.") -> Entry:
    return services.entry_publish(blog=blog, actor=blog.owner, title=title, body=body)


def count_queries(action: Callable[[], object]) -> int:
    """Run `action` and return how many SQL queries it sent, over every database alias."""
    with ExitStack() as stack:
        contexts = [
            stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in settings.DATABASES
        ]
        action()
    return sum(len(context.captured_queries) for context in contexts)


def text(response) -> str:
    return response.content.decode()
