"""Password validators of the accounts context (listed in AUTH_PASSWORD_VALIDATORS)."""

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from contexts.kernel.text import text_problem

DEFAULT_MIN_LENGTH = 8


class NameInPasswordValidator:
    """Refuse a password whose characters other than the account name are too few.

    Django's UserAttributeSimilarityValidator compares whole strings, so `carol12345`
    for the account `carol` passes (a similarity of 0.67 against its 0.7 threshold),
    although guessing it takes no more than guessing `12345`. Here the name, written in
    any case, forwards or backwards, does not count: what remains must be at least
    `min_length` characters long.
    """

    def __init__(self, min_length: int = DEFAULT_MIN_LENGTH):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        name = getattr(user, "username", None)
        if not isinstance(name, str) or not name:
            return
        rest = _without(password, name)
        if rest == password or len(rest) >= self.min_length:
            return
        raise ValidationError(
            "The password is too similar to the name: without “%(name)s” it has only "
            "%(rest)d other characters; use at least %(min_length)d.",
            code="password_contains_name",
            params={"name": name, "rest": len(rest), "min_length": self.min_length},
        )

    def get_help_text(self) -> str:
        return (
            f"Apart from your name, your password must have at least {self.min_length} characters."
        )


def _without(password: str, name: str) -> str:
    """Return `password` with every occurrence of `name` (any case, either way) removed."""
    pattern = re.compile(f"{re.escape(name)}|{re.escape(name[::-1])}", re.IGNORECASE)
    return pattern.sub("", password)


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
        # Validators read the user's attributes by name; the stubs ask for a User.
        validate_password(password, user=_PasswordOwner(name))  # type: ignore[arg-type]
    except ValidationError as exc:
        return list(exc.messages)
    return []
