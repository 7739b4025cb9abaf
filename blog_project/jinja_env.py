"""The Jinja2 environment of the site's pages (TEMPLATES' first engine, in settings).

Django's template engine was two thirds of a cold render of the home page (issue 15):
the pages are Jinja2 templates (contexts/*/jinja2/), which compile to Python. Django's
engine stays behind it for the templates of other packages (the API docs page, the admin,
form widgets).

The helpers are the ones Django's templates loaded, the same functions:
`url(name, *args)` (reverse), `static(path)`, `moment(value[, format])`, the
`entry_url`, `blog_url` and `author_url` filters, and Django's filters the pages used
(`urlencode`, `truncatechars`, and `linebreaksbr` written here as Django writes it), so
that the pages read as they did.
Autoescaping is on: Django's SafeString and Jinja's Markup both have `__html__`, so what
was safe there (rendered entries, form fields, <time>) is written as is, the rest escaped.
"""

import html
import re
from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.template import Context as DjangoContext
from django.template import defaultfilters, defaulttags
from django.templatetags.static import static as static_url
from django.urls import get_script_prefix
from django.utils.safestring import SafeData, SafeString
from jinja2 import ChainableUndefined, Environment, pass_context
from jinja2.runtime import Context

from contexts.blog.templatetags import blog_links, blog_time
from contexts.kernel.urls import path_of


def url(viewname: str, *args: Any) -> str:
    """The path of the view `viewname` ("namespace:name") with its positional arguments."""
    # Reversed once for each URLconf and prefix (kernel.urls): the header's links on every
    # page, a blog's and an author's links on theirs.
    return path_of(viewname, *args)


def static(path: str) -> str:
    """The URL of the static file `path` (Django's static()), found once for each path
    and script prefix: 11 us a call, three calls in every page's head."""
    return _static(path, get_script_prefix())


@lru_cache(maxsize=256)
def _static(path: str, prefix: str) -> str:
    return static_url(path)


def _forget_static(*, setting: str, **kwargs: Any) -> None:
    # Tests that change where static files are served.
    if setting.startswith("STATIC") or setting == "STORAGES":
        _static.cache_clear()


setting_changed.connect(_forget_static, dispatch_uid="blog_project.jinja_env.static")

_NEWLINES = re.compile(r"\r\n|\r")


def linebreaksbr(value: Any) -> SafeString:
    """Django's `linebreaksbr` filter, autoescaping, without its lazy-string wrappers
    (4.6 us a call, one per blog card; 1.5 us this way): the text escaped unless it is
    safe already, each line break a <br>."""
    text = str(value)  # what Django's stringfilter does: a SafeString stays one
    escaped = text if isinstance(text, SafeData) else html.escape(text)
    return SafeString(_NEWLINES.sub("\n", escaped).replace("\n", "<br>"))


@pass_context
def querystring(context: Context, **changes: Any) -> str:
    """The request's query string with `changes` (None removes a key), as Django's
    `{% querystring %}` writes it."""
    return defaulttags.querystring(DjangoContext(), context["request"].GET, **changes)


def environment(**options: Any) -> Environment:
    """The environment Django's Jinja2 backend renders the pages with."""
    # As Django's templates: a missing variable (or attribute of one) is blank, and the
    # text of a template is written as it is, its last newline included.
    options.setdefault("undefined", ChainableUndefined)
    options.setdefault("keep_trailing_newline", True)
    # Always on, whatever OPTIONS say: every page escapes what it did not mark safe.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.globals.update(
        {
            "url": url,
            "static": static,
            "moment": blog_time.moment,
            "querystring": querystring,
        }
    )
    env.filters.update(
        {
            "entry_url": blog_links.entry_url,
            "blog_url": blog_links.blog_url,
            "author_url": blog_links.author_url,
            "linebreaksbr": linebreaksbr,
            "urlencode": defaultfilters.urlencode,
            "truncatechars": defaultfilters.truncatechars,
        }
    )
    return env
