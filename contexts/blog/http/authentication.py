"""Access tokens on the blog's endpoints: verified locally, refused by what the blog learnt."""

from typing import cast

from rest_framework import exceptions
from rest_framework.request import Request

from contexts.accounts import api as accounts_api
from contexts.blog import selectors
from contexts.blog.models import Author, Blog


def blog_token_author(
    token: str, *, blog_path: str | None = None
) -> tuple[accounts_api.Principal, Author | None, Blog | None]:
    """Return whom an accounts access token speaks for, the account's author here (None
    before its first write), and the blog at `blog_path` if the account owns it.

    Verified with the published keys, and refused once the AccountDeleted event left a
    tombstone here or the PasswordChanged event a newer generation: no call to the
    accounts context per request (ADR 0002, ADR 0003). The author and the blog come with
    the refusal check's query: a write needs them next.
    """
    try:
        principal = accounts_api.token_verify(token)
        refusal, author, blog = selectors.token_author(
            account_id=principal.account_id,
            credentials_generation=principal.credentials_generation,
            blog_path=blog_path,
        )
        if refusal == "deleted":
            raise accounts_api.TokenAccountDeleted()
        if refusal == "revoked":
            raise accounts_api.TokenRevoked()
    except accounts_api.InvalidToken as exc:
        raise exceptions.AuthenticationFailed(exc.detail, code=exc.code) from exc
    return principal, author, blog


def request_principal(request: Request) -> accounts_api.Principal | None:
    """Return whom the request's token speaks for, None without a token.

    BearerAuthentication puts the principal in `request.user` (UNAUTHENTICATED_USER is
    None), where DRF's stubs expect a Django user.
    """
    return cast(accounts_api.Principal | None, request.user)
