"""Who is signed in to the web UI: the account that the server-side session holds."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.middleware.csrf import rotate_token
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from contexts.blog import selectors
from contexts.blog.models import Author
from contexts.blog.web import kept
from contexts.blog.web.sessions import (
    SESSION_ACCOUNT_ID,
    SESSION_ACCOUNT_NAME,
    SESSION_CREDENTIALS_GENERATION,
)

__all__ = [
    "SESSION_ACCOUNT_ID",
    "SESSION_ACCOUNT_NAME",
    "SignedIn",
    "author_required",
    "current_author",
    "safe_next",
    "sign_in",
    "sign_out",
    "signed_in",
    "signin_url",
    "writer_required",
]

# The author of the request, looked up once per request (decorators, header, views).
_AUTHOR_ATTRIBUTE = "_blog_current_author"


@dataclass(frozen=True)
class SignedIn:
    """The account a browser is signed in as."""

    account_id: str
    name: str


def signed_in(request: HttpRequest) -> SignedIn | None:
    """Return the account this request's session says is signed in, or None (not checked)."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    account_id = session.get(SESSION_ACCOUNT_ID)
    name = session.get(SESSION_ACCOUNT_NAME)
    if not account_id or not name:
        return None
    return SignedIn(account_id=account_id, name=name)


def current_author(request: HttpRequest) -> Author | None:
    """Return the author this request is signed in as, or None.

    A session whose account was deleted meanwhile (its author is gone), or that signed
    in before the account's password changed (an older credentials generation), signs
    nobody in: it is ended.
    """
    if hasattr(request, _AUTHOR_ATTRIBUTE):
        return getattr(request, _AUTHOR_ATTRIBUTE)
    account = signed_in(request)
    author = None
    if account is not None:
        author = selectors.author_get_by_account(account_id=account.account_id)
        generation = request.session.get(SESSION_CREDENTIALS_GENERATION) or 0
        if author is None or generation < author.credentials_generation:
            author = None
            sign_out(request)
    setattr(request, _AUTHOR_ATTRIBUTE, author)
    return author


def sign_in(
    request: HttpRequest, *, account_id: str, name: str, credentials_generation: int
) -> None:
    """Remember the account in the session under a new session key (no fixation)."""
    current = request.session.get(SESSION_ACCOUNT_ID)
    if current is not None and current != account_id:
        # Nothing of another account's session may leak into this one.
        _flush_keeping_texts(request)
    request.session[SESSION_ACCOUNT_ID] = account_id
    request.session[SESSION_ACCOUNT_NAME] = name
    request.session[SESSION_CREDENTIALS_GENERATION] = credentials_generation
    # The new key's row is written now, already at the new generation: a PasswordChanged
    # event that a worker delivers before this response ends must not end it.
    request.session.cycle_key()
    rotate_token(request)
    if hasattr(request, _AUTHOR_ATTRIBUTE):
        delattr(request, _AUTHOR_ATTRIBUTE)


def sign_out(request: HttpRequest, *, keep_texts: bool = True) -> None:
    """Forget the account: the session row goes away, so the old cookie stops working.

    Texts kept for a writer whose session ended (web.kept) move to the new session,
    unless `keep_texts` is false (the account is gone).
    """
    if keep_texts:
        _flush_keeping_texts(request)
    else:
        request.session.flush()
    setattr(request, _AUTHOR_ATTRIBUTE, None)


def _flush_keeping_texts(request: HttpRequest) -> None:
    texts = kept.all_kept(request.session)
    request.session.flush()
    kept.put_back(request.session, texts)


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
        author = current_author(request)
        if author is None:
            return HttpResponseRedirect(signin_url(request.get_full_path()))
        return view(request, *args, author=author, **kwargs)

    return wrapper


def writer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """author_required for the entry editor: a text posted after the session ended is kept.

    The title and body go into the session (web.kept) and the writer is sent to sign
    in, told that the text waits; the editor gives it back after signing in.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        author = current_author(request)
        if author is None:
            if request.method == "POST" and "body" in request.POST:
                kept.keep(
                    request.session,
                    editor_path=request.path,
                    title=request.POST.get("title", ""),
                    body=request.POST.get("body", ""),
                )
                messages.warning(
                    request,
                    "Your session had ended, so nothing was saved, but your text is kept. "
                    "Sign in and you will be back in the editor with it.",
                )
            return HttpResponseRedirect(signin_url(request.get_full_path()))
        return view(request, *args, author=author, **kwargs)

    return wrapper
