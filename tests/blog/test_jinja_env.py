"""The pages' Jinja2 helpers (blog_project/jinja_env.py)."""

import pytest
from django.template import defaultfilters
from django.templatetags.static import static as static_url
from django.urls import clear_script_prefix, set_script_prefix
from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from blog_project.jinja_env import linebreaksbr, static, url

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


TEXTS = st.text(alphabet=st.sampled_from(list("ab \r\n\t&<>\"'é✓")), max_size=30)


@given(TEXTS, st.sampled_from([str, SafeString, Markup]))
def test_linebreaksbr_writes_what_djangos_filter_writes(text, kind):
    value = kind(text)

    written = linebreaksbr(value)

    assert written == defaultfilters.linebreaksbr(value, autoescape=True)
    assert isinstance(written, SafeString)


def test_static_urls_follow_the_script_prefix_and_the_settings(settings):
    assert static("blog/site.css") == static_url("blog/site.css")
    set_script_prefix("/journal/")
    try:
        assert static("blog/site.css") == static_url("blog/site.css")
    finally:
        clear_script_prefix()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_URL = "https://static.example.org/"
    assert static("blog/site.css") == "https://static.example.org/blog/site.css"
