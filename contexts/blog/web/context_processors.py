"""Template context of every page: who is signed in (for the header)."""

from django.http import HttpRequest

from contexts.blog import selectors
from contexts.blog.web.auth import signed_in


def web_session(request: HttpRequest) -> dict:
    """Expose `signed_in` (a SignedIn or None) to templates.

    A session whose account has since been deleted shows as signed out: the header must
    not greet an account that no longer exists.
    """
    account = signed_in(request)
    if account is not None and selectors.account_is_deleted(account_id=account.account_id):
        account = None
    return {"signed_in": account}
