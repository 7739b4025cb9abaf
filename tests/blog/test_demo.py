"""`manage.py demo`: demo accounts, blogs and entries, loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from contexts.accounts import api as accounts_api
from contexts.accounts.validators import password_problems
from contexts.blog.management.commands.demo import DEMO_PASSWORD
from contexts.blog.models import Author, Blog, Entry
from tests.blog.conftest_web import (
    ALL_DATABASES,
    make_blog,
    register,
    text,
)

pytestmark = pytest.mark.django_db(databases=ALL_DATABASES)


def _demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_demo_loads_accounts_blogs_and_rendered_entries_and_prints_the_accounts():
    output = _demo("--if-empty")

    assert "alice, bob" in output and DEMO_PASSWORD in output
    assert set(Blog.objects.values_list("path", flat=True)) == {"alice-notes", "bob-cooks"}
    assert Entry.objects.count() == 4
    assert all(entry.rendered for entry in Entry.objects.all())
    for name in ("alice", "bob"):
        account = accounts_api.account_authenticate(name=name, password=DEMO_PASSWORD)
        assert Author.objects.filter(account_id=account.id, name=name).exists()


def test_the_demo_password_passes_the_password_validators():
    assert password_problems(name="alice", password=DEMO_PASSWORD) == []


def _entry_pages(client: Client, path: str) -> str:
    """Return the public pages of every entry of a blog, one after the other."""
    entries = Entry.objects.filter(blog__path=path)
    return "".join(text(client.get(f"/blogs/{path}/entries/{entry.pk}")) for entry in entries)


def test_demo_entries_show_off_the_notations_on_the_public_pages():
    _demo()
    client = Client()

    alice_page = _entry_pages(client, "alice-notes")
    bob_page = _entry_pages(client, "bob-cooks")

    assert '<a href="https://www.djangoproject.com/"' in alice_page and ">Django</a>" in alice_page
    assert 'href="https://example.com/"' in alice_page
    assert 'href="/authors/bob"' in alice_page
    assert "<table>" in alice_page and "<table>" in bob_page
    assert 'type="checkbox"' in alice_page
    assert "footnote" in alice_page
    assert "<pre" in alice_page and "greet" in alice_page
    assert "Rendering pending" not in alice_page + bob_page


def test_demo_accounts_can_sign_in_in_the_browser():
    _demo()
    client = Client()

    response = client.post("/signin", {"name": "alice", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert "Alice&#39;s notes" in text(client.get("/my/blogs"))


def test_demo_twice_changes_nothing():
    _demo()
    before = sorted(Entry.objects.values_list("id", "title"))

    _demo()

    assert sorted(Entry.objects.values_list("id", "title")) == before
    assert Blog.objects.count() == 2 and Author.objects.count() == 2


def test_demo_if_empty_does_nothing_when_a_blog_exists():
    make_blog(register("carol"), "carols-blog", "Carol's blog")

    output = _demo("--if-empty")

    assert "not loaded" in output
    assert list(Blog.objects.values_list("path", flat=True)) == ["carols-blog"]
    assert not Author.objects.filter(name__in=["alice", "bob"]).exists()


def test_demo_leaves_an_existing_account_of_the_same_name_alone():
    register("alice")  # a real person took the name, with another password

    _demo()

    assert not Blog.objects.filter(path="alice-notes").exists()
    assert Blog.objects.filter(path="bob-cooks").exists()
