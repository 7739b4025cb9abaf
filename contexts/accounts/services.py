"""Use cases of the accounts context: register, sign in, change password, delete, tokens."""

import functools
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from contexts.accounts import keys, models, throttling, tokens
from contexts.accounts.domain import (
    Account,
    AccountDeleted,
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
    TokenRevoked,
    WrongPassword,
    is_account_id,
    name_problems,
)
from contexts.kernel.events.publishing import publish
from contexts.kernel.text import text_problem

ALIAS = "accounts"
DEFAULT_TOKEN_TTL_SECONDS = 3600
DEFAULT_TOKEN_ISSUER = "blog-platform/accounts"  # noqa: S105 (a name, not a secret)


class _NameField:
    verbose_name = "name"


class _PasswordOwnerMeta:
    @staticmethod
    def get_field(field_name: str) -> _NameField:
        return _NameField()


class _PasswordOwner:
    """What Django's password validators compare a password with: the account name."""

    # The similarity validator names the attribute in its message through `_meta`:
    # "The password is too similar to the name."
    _meta = _PasswordOwnerMeta()

    def __init__(self, name: str):
        # UserAttributeSimilarityValidator reads `username` among its default attributes.
        self.username = name


def password_problems(*, name: str, password: str) -> list[str]:
    """Return what the project's password validators say about `password` for `name`."""
    if problem := text_problem(password):
        # A password is typed on keyboards: a control character in it is a mistake.
        return [problem]
    try:
        validate_password(password, user=_PasswordOwner(name))
    except ValidationError as exc:
        return list(exc.messages)
    return []


def account_register(*, name: str, password: str) -> Account:
    """Create an account; raise InvalidName, InvalidPassword or AccountNameTaken."""
    if problems := name_problems(name):
        raise InvalidName(fields={"name": problems})
    if problems := password_problems(name=name, password=password):
        raise InvalidPassword(fields={"password": problems})
    # Hash before the transaction: it is the slow part and needs no lock.
    password_hash = make_password(password)
    try:
        with transaction.atomic(using=ALIAS):
            if models.Account.objects.filter(name__iexact=name).exists():
                raise AccountNameTaken()
            record = models.Account.objects.create(name=name, password_hash=password_hash)
            publish(AccountRegistered(account_id=record.id, name=record.name), using=ALIAS)
    except IntegrityError as exc:
        # A concurrent registration of the same name won the race to the constraint.
        raise AccountNameTaken() from exc
    return _account(record)


def account_authenticate(*, name: str, password: str, client_address: str | None = None) -> Account:
    """Return the account `name`/`password` identify, or raise AuthenticationFailed.

    Failures are throttled per name and address, per name and per client address
    (SignInThrottled); see contexts/accounts/throttling.py.
    """
    attempt = throttling.signin_attempt(name=name, client_address=client_address)
    # No transaction around the slow hash check: on SQLite an open read transaction
    # would hold back every writer for its duration. The rehash writes in its own.
    record = _find_by_name(name)
    if record is None:
        # Spend the time a real check costs, so that the answer time does not tell
        # whether the name exists.
        check_password(password, _dummy_hash(get_hasher().algorithm))
        raise AuthenticationFailed()
    if not check_password(password, record.password_hash, setter=_rehasher(record)):
        raise AuthenticationFailed()
    attempt.succeeded()
    return _account(record)


def account_get(*, account_id: str) -> Account:
    """Return the account with this id, or raise AccountNotFound."""
    return _account(_find_by_id(account_id))


def account_delete(*, account_id: str, password: str, client_address: str | None = None) -> None:
    """Delete the account once its password confirms it; raise WrongPassword otherwise.

    Wrong passwords count as failed sign-ins for the account's name (from
    `client_address`), so a stolen token cannot be used to guess the password faster
    than the sign-in form allows.
    """
    record = _find_by_id(account_id)
    attempt = throttling.signin_attempt(name=record.name, client_address=client_address)
    # The password is checked outside the transaction (it is slow; see account_authenticate).
    if not check_password(password, record.password_hash):
        raise WrongPassword()
    with transaction.atomic(using=ALIAS):
        _delete(record)
    attempt.succeeded()


def account_password_change(
    *, account_id: str, current_password: str, new_password: str
) -> Account:
    """Replace the password once the current one confirms it; return the updated account.

    Every token and web session made before the change stops working: the account's
    credentials generation goes up and PasswordChanged tells the contexts that trust
    them. A wrong current password counts as a failed sign-in for the account's name
    (WrongPassword, then SignInThrottled); the new one goes through the validators
    (InvalidPassword on `new_password`).
    """
    record = _find_by_id(account_id)
    attempt = throttling.signin_attempt(name=record.name, client_address=None)
    # Slow checks and hashing outside the transaction (see account_authenticate).
    if not check_password(current_password, record.password_hash):
        raise WrongPassword()
    attempt.succeeded()
    problems = password_problems(name=record.name, password=new_password)
    if not problems and new_password == current_password:
        problems = ["The new password is the same as the current one."]
    if problems:
        raise InvalidPassword(fields={"new_password": problems})
    password_hash = make_password(new_password)
    with transaction.atomic(using=ALIAS):
        updated = models.Account.objects.filter(pk=record.pk).update(
            password_hash=password_hash, credentials_generation=F("credentials_generation") + 1
        )
        if not updated:
            raise AccountNotFound()
        record.refresh_from_db(fields=["name", "credentials_generation"])
        publish(
            PasswordChanged(
                account_id=record.id,
                name=record.name,
                credentials_generation=record.credentials_generation,
            ),
            using=ALIAS,
        )
    return _account(record)


def account_remove(*, account_id: str) -> None:
    """Delete the account without its password (operators, through the admin)."""
    with transaction.atomic(using=ALIAS):
        record = models.Account.objects.select_for_update().filter(pk=account_id).first()
        if record is None:
            raise AccountNotFound()
        _delete(record)


def _delete(record: models.Account) -> None:
    """Delete the account and announce it, inside the caller's transaction."""
    if models.Account.objects.filter(pk=record.pk).delete()[0]:
        publish(AccountDeleted(account_id=record.id, name=record.name), using=ALIAS)


def token_issue(*, account_id: str) -> IssuedToken:
    """Sign an access token for the account; raise AccountNotFound."""
    account = account_get(account_id=account_id)
    return tokens.token_encode(
        private_key=keys.signing_key(),
        issuer=token_issuer(),
        account_id=account.id,
        name=account.name,
        issued_at=int(time.time()),
        ttl_seconds=int(getattr(settings, "ACCOUNTS_TOKEN_TTL_SECONDS", DEFAULT_TOKEN_TTL_SECONDS)),
        credentials_generation=account.credentials_generation,
    )


def token_verify(token: str) -> Principal:
    """Return who `token` speaks for, checked with the public key alone; raise InvalidToken."""
    return tokens.token_decode(token, public_key=keys.key_pair().public_key, issuer=token_issuer())


def token_check_current(principal: Principal) -> None:
    """Raise unless the token's account exists and its password has not changed since.

    The accounts context's own check, on its own data; other contexts learn the same
    from the AccountDeleted and PasswordChanged events.
    """
    record = (
        models.Account.objects.filter(pk=principal.account_id)
        .only("credentials_generation")
        .first()
        if is_account_id(principal.account_id)
        else None
    )
    if record is None:
        raise InvalidToken("The account of this access token no longer exists.")
    if principal.credentials_generation < record.credentials_generation:
        raise TokenRevoked()


def token_issuer() -> str:
    """Return the `iss` claim tokens carry and verification demands."""
    return getattr(settings, "ACCOUNTS_TOKEN_ISSUER", DEFAULT_TOKEN_ISSUER)


def public_key_pem() -> str:
    """Return the PEM of the public key that verifies access tokens."""
    return keys.key_pair().public_pem


def _find_by_id(account_id: str) -> models.Account:
    if not is_account_id(account_id):
        raise AccountNotFound()
    record = models.Account.objects.filter(pk=account_id).first()
    if record is None:
        raise AccountNotFound()
    return record


def _find_by_name(name: str) -> models.Account | None:
    if name_problems(name):
        return None  # no such account can exist; and do not send odd input to the database
    return models.Account.objects.filter(name__iexact=name).first()


def _account(record: models.Account) -> Account:
    return Account(
        id=record.id,
        name=record.name,
        created_at=record.created_at,
        credentials_generation=record.credentials_generation,
    )


def _rehasher(record: models.Account) -> Callable[[str], None]:
    """Return a setter that stores a fresh hash when the hasher or its cost changed."""

    def store(password: str) -> None:
        record.password_hash = make_password(password)
        with transaction.atomic(using=ALIAS):
            models.Account.objects.filter(pk=record.pk).update(password_hash=record.password_hash)

    return store


@functools.lru_cache(maxsize=8)
def _dummy_hash(algorithm: str) -> str:
    """Return a hash of a random password made by the current default hasher."""
    return make_password(secrets.token_urlsafe(24))
