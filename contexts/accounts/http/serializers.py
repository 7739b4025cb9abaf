"""Input and output shapes of the accounts REST endpoints."""

from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
)
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from contexts.accounts.domain import (
    NAME_CHARACTERS,
    NAME_MAX_LENGTH,
    NAME_MIN_LENGTH,
    name_problems,
)
from contexts.accounts.validators import password_problems
from contexts.kernel.http.fields import StrictCharField
from contexts.kernel.text import text_pattern

_NAME_LENGTHS = f"{NAME_MIN_LENGTH},{NAME_MAX_LENGTH}"


@extend_schema_field(
    {
        "type": "string",
        "minLength": NAME_MIN_LENGTH,
        "maxLength": NAME_MAX_LENGTH,
        "pattern": f"^{NAME_CHARACTERS}{{{_NAME_LENGTHS}}}$",
    }
)
class _NameField(StrictCharField):
    """A new account's name; the rule itself is the api's (documented here for clients)."""


def _password_min_length() -> int:
    lengths = [
        validator.min_length
        for validator in get_default_password_validators()
        if isinstance(validator, MinimumLengthValidator)
    ]
    return max(lengths, default=1)


@extend_schema_field(
    {
        "type": "string",
        "writeOnly": True,
        "minLength": _password_min_length(),
        # One line of text, not only digits. Django's other validators (common
        # passwords, similarity to the name) cannot be written as a pattern.
        "pattern": text_pattern(multiline=False, blank=False, not_only=r"\d"),
    }
)
class _NewPasswordField(StrictCharField):
    """A new account's password; the validators are the api's (documented here for clients)."""


class RegisterInputSerializer(serializers.Serializer):
    # Exact input: a name with spaces around it is not a valid name, and a password's
    # spaces are part of it.
    name = _NameField(
        trim_whitespace=False,
        help_text=f"{NAME_MIN_LENGTH}-{NAME_MAX_LENGTH} characters "
        f"of {NAME_CHARACTERS}; unique ignoring case.",
    )
    password = _NewPasswordField(
        trim_whitespace=False,
        write_only=True,
        style={"input_type": "password"},
        help_text="Checked by the password validators (length, not numeric, not common, "
        "not similar to the name).",
    )

    def validate(self, attrs: dict) -> dict:
        # The api checks these rules too; checking both here reports every field at once.
        errors = {}
        if problems := name_problems(attrs["name"]):
            errors["name"] = problems
        if problems := password_problems(name=attrs["name"], password=attrs["password"]):
            errors["password"] = problems
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class SignInInputSerializer(serializers.Serializer):
    name = StrictCharField(trim_whitespace=False)
    # Compared with the stored hash, never shown: taken exactly as typed.
    password = StrictCharField(
        trim_whitespace=False,
        check_characters=False,
        write_only=True,
        style={"input_type": "password"},
    )


class DeleteMeInputSerializer(serializers.Serializer):
    password = StrictCharField(
        trim_whitespace=False,
        check_characters=False,
        write_only=True,
        style={"input_type": "password"},
        help_text="The account's password, to confirm.",
    )


@extend_schema_serializer(component_name="Account")
class AccountOutputSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


@extend_schema_serializer(component_name="AccessToken")
class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="An ES256 JWT.")
    token_type = serializers.CharField(read_only=True, help_text='Always "Bearer".')
    expires_at = serializers.DateTimeField(read_only=True)


@extend_schema_serializer(component_name="RegisteredAccount")
class RegisterOutputSerializer(serializers.Serializer):
    account = AccountOutputSerializer(read_only=True)
    token = serializers.CharField(read_only=True, help_text="An ES256 JWT.")
    token_type = serializers.CharField(read_only=True, help_text='Always "Bearer".')
    expires_at = serializers.DateTimeField(read_only=True)


@extend_schema_serializer(component_name="AccountsValidationError")
class ValidationErrorSerializer(serializers.Serializer):
    """A 400: each invalid field with its messages (a non-object body: non_field_errors)."""

    name = serializers.ListField(child=serializers.CharField(), required=False)
    password = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False, help_text="A body that is not JSON.")
    code = serializers.CharField(required=False)
