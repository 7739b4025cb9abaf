"""Paths of views reversed once, then written (issue 15): reverse() costs 20 us a link
through the resolver."""

import re
from functools import lru_cache

from django.conf import settings
from django.urls import (
    NoReverseMatch,
    Resolver404,
    get_script_prefix,
    get_urlconf,
    resolve,
    reverse,
)

# Arguments that reverse() writes as they are, whatever `<str:...>` they fill: not empty,
# no "/", nothing quote() changes. A blog's path, an entry's id, an author's name.
_PLAIN_ARGUMENT = re.compile(r"[A-Za-z0-9-]+")
_PARAMETER = re.compile(r"<([^>]*)>")
_STR_PARAMETER = re.compile(r"(?:str:)?\w+")
# Stand-ins for the arguments while a route is reversed (plain, and found nowhere else).
_STAND_IN = "zq{}xjqz"


def path_of(viewname: str, *arguments: object) -> str:
    """reverse(viewname, args=arguments) ("namespace:name"), reversed once for each
    URLconf, script prefix and number of arguments, then written with the arguments when
    they are plain and the view's route takes them as `<str:...>` parameters."""
    urlconf, prefix = get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()
    if not arguments:
        return _reversed(viewname, urlconf, prefix)
    texts = [str(argument) for argument in arguments]  # what reverse() writes of each
    if all(_PLAIN_ARGUMENT.fullmatch(text) for text in texts):
        pieces = _route(viewname, len(texts), urlconf, prefix)
        if pieces is not None:
            written = [pieces[0]]
            for text, piece in zip(texts, pieces[1:], strict=True):
                written += (text, piece)
            return "".join(written)
    return reverse(viewname, args=arguments)


@lru_cache(maxsize=256)
def _reversed(viewname: str, urlconf: str, prefix: str) -> str:
    path = reverse(viewname, urlconf=urlconf)
    assert path.startswith(prefix)  # reverse wrote the prefix the cache is keyed on
    return path


@lru_cache(maxsize=256)
def _route(viewname: str, count: int, urlconf: str, prefix: str) -> tuple[str, ...] | None:
    """The literal pieces around `count` arguments of the view's path, or None when its
    route has parameters other than `<str:...>` (or none that takes `count`)."""
    stand_ins = [_STAND_IN.format(index) for index in range(count)]
    try:
        path = reverse(viewname, args=stand_ins, urlconf=urlconf)
        found = resolve("/" + path.removeprefix(prefix), urlconf=urlconf)
    except (NoReverseMatch, Resolver404):
        return None
    parameters = _PARAMETER.findall(found.route)
    if (
        found.view_name != viewname
        or len(parameters) != count
        or not all(_STR_PARAMETER.fullmatch(parameter) for parameter in parameters)
        or any(character in found.route for character in "^$()[]\\?*+{}|")  # a re_path
    ):
        return None
    between = "|".join(stand_ins)
    if re.findall(between, path) != stand_ins or not path.startswith(prefix):
        return None  # each argument once, in its order
    return tuple(re.split(between, path))
