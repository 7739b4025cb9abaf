"""One DRF exception handler: every error answers with the shapes of api-v1.md."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from contexts.kernel.errors import ContextError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map context errors and DRF errors to `{"detail", "code"}` or field errors."""
    if isinstance(exc, ContextError):
        if exc.fields:
            return Response(exc.fields, status=exc.status)
        response = Response({"detail": exc.detail, "code": exc.code}, status=exc.status)
        if exc.status == status.HTTP_401_UNAUTHORIZED:
            response["WWW-Authenticate"] = "Bearer"
        if retry_after := getattr(exc, "retry_after", None):
            response["Retry-After"] = str(retry_after)
        return response
    if isinstance(exc, exceptions.UnsupportedMediaType):
        # api-v1: a body that is not JSON is a 400 like any other unreadable body.
        exc = exceptions.ParseError(
            "The request body must be a JSON object (Content-Type: application/json)."
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    handled = drf_exception_handler(exc, context)
    if handled is None:
        return None
    response = handled
    if isinstance(exc, exceptions.ValidationError):
        if not isinstance(response.data, dict):
            response.data = {"non_field_errors": response.data}
        return response
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    code = codes if isinstance(codes, str) else "error"
    response.data = {"detail": str(getattr(exc, "detail", exc)), "code": code}
    return response
