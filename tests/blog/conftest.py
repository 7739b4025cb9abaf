"""Fixtures of the blog tests: accounts and tokens, authors, blogs, entries, a fake renderer."""

import html
import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from contexts.accounts import api as accounts_api
from contexts.blog import services
from contexts.blog.models import Author, Blog, Entry
from contexts.renderer import api as renderer_api

PASSWORD = "correct-horse-battery-9"
_names = itertools.count(1)


# --- accounts and tokens -------------------------------------------------------------


@pytest.fixture
def make_account() -> Callable[..., tuple[accounts_api.Account, str]]:
    """Return a factory that registers an account (unique name unless given)."""

    def make(name: str | None = None, password: str = PASSWORD):
        account = accounts_api.account_register(
            name=name or f"writer{next(_names)}", password=password
        )
        return account, password

    return make


@pytest.fixture
def account(make_account) -> tuple[accounts_api.Account, str]:
    """A registered account and its password."""
    return make_account()


@pytest.fixture
def token_for() -> Callable[[accounts_api.Account], str]:
    """Return a function that issues an access token for an account."""

    def issue(account: accounts_api.Account) -> str:
        return accounts_api.token_issue(account_id=account.id).token

    return issue


@pytest.fixture
def author_for() -> Callable[[accounts_api.Account], Author]:
    """Return a function that gives an account its blog author."""

    def ensure(account: accounts_api.Account) -> Author:
        return services.author_ensure(account_id=account.id, name=account.name)

    return ensure


@pytest.fixture
def author(account, author_for) -> Author:
    """The blog author of `account`."""
    return author_for(account[0])


@pytest.fixture
def make_blog() -> Callable[..., Blog]:
    """Return a factory of blogs: make_blog(owner, path=..., title=..., description=...)."""
    paths = itertools.count(1)

    def make(owner: Author, path: str | None = None, title: str = "A blog", description=""):
        return services.blog_create(
            owner=owner,
            path=path or f"blog-{next(paths)}",
            title=title,
            description=description,
        )

    return make


@pytest.fixture
def blog(author, make_blog) -> Blog:
    """A blog owned by `author`."""
    return make_blog(author, path="first-blog", title="First blog", description="About it")


@pytest.fixture
def make_entry() -> Callable[..., Entry]:
    """Return a factory of published entries: make_entry(blog, title=..., body=...)."""

    def make(blog: Blog, title: str = "An entry", body: str = "Some *text*.") -> Entry:
        return services.entry_publish(blog=blog, actor=blog.owner, title=title, body=body)

    return make


@pytest.fixture
def entry(blog, make_entry) -> Entry:
    """A published entry of `blog`."""
    return make_entry(blog, title="Hello", body="Hello *world*")


# --- HTTP clients --------------------------------------------------------------------


@pytest.fixture
def api_client() -> APIClient:
    """An anonymous REST client."""
    return APIClient()


@pytest.fixture
def client_for(token_for) -> Callable[[accounts_api.Account], APIClient]:
    """Return a function that gives a REST client sending an account's bearer token."""

    def make(account: accounts_api.Account) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(account)}")
        return client

    return make


@pytest.fixture
def owner_client(account, author, client_for) -> APIClient:
    """A REST client of the account that owns `blog`."""
    return client_for(account[0])


# --- renderer ------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeRendered:
    html: str
    link_urls: tuple[str, ...] = ()


@dataclass
class FakeRenderer:
    """A stand-in for renderer_api.render: predictable HTML, or failures on demand."""

    failing: bool = False
    failures_left: int = 0
    hanging: bool = False
    calls: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def __call__(self, src: str, *, links=None) -> FakeRendered:
        self.calls.append(src)
        if self.hanging:
            # Wait (in the render worker thread) until the test lets go.
            self.release.wait(timeout=30)
        if self.failing:
            raise RuntimeError("renderer is down")
        if self.failures_left > 0:
            self.failures_left -= 1
            raise RuntimeError("renderer is down, for now")
        return FakeRendered(html=fake_html(src))


def fake_html(src: str) -> str:
    """The HTML the fake renderer produces for `src`."""
    return f"<p>{html.escape(src)}</p>"


@pytest.fixture
def fake_renderer(monkeypatch) -> Iterator[FakeRenderer]:
    """Replace the renderer with a FakeRenderer for the test."""
    renderer = FakeRenderer()
    monkeypatch.setattr(renderer_api, "render", renderer, raising=False)
    yield renderer
    renderer.release.set()
