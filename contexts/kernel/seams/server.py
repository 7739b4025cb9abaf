"""The callee's side of a remote api: internal HTTP endpoints over the context's own code.

`POST /internal/v1/<context>/<operation>` with `{"args": {...}}` answers `{"result": ...}`,
or `{"error": {"code", "detail", "fields"}}` with the error's status. Every request needs
a service token for this context (401 otherwise). `GET .../openapi.json` describes the
endpoints, generated from the api's Protocol, so that the document cannot drift.
"""

import inspect
import json
import logging
import typing
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from contexts.kernel.errors import ContextError
from contexts.kernel.jsonschema import NoJsonForm, schema_of
from contexts.kernel.seams import codec
from contexts.kernel.seams.binding import IDEMPOTENT, operations
from contexts.kernel.seams.client import API_VERSION
from contexts.kernel.seams.credentials import InvalidServiceCredentials, verify_service_token

logger = logging.getLogger(__name__)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "detail"],
            "properties": {
                "code": {"type": "string"},
                "detail": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "retry_after": {"type": "integer"},
            },
        }
    },
}


def _error(status: int, code: str, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "detail": detail, **extra}}, status=status)


def _parameters(method: Callable[..., Any]) -> dict[str, tuple[Any, bool]]:
    """Return each keyword parameter's type hint and whether it is required."""
    hints = typing.get_type_hints(method)
    return {
        name: (hints.get(name, Any), parameter.default is inspect.Parameter.empty)
        for name, parameter in inspect.signature(method).parameters.items()
        if name != "self"
    }


def _authenticated(request: HttpRequest, context: str) -> JsonResponse | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return _error(401, "not_authenticated", "Service credentials are required.")
    try:
        verify_service_token(token.strip(), audience=context)
    except InvalidServiceCredentials:
        return _error(401, "not_authenticated", "The service credentials are not valid here.")
    return None


def endpoint(context: str, protocol: type, implementation: Any) -> Callable[..., HttpResponse]:
    """Return the view that serves `context`'s api operations from `implementation`."""
    methods = operations(protocol)
    signatures = {name: _parameters(method) for name, method in methods.items()}

    @csrf_exempt
    def view(request: HttpRequest, operation: str) -> HttpResponse:
        if (refused := _authenticated(request, context)) is not None:
            return refused
        if operation not in methods:
            return _error(404, "unknown_operation", f"{context} has no operation {operation!r}.")
        if request.method != "POST":
            return _error(405, "method_not_allowed", "Use POST.")
        try:
            body = json.loads(request.body or b"{}")
            arguments = body["args"] if isinstance(body, dict) else None
            if not isinstance(arguments, dict):
                raise ValueError("args must be an object")
            kwargs = _decoded(signatures[operation], arguments)
        except (ValueError, KeyError, codec.DecodeError) as exc:
            return _error(400, "bad_call", f"Malformed call of {context}.{operation}: {exc}")
        try:
            result = getattr(implementation, operation)(**kwargs)
        except ContextError as exc:
            extra: dict[str, Any] = {"fields": exc.fields} if exc.fields else {}
            if isinstance(getattr(exc, "retry_after", None), int):
                extra["retry_after"] = exc.retry_after  # type: ignore[attr-defined]
            return _error(exc.status, exc.code, exc.detail, **extra)
        except Exception:
            logger.exception("%s.%s failed", context, operation)
            return _error(500, "internal_error", f"{context}.{operation} failed.")
        return JsonResponse({"result": codec.encode(result)})

    return view


def _decoded(parameters: dict[str, tuple[Any, bool]], arguments: dict[str, Any]) -> dict[str, Any]:
    unknown = set(arguments) - set(parameters)
    if unknown:
        raise ValueError(f"unknown argument(s) {', '.join(sorted(unknown))}")
    missing = [
        name for name, (_, required) in parameters.items() if required and name not in arguments
    ]
    if missing:
        raise ValueError(f"missing argument(s) {', '.join(missing)}")
    return {name: codec.decode(value, parameters[name][0]) for name, value in arguments.items()}


def openapi_document(context: str, protocol: type) -> dict[str, Any]:
    """Return the OpenAPI 3 document of `context`'s internal endpoints."""
    paths = {}
    for name, method in operations(protocol).items():
        parameters = _parameters(method)
        try:
            arguments = {key: schema_of(hint) for key, (hint, _) in parameters.items()}
            result = schema_of(typing.get_type_hints(method).get("return", Any))
        except NoJsonForm as exc:
            raise TypeError(f"{context}.{name}: {exc}") from exc
        required = [key for key, (_, needed) in parameters.items() if needed]
        error = {"application/json": {"schema": ERROR_SCHEMA}}
        paths[f"/internal/{API_VERSION}/{context}/{name}"] = {
            "post": {
                "operationId": f"{context}_{name}",
                "summary": (inspect.getdoc(method) or name).splitlines()[0],
                "x-idempotent": bool(getattr(method, IDEMPOTENT, False)),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["args"],
                                "properties": {
                                    "args": {
                                        "type": "object",
                                        "properties": arguments,
                                        "required": required,
                                        "additionalProperties": False,
                                    }
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "The operation's result.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["result"],
                                    "properties": {"result": result},
                                }
                            }
                        },
                    },
                    "400": {"description": "A malformed call, or invalid input.", "content": error},
                    "401": {"description": "No valid service credentials.", "content": error},
                    "4XX": {"description": "An error the context reports.", "content": error},
                    "5XX": {"description": "The context failed.", "content": error},
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{context} internal api",
            "version": API_VERSION,
            "description": inspect.getdoc(protocol) or "",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"service": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"service": []}],
    }


def urlpatterns(context: str, protocol: type, implementation: Any) -> list[URLPattern]:
    """Return the url patterns of `context`'s internal endpoints, for internal/v1/<context>/."""
    document = openapi_document(context, protocol)

    def openapi(request: HttpRequest) -> HttpResponse:
        if (refused := _authenticated(request, context)) is not None:
            return refused
        return JsonResponse(document)

    return [
        path("openapi.json", openapi, name=f"{context}-internal-openapi"),
        path("<str:operation>", endpoint(context, protocol, implementation)),
    ]
