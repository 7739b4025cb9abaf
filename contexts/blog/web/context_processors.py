"""Template context of every page: who is signed in (for the header), and its dates."""

from django.http import HttpRequest

from contexts.blog.templatetags.blog_time import page_moments
from contexts.blog.web.auth import SignedIn, current_author


def web_session(request: HttpRequest) -> dict:
    """Expose `signed_in` (a SignedIn or None) to templates.

    A session whose account has since been deleted, or whose password has since changed,
    shows as signed out: the header must not greet a session that no longer signs in.
    """
    author = current_author(request)
    account = None if author is None else SignedIn(account_id=author.account_id, name=author.name)
    return {"signed_in": account}


def moments(request: HttpRequest) -> dict:
    """Expose `moment` (blog_time.page_moments) to the Jinja2 pages: the time zone and the
    language looked up once a page rather than once a date."""
    return {"moment": page_moments()}
