"""Pure rules of the accounts context: its DTOs, its errors and the account name rule."""

import re
from dataclasses import dataclass
from datetime import datetime

from contexts.kernel.errors import (
    Conflict,
    ContextError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from contexts.kernel.events import Event
from contexts.kernel.text import seconds_words

# The limits of this context, each defined here once: the models, the serializers, the
# OpenAPI document and (through the api) other contexts' forms read them.
NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 16
# The characters of a name, as a regular expression's character class.
NAME_CHARACTERS = "[0-9A-Za-z]"
NAME_PATTERN = re.compile(f"{NAME_CHARACTERS}+")
# An account id: a UUID4's 32 lowercase hex digits.
ACCOUNT_ID_LENGTH = 32
ACCOUNT_ID_PATTERN = re.compile(f"[0-9a-f]{{{ACCOUNT_ID_LENGTH}}}")
TOKEN_TYPE = "Bearer"  # noqa: S105 (a scheme name, not a secret)


@dataclass(frozen=True)
class Account:
    """An account as other contexts see it; `id` is opaque and is also the token subject."""

    id: str
    name: str
    created_at: datetime
    # Raised by every password change; tokens and web sessions made under an older
    # generation stop working (see TokenRevoked).
    credentials_generation: int = 0


@dataclass(frozen=True)
class IssuedToken:
    """A freshly signed access token and when it stops being accepted."""

    token: str
    token_type: str
    expires_at: datetime


@dataclass(frozen=True)
class Principal:
    """Who a verified token speaks for (DRF's `request.user` on token-authenticated views)."""

    account_id: str
    name: str
    token_id: str
    issued_at: datetime
    expires_at: datetime
    # The account's credentials generation when the token was issued (claim `gen`).
    credentials_generation: int = 0
    # So that DRF's IsAuthenticated accepts a Principal as request.user.
    is_authenticated: bool = True


class AccountError(ContextError):
    """Base of every error the accounts context reports."""

    code = "account_error"


class InvalidName(AccountError, InvalidInput):
    code = "invalid_name"
    default_detail = "The account name is not valid."


class InvalidPassword(AccountError, InvalidInput):
    code = "invalid_password"
    default_detail = "The password is not acceptable."


class AccountNameTaken(AccountError, Conflict):
    code = "name_taken"
    default_detail = "This name is already taken."


class AuthenticationFailed(AccountError, NotAuthenticated):
    code = "authentication_failed"
    # One message whether the name is unknown or the password wrong, so that the
    # answer does not reveal which names exist.
    default_detail = "The name or the password is wrong."


class SignInThrottled(AccountError):
    code = "throttled"
    status = 429
    default_detail = "Too many failed sign-in attempts."

    def __init__(self, retry_after: int, detail: str | None = None):
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            detail or f"{self.default_detail} Try again in {seconds_words(self.retry_after)}."
        )


class InvalidToken(AccountError, NotAuthenticated):
    code = "invalid_token"
    default_detail = "The access token is missing, malformed, expired or forged."


class TokenRevoked(InvalidToken):
    code = "token_revoked"
    default_detail = (
        "This access token was issued before the account's password changed; sign in again."
    )


class TokenAccountDeleted(InvalidToken):
    code = "account_deleted"
    default_detail = "The account of this access token has been deleted."


class AccountNotFound(AccountError, NotFound):
    code = "account_not_found"
    default_detail = "No such account."


class WrongPassword(AccountError, PermissionDenied):
    code = "wrong_password"
    default_detail = "The password is wrong."


def name_problems(name: str) -> list[str]:
    """Return what is wrong with `name` as an account name (empty when it is fine)."""
    problems = []
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH:
        problems.append(
            f"Use between {NAME_MIN_LENGTH} and {NAME_MAX_LENGTH} characters "
            f"(this one has {len(name)})."
        )
    if name and not NAME_PATTERN.fullmatch(name):
        problems.append("Use only the letters A-Z and a-z and the digits 0-9.")
    return problems


def name_key(name: str) -> str:
    """Return the form of `name` that uniqueness and sign-in throttling compare."""
    return name.lower()


def is_account_id(value: object) -> bool:
    """Tell whether `value` has the shape of an account id (so that it is worth a query)."""
    return isinstance(value, str) and ACCOUNT_ID_PATTERN.fullmatch(value) is not None


# --- events ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AccountRegistered(Event):
    """An account was created; other contexts may keep their own record of it."""

    type_name = "accounts.AccountRegistered.v1"

    account_id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class AccountDeleted(Event):
    """An account is gone for good: its data elsewhere must go, its tokens stop working."""

    type_name = "accounts.AccountDeleted.v1"

    account_id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Event):
    """An account's password changed: its tokens and sessions of older generations must stop.

    `credentials_generation` is the account's new generation; a token or session that
    carries a lower one was made before the change.
    """

    type_name = "accounts.PasswordChanged.v1"

    account_id: str
    name: str
    credentials_generation: int
