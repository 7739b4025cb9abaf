"""The list rows' links, built without the URL resolver, are the addresses it reverses to."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from contexts.blog.domain import author_url_path
from tests.blog.conftest_web import ALL_DATABASES, make_blog, publish, register


@pytest.mark.django_db(databases=ALL_DATABASES)
def test_the_link_filters_give_what_the_urls_reverse_to():
    entry = publish(make_blog(register("Alice7"), path="a-blog-2"), "Hello")
    template = Template(
        "{% load blog_links %}{{ entry|entry_url }} {{ entry.blog.path|blog_url }} "
        "{{ entry.blog.owner.name|author_url }}"
    )

    rendered = template.render(Context({"entry": entry})).split()

    assert rendered == [
        reverse("blog_web:entry", args=["a-blog-2", entry.pk]),
        reverse("blog_web:blog", args=["a-blog-2"]),
        reverse("blog_web:author", args=["Alice7"]),
    ]


@pytest.mark.parametrize("name", ["Alice7", "bob", "zoë", "a b", "a?c#d", "١٢٣", "x%41"])
def test_an_authors_link_is_the_address_the_urls_reverse_to(name):
    assert author_url_path(name) == reverse("blog_web:author", args=[name])
