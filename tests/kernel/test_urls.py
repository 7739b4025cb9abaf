"""kernel.urls.path_of: what reverse() gives, whatever the arguments and script prefix."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

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


ODD = ["a", "0", "7", "a-b", "Alice7", "-", "zq0xjqz", "é", "a b", "a?b", "a%2F", "a.b", "~x"]
VIEWS = [
    ("blog_web:blog", 1),
    ("blog_web:blog_feed", 1),
    ("blog_web:author", 1),
    ("blog_web:author_feed", 1),
    ("blog_web:entry", 2),
    ("blog_web:entry_manage", 2),
    ("blog_web:blog_manage", 1),
    ("blog_api:entry-detail", 2),
]


@pytest.mark.parametrize(("viewname", "count"), VIEWS)
@pytest.mark.parametrize("prefix", ["/", "/journal/"])
def test_paths_with_arguments_are_what_reverse_gives(viewname, count, prefix):
    set_script_prefix(prefix)
    try:
        for argument in [*ODD, 12, 2**40]:
            arguments = [argument] * count
            try:
                expected = reverse(viewname, args=arguments)
            except NoReverseMatch:
                with pytest.raises(NoReverseMatch):
                    path_of(viewname, *arguments)
            else:
                assert path_of(viewname, *arguments) == expected, arguments
        with pytest.raises(NoReverseMatch):
            path_of(viewname, *["x"] * (count + 1))  # one argument too many
    finally:
        clear_script_prefix()
