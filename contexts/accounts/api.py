"""The published interface of the accounts context: the only module other contexts import."""

from collections.abc import Callable

from rest_framework import exceptions as drf_exceptions

from contexts.accounts.domain import (
    NAME_MAX_LENGTH,
    NAME_MIN_LENGTH,
    TOKEN_TYPE,
    Account,
    AccountDeleted,
    AccountError,
    AccountNameTaken,
    AccountNotFound,
    AccountRegistered,
    AuthenticationFailed,
    InvalidName,
    InvalidPassword,
    InvalidToken,
    IssuedToken,
    PasswordChanged,
    Principal,
    SignInThrottled,
    TokenAccountDeleted,
    TokenRevoked,
    WrongPassword,
)
from contexts.accounts.domain import name_problems as _name_problems
from contexts.accounts.services import (
    account_authenticate,
    account_delete,
    account_get,
    account_password_change,
    account_register,
    password_problems,
    public_key_pem,
    token_issue,
    token_issuer,
    token_verify,
)
from contexts.kernel.http.authentication import BearerAuthentication

__all__ = [
    "NAME_MAX_LENGTH",
    "NAME_MIN_LENGTH",
    "TOKEN_TYPE",
    "Account",
    "AccountDeleted",
    "AccountError",
    "AccountNameTaken",
    "AccountNotFound",
    "AccountRegistered",
    "AuthenticationFailed",
    "InvalidName",
    "InvalidPassword",
    "InvalidToken",
    "IssuedToken",
    "PasswordChanged",
    "Principal",
    "SignInThrottled",
    "TokenAccountDeleted",
    "TokenAuthentication",
    "TokenRevoked",
    "WrongPassword",
    "account_authenticate",
    "account_delete",
    "account_get",
    "account_name_problems",
    "account_password_change",
    "account_password_problems",
    "account_register",
    "public_key_pem",
    "token_issue",
    "token_issuer",
    "token_verify",
]


def account_name_problems(name: str) -> list[str]:
    """Return what is wrong with `name` as an account name (empty when it is fine)."""
    return _name_problems(name)


def account_password_problems(*, name: str, password: str) -> list[str]:
    """Return what the password validators say about `password` for account `name`."""
    return password_problems(name=name, password=password)


class TokenAuthentication(BearerAuthentication):
    """DRF authentication by an accounts access token: `request.user` is a Principal.

    Checks the token with the public key alone (signature, algorithm, issuer, expiry),
    so a token of a deleted account, or one issued before a password change, stays
    valid until it expires. A context that learns of those changes (the AccountDeleted
    and PasswordChanged events) passes `refused`, its own check of the principal that
    raises InvalidToken (TokenAccountDeleted, TokenRevoked) to refuse it, by overriding
    its view's get_authenticators(): `[TokenAuthentication(refused=...)]`.
    """

    def __init__(self, refused: Callable[[Principal], None] | None = None):
        self.refused = refused

    def verify(self, token: str) -> Principal:
        try:
            principal = token_verify(token)
            if self.refused is not None:
                self.refused(principal)
        except InvalidToken as exc:
            raise drf_exceptions.AuthenticationFailed(exc.detail, code=exc.code) from exc
        return principal
