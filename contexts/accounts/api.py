"""The published interface of the accounts context: the only module other contexts import.

`AccountsApi` is the interface; the composition root binds `seam` to this context's own
code, or to its service over HTTP when ACCOUNTS_URL is set. The functions below call
through the seam, so callers are the same either way. Tokens are verified here, in the
caller's process, with the keys accounts publishes (JWKS), never by a call per token.
"""

from typing import Any, Protocol

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
from contexts.accounts.verification import TokenVerifier
from contexts.kernel.seams import Seam, idempotent
from contexts.kernel.seams.binding import published_at

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
    "AccountsApi",
    "AuthenticationFailed",
    "InvalidName",
    "InvalidPassword",
    "InvalidToken",
    "IssuedToken",
    "PasswordChanged",
    "Principal",
    "SignInThrottled",
    "TokenAccountDeleted",
    "TokenRevoked",
    "WrongPassword",
    "account_authenticate",
    "account_delete",
    "account_get",
    "account_password_change",
    "account_register",
    "seam",
    "token_issue",
    "token_keys",
    "token_verify",
]


class AccountsApi(Protocol):
    """Identity: register, sign in, change password, delete; issue and publish token keys."""

    def account_register(self, *, name: str, password: str) -> Account:
        """Create an account; raise InvalidName, InvalidPassword or AccountNameTaken."""
        ...

    def account_authenticate(
        self, *, name: str, password: str, client_address: str | None = None
    ) -> Account:
        """Return the account a name and password identify; raise AuthenticationFailed or
        SignInThrottled (failures are throttled per name and per client address)."""
        ...

    @idempotent
    def account_get(self, *, account_id: str) -> Account:
        """Return the account with this id; raise AccountNotFound."""
        ...

    def account_password_change(
        self, *, account_id: str, current_password: str, new_password: str
    ) -> Account:
        """Replace the password once the current one confirms it; older tokens and web
        sessions stop working (PasswordChanged). Raise WrongPassword or InvalidPassword."""
        ...

    def account_delete(
        self, *, account_id: str, password: str, client_address: str | None = None
    ) -> None:
        """Delete the account once its password confirms it (AccountDeleted); raise
        WrongPassword (wrong passwords count as failed sign-ins)."""
        ...

    def token_issue(self, *, account_id: str) -> IssuedToken:
        """Sign an access token for the account; raise AccountNotFound."""
        ...

    @idempotent
    @published_at("/.well-known/jwks.json")
    def token_keys(self) -> dict[str, Any]:
        """Return the JWKS document of every key that verifies access tokens."""
        ...


seam: Seam[AccountsApi] = Seam("accounts", AccountsApi)
_verifier = TokenVerifier(lambda: seam.api.token_keys())


def account_register(*, name: str, password: str) -> Account:
    """Create an account; raise InvalidName, InvalidPassword or AccountNameTaken."""
    return seam.api.account_register(name=name, password=password)


def account_authenticate(*, name: str, password: str, client_address: str | None = None) -> Account:
    """Return the account `name`/`password` identify, or raise AuthenticationFailed."""
    return seam.api.account_authenticate(
        name=name, password=password, client_address=client_address
    )


def account_get(*, account_id: str) -> Account:
    """Return the account with this id, or raise AccountNotFound."""
    return seam.api.account_get(account_id=account_id)


def account_password_change(
    *, account_id: str, current_password: str, new_password: str
) -> Account:
    """Replace the password once the current one confirms it; return the updated account."""
    return seam.api.account_password_change(
        account_id=account_id, current_password=current_password, new_password=new_password
    )


def account_delete(*, account_id: str, password: str, client_address: str | None = None) -> None:
    """Delete the account once its password confirms it; raise WrongPassword otherwise."""
    seam.api.account_delete(account_id=account_id, password=password, client_address=client_address)


def token_issue(*, account_id: str) -> IssuedToken:
    """Sign an access token for the account; raise AccountNotFound."""
    return seam.api.token_issue(account_id=account_id)


def token_keys() -> dict[str, Any]:
    """Return the JWKS document of every key that verifies access tokens."""
    return seam.api.token_keys()


def token_verify(token: str) -> Principal:
    """Return who `token` speaks for, checked here with the published keys; raise InvalidToken.

    A token of a deleted account, or one issued before a password change, stays valid
    until it expires: the contexts that must refuse those learn of them from the
    AccountDeleted and PasswordChanged events.
    """
    return _verifier.verify(token)
