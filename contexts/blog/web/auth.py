"""Who is signed in to the web UI: the account that the server-side session holds."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.middleware.csrf import rotate_token
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from contexts.blog import selectors

SESSION_ACCOUNT_ID = "blog_account_id"
SESSION_ACCOUNT_NAME = "blog_account_name"


@dataclass(frozen=True)
class SignedIn:
    """The account a browser is signed in as."""

    account_id: str
    name: str


def signed_in(request: HttpRequest) -> SignedIn | None:
    """Return the signed-in account of this request, or None."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    account_id = session.get(SESSION_ACCOUNT_ID)
    name = session.get(SESSION_ACCOUNT_NAME)
    if not account_id or not name:
        return None
    return SignedIn(account_id=account_id, name=name)


def sign_in(request: HttpRequest, *, account_id: str, name: str) -> None:
    """Remember the account in the session under a new session key (no fixation)."""
    current = request.session.get(SESSION_ACCOUNT_ID)
    if current is not None and current != account_id:
        # Nothing of another account's session may leak into this one.
        request.session.flush()
    else:
        request.session.cycle_key()
    request.session[SESSION_ACCOUNT_ID] = account_id
    request.session[SESSION_ACCOUNT_NAME] = name
    rotate_token(request)


def sign_out(request: HttpRequest) -> None:
    """Forget the account: the session row goes away, so the old cookie stops working."""
    request.session.flush()


def signin_url(next_path: str) -> str:
    """Return /signin?next=<next_path>."""
    query = QueryDict(mutable=True)
    query["next"] = next_path
    return f"{reverse('blog_web:signin')}?{query.urlencode(safe='/')}"


def safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    """Return `candidate` when it is a local URL of this site, else None."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return candidate


def author_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Call `view(request, *args, author=<Author>, **kwargs)`, or send the visitor to sign in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        account = signed_in(request)
        author = None
        if account is not None:
            author = selectors.author_get_by_account(account_id=account.account_id)
            if author is None:
                # The account (and with it the author) was deleted: the session is stale.
                sign_out(request)
        if author is None:
            return HttpResponseRedirect(signin_url(request.get_full_path()))
        return view(request, *args, author=author, **kwargs)

    return wrapper
