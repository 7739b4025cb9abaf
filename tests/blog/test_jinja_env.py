"""The pages' Jinja2 helpers (blog_project/jinja_env.py)."""

import pytest
from django.urls import clear_script_prefix, set_script_prefix

from blog_project.jinja_env import url

pytestmark = pytest.mark.django_db(databases="__all__")


def test_links_follow_the_script_prefix_the_site_is_served_under():
    assert url("blog_web:signin") == "/signin"
    assert url("blog_web:blog", "notes") == "/blogs/notes"
    set_script_prefix("/journal/")
    try:
        # Reversed once per prefix: a site moved under a prefix links inside it.
        assert url("blog_web:signin") == "/journal/signin"
        assert url("blog_web:blog", "notes") == "/journal/blogs/notes"
    finally:
        clear_script_prefix()
    assert url("blog_web:signin") == "/signin"
