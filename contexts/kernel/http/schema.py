"""OpenAPI pieces every context's endpoints share: the error shape and common headers."""

import re
from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_serializer,
)
from rest_framework import serializers


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer[Any]):
    """Every error but a validation error: a sentence for people, a code for programs."""

    detail = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)


def error_response(description: str) -> OpenApiResponse:
    """Document an error answer of the `{"detail", "code"}` shape."""
    return OpenApiResponse(ErrorSerializer, description=description)


# A 400 is either field errors (`{"<field>": ["<message>", ...]}`; a body that is not an
# object: `{"non_field_errors": [...]}`) or, for a body that is not JSON at all, the
# error shape (`{"detail", "code": "parse_error"}`).
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
# The one error shape: ErrorSerializer's component, which every error answer registers.
INVALID_SCHEMA = {"anyOf": [FIELD_ERRORS_SCHEMA, {"$ref": "#/components/schemas/Error"}]}


def invalid_response(description: str = "") -> OpenApiResponse:
    """Document a 400: messages by field, or `{"detail", "code"}` for a body that is not JSON."""
    return OpenApiResponse(
        INVALID_SCHEMA,
        description=description
        or "Invalid input: each invalid field (or header) with its messages; a body that is "
        'not a JSON object: `{"non_field_errors": [...]}`; not JSON at all: `{"detail", '
        '"code": "parse_error"}`.',
    )


TOO_LARGE_BODY = error_response(
    "The request body is larger than the site accepts (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MiB "
    "by default): `too_large`."
)


WWW_AUTHENTICATE = OpenApiParameter(
    "WWW-Authenticate",
    str,
    OpenApiParameter.HEADER,
    response=[401],
    description='Always "Bearer".',
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again.",
)


_BLANK_ALTERNATIVE = {"type": "string", "maxLength": 0}


def collapse_blank_alternatives(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: one schema for a blank-or-pattern string.

    For a field that may be blank and has a pattern, drf-spectacular writes
    `oneOf: [{pattern ...}, {maxLength: 0}]`. When the pattern accepts "" too, "" fits
    both alternatives and so, by oneOf, neither: the document then refuses what the
    server accepts. Such a oneOf becomes its first alternative.
    """

    def takes_blank(schema: dict[str, Any]) -> bool:
        try:
            return not schema.get("minLength") and bool(re.fullmatch(schema["pattern"], ""))
        except (KeyError, re.error):
            return False

    def visit(node: object) -> None:
        if isinstance(node, dict):
            alternatives = node.get("oneOf")
            if (
                isinstance(alternatives, list)
                and len(alternatives) == 2
                and alternatives[1] == _BLANK_ALTERNATIVE
                and takes_blank(alternatives[0])
            ):
                node.update(node.pop("oneOf")[0])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result)
    return result
