"""Template context of every page: who is signed in (for the header)."""

from django.http import HttpRequest

from contexts.blog.web.auth import signed_in


def web_session(request: HttpRequest) -> dict:
    """Expose `signed_in` (a SignedIn or None) to templates."""
    return {"signed_in": signed_in(request)}
