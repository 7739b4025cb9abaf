"""Every page under a strict Content-Security-Policy, and nothing on them that it would block."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.blog.conftest_web import ALL_DATABASES, client_of, make_blog, publish, register

pytestmark = pytest.mark.django_db(databases=ALL_DATABASES)


def _policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class _InlineCode(HTMLParser):
    """Collect what a strict policy would block: inline scripts, styles and handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {name}=" for name in names if name == "style"]
        self.found += [f"{tag} {name}=" for name in names if name.startswith("on")]
        for name, value in attrs:
            if name in {"href", "src", "action"} and (value or "").startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def _pages() -> list[tuple[Client, str]]:
    alice = client_of("alice")
    blog = make_blog(register("bob"), "bobs-blog", "Bob's blog")
    entry = publish(blog, "Hello", "Some *text* with an image ![x](https://img.example/x.png)")
    make_blog(register("carol"), "carols", "Carol's")
    anonymous = Client()
    alice.post("/my/blogs/-/create", {"path": "alices", "title": "Alice's", "description": ""})
    alices = "/my/blogs/alices"
    return [
        (anonymous, "/"),
        (anonymous, "/signin"),
        (anonymous, "/signup"),
        (anonymous, "/signout"),
        (anonymous, "/blogs/bobs-blog"),
        (anonymous, f"/blogs/bobs-blog/entries/{entry.pk}"),
        (anonymous, "/authors/bob"),
        (anonymous, "/no/such/page"),
        (alice, "/my/blogs"),
        (alice, "/my/blogs/-/create"),
        (alice, alices),
        (alice, f"{alices}/edit"),
        (alice, f"{alices}/delete"),
        (alice, f"{alices}/entries/-/publish"),
        (alice, "/my/blogs/bobs-blog"),  # another's: the friendly 403
        (anonymous, "/admin/login/"),
    ]


def test_every_page_has_a_strict_policy_and_nothing_inline_that_it_would_block():
    for client, url in _pages():
        response = client.get(url)
        policy = _policy(response)
        parser = _InlineCode()
        parser.feed(response.content.decode())

        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["default-src"] == ["'self'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["base-uri"] == ["'none'"], url
        assert parser.found == [], (url, parser.found)


def test_the_editor_loads_its_live_preview_from_a_file_the_policy_allows():
    alice = client_of("alice")
    alice.post("/my/blogs/-/create", {"path": "alices", "title": "Alice's", "description": ""})

    response = alice.get("/my/blogs/alices/entries/-/publish")

    assert '<script src="/static/blog/preview.js" defer></script>' in response.content.decode()
    # The preview posts to the render API on this site: connect-src 'self' allows it.
    assert _policy(response)["connect-src"] == ["'self'"]


def test_entry_images_from_https_are_allowed():
    response = Client().get("/")

    assert _policy(response)["img-src"] == ["'self'", "https:"]


def test_the_api_docs_page_works_under_a_policy_of_its_own():
    page = Client().get("/api/docs/")
    script = Client().get("/api/docs/?script=")

    assert page.status_code == 200
    policy = _policy(page)
    # Its start-up script is a file of its own, not inline code...
    assert 'src="/api/docs/?script="' in page.content.decode()
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
    # ...so scripts still cannot be inline; only Swagger UI's styles and icons are.
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'self'" in policy["script-src"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert "data:" in policy["img-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
