"""Helpers and fixtures of the web UI tests (imported by tests/blog/test_web*.py)."""

import re
from collections.abc import Callable
from contextlib import ExitStack
from html.parser import HTMLParser

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


NON_FIELD = "__all__"


class _FormErrors(HTMLParser):
    """The error messages a form page shows: each field's, from the list inside the field's
    box (<div class="field">, which holds its input), and the form's own (the alert)."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: dict[str, list[str]] = {}
        self._boxes: list[tuple[list[str], list[str]] | None] = []  # per open <div>
        self._in_list = self._in_alert = False
        self._item: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        box = next((b for b in reversed(self._boxes) if b is not None), None)
        if tag == "div":
            if "alert--error" in classes:
                self._in_alert = True
            self._boxes.append(([], []) if "field" in classes else None)
        elif tag in ("input", "textarea", "select") and box is not None and attributes.get("name"):
            box[0].append(attributes["name"])
        elif tag == "ul" and "errorlist" in classes and box is not None:
            self._in_list = True
        elif (tag == "li" and self._in_list) or (tag == "p" and self._in_alert):
            self._item = []

    def handle_data(self, data) -> None:
        if self._item is not None:
            self._item.append(data)

    def handle_endtag(self, tag) -> None:
        if tag in ("li", "p") and self._item is not None:
            message = "".join(self._item).strip()
            self._item = None
            if self._in_alert:
                self.errors.setdefault(NON_FIELD, []).append(message)
            else:
                box = next(b for b in reversed(self._boxes) if b is not None)
                box[1].append(message)
        elif tag == "ul":
            self._in_list = False
        elif tag == "div" and self._boxes:
            closed = self._boxes.pop()
            if closed is None:
                self._in_alert = False
            elif closed[1]:
                for name in closed[0]:
                    self.errors.setdefault(name, []).extend(closed[1])


def form_errors(response) -> dict[str, list[str]]:
    """The error messages the page shows, by the name of the field they stand next to
    (NON_FIELD for the form's own)."""
    parser = _FormErrors()
    parser.feed(text(response))
    parser.close()
    return parser.errors


def field_errors(response, field: str) -> list[str]:
    """The error messages the page shows next to the field named `field`."""
    return form_errors(response).get(field, [])


def csrf_token(response) -> str:
    """The CSRF token of the page's first form, as a script or a browser reads it."""
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(response))
    assert found, "no CSRF token on the page"
    return found.group(1)
