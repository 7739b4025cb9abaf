"""Access tokens on the accounts context's own endpoints, checked against the account now."""

from rest_framework import exceptions

from contexts.accounts import api as accounts_api
from contexts.accounts.domain import Account, Principal
from contexts.kernel.http.authentication import BearerAuthentication


class AccessTokenAuthentication(BearerAuthentication):
    """The token, verified with the published keys, of an account that still exists and
    whose password has not changed since it was issued. `account` keeps that account."""

    account: Account | None = None

    def verify(self, token: str) -> Principal:
        try:
            principal = accounts_api.token_verify(token)
            self.account = accounts_api.account_get(account_id=principal.account_id)
        except accounts_api.AccountNotFound as exc:
            raise exceptions.AuthenticationFailed(
                "The account of this access token no longer exists.",
                code=accounts_api.InvalidToken.code,
            ) from exc
        except accounts_api.InvalidToken as exc:
            raise exceptions.AuthenticationFailed(exc.detail, code=exc.code) from exc
        if principal.credentials_generation < self.account.credentials_generation:
            revoked = accounts_api.TokenRevoked()
            raise exceptions.AuthenticationFailed(revoked.detail, code=revoked.code)
        return principal
