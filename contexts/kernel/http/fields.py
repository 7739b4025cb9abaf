"""The string field of every endpoint: strings only, held to the kernel's character rule."""

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from contexts.kernel.text import text_pattern, text_problem

# What the character rule refuses too, with the same messages.
_REPLACED_VALIDATORS = (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)


class StrictCharField(serializers.CharField):
    """A CharField that takes JSON strings only, refusing control and bidi characters.

    DRF's CharField turns 12345 into "12345", checks its length after trimming
    whitespace (so a string longer than the limit can pass), and calls "\\x1f" blank.
    Here the characters and the length are checked on the value as sent, before
    anything else; then DRF trims (if asked) and runs its validators.

    `multiline` keeps line breaks and tabs (a body, a description); `check_characters`
    False leaves a secret as it is (a password that is compared, never shown);
    `pattern` documents a stricter rule that a validator or the api enforces;
    `too_large_above` documents the length past which the api answers 413 (the field
    itself leaves that to the api, so that the answer is a 413, not a 400).
    """

    default_error_messages = {"invalid": "Must be a string."}

    def __init__(
        self,
        *,
        multiline: bool = False,
        check_characters: bool = True,
        pattern: str | None = None,
        too_large_above: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.multiline = multiline
        self.check_characters = check_characters
        self.pattern = pattern
        self.too_large_above = too_large_above
        if check_characters:
            replaced = _REPLACED_VALIDATORS
            self.validators = [v for v in self.validators if not isinstance(v, replaced)]

    def run_validation(self, data: Any = empty) -> Any:
        if isinstance(data, str):
            if self.check_characters and (problem := text_problem(data, multiline=self.multiline)):
                raise serializers.ValidationError(problem, code="invalid_characters")
            if self.max_length is not None and len(data) > self.max_length:
                self.fail("max_length", max_length=self.max_length, length=len(data))
        return super().run_validation(data)

    def to_internal_value(self, data: object) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharFieldSchema(OpenApiSerializerFieldExtension):
    """Document the field's rule: at least one character, and the characters it accepts."""

    target_class = StrictCharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer_field(
            self.target, direction, bypass_extensions=True
        )
        field = self.target
        if direction == "response":
            return schema
        if not field.allow_blank:
            schema.setdefault("minLength", 1)
        if field.too_large_above is not None:
            schema["maxLength"] = field.too_large_above
        if field.pattern:
            schema["pattern"] = field.pattern
        elif field.check_characters:
            # Without trimming, all-whitespace text passes the field (the api decides).
            blank = field.allow_blank or not field.trim_whitespace
            schema["pattern"] = text_pattern(multiline=field.multiline, blank=blank)
        else:
            # A secret may hold anything but NUL, which DRF refuses (and no text can hold).
            schema["pattern"] = "^[^\\x00]*$"
        return schema
