"""OpenAPI pieces every context's endpoints share: the error shape and common headers."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_serializer,
)
from rest_framework import serializers


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    """Every error but a validation error: a sentence for people, a code for programs."""

    detail = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)


def error_response(description: str) -> OpenApiResponse:
    """Document an error answer of the `{"detail", "code"}` shape."""
    return OpenApiResponse(ErrorSerializer, description=description)


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
