"""Access tokens on the blog's endpoints: verified locally, refused by what the blog learnt."""

from typing import cast

from rest_framework import exceptions
from rest_framework.request import Request

from contexts.accounts import api as accounts_api
from contexts.blog import selectors
from contexts.blog.models import Author


def blog_token_author(token: str) -> tuple[accounts_api.Principal, Author | None]:
    """Return whom an accounts access token speaks for, and the account's author here
    (None before its first write).

    Verified with the published keys, and refused once the AccountDeleted event left a
    tombstone here or the PasswordChanged event a newer generation: no call to the
    accounts context per request (ADR 0002, ADR 0003). The author comes with the refusal
    check's query: a write needs it next.
    """
    try:
        principal = accounts_api.token_verify(token)
        refusal, author = selectors.token_author(
            account_id=principal.account_id,
            credentials_generation=principal.credentials_generation,
        )
        if refusal == "deleted":
            raise accounts_api.TokenAccountDeleted()
        if refusal == "revoked":
            raise accounts_api.TokenRevoked()
    except accounts_api.InvalidToken as exc:
        raise exceptions.AuthenticationFailed(exc.detail, code=exc.code) from exc
    return principal, author


def request_principal(request: Request) -> accounts_api.Principal | None:
    """Return whom the request's token speaks for, None without a token.

    BearerAuthentication puts the principal in `request.user` (UNAUTHENTICATED_USER is
    None), where DRF's stubs expect a Django user.
    """
    return cast(accounts_api.Principal | None, request.user)
