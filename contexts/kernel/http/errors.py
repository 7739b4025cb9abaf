"""One DRF exception handler: every error answers with the shapes of api-v1.md."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
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


# --- answers outside any endpoint (mounted by the composition root) ------------------------


def _error(detail: str, code: str, status_code: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status_code)


def endpoint_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """A path under the API's prefix that names no endpoint (a trailing slash, a typo)."""
    return _error("No endpoint at this address.", "not_found", status.HTTP_404_NOT_FOUND)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """What Django answers 400 before any endpoint runs (a Host header not allowed)."""
    return _error("Bad request.", "bad_request", status.HTTP_400_BAD_REQUEST)


def server_error(request: HttpRequest) -> JsonResponse:
    """A bug: the details are in the logs, never in the answer."""
    return _error("Server error.", "server_error", status.HTTP_500_INTERNAL_SERVER_ERROR)
