"""Access tokens on the accounts context's own endpoints, checked against the account now."""

from typing import cast

from rest_framework import exceptions
from rest_framework.request import Request

from contexts.accounts import api as accounts_api
from contexts.accounts.domain import Principal


def current_token_principal(token: str) -> Principal:
    """Return whom the token speaks for: verified with the published keys, of an account that
    still exists and whose password has not changed since it was issued."""
    try:
        principal = accounts_api.token_verify(token)
        account = accounts_api.account_get(account_id=principal.account_id)
    except accounts_api.AccountNotFound as exc:
        raise exceptions.AuthenticationFailed(
            "The account of this access token no longer exists.",
            code=accounts_api.InvalidToken.code,
        ) from exc
    except accounts_api.InvalidToken as exc:
        raise exceptions.AuthenticationFailed(exc.detail, code=exc.code) from exc
    if principal.credentials_generation < account.credentials_generation:
        revoked = accounts_api.TokenRevoked()
        raise exceptions.AuthenticationFailed(revoked.detail, code=revoked.code)
    return principal


def request_principal(request: Request) -> Principal:
    """Return whom the request's token speaks for, on an endpoint that requires one.

    BearerAuthentication puts the principal in `request.user`, where DRF's stubs expect a
    Django user.
    """
    return cast(Principal, request.user)
