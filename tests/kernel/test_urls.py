"""kernel.urls.path_of: what reverse() gives, whatever the script prefix."""

from django.urls import clear_script_prefix, reverse, set_script_prefix

from contexts.kernel.urls import path_of


def test_a_path_is_what_reverse_gives_under_each_script_prefix():
    assert path_of("blog_web:home") == reverse("blog_web:home") == "/"
    set_script_prefix("/journal/")
    try:
        assert path_of("blog_web:home") == reverse("blog_web:home") == "/journal/"
        assert path_of("blog_web:feed") == "/journal/feed"
    finally:
        clear_script_prefix()
    assert path_of("blog_web:feed") == reverse("blog_web:feed") == "/feed"
