"""Middleware of the composition root: a request id for every request, oversized bodies
refused up front (413 in JSON for the API, a page for people), and the Content-Security-
Policy headers built once."""

from collections.abc import Callable
from functools import cache
from http import HTTPStatus
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render

from contexts.kernel import requestcontext

API_PREFIX = "/api/"
TOO_LARGE = 413


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MiB".replace(".0 MiB", " MiB")


class RequestSizeLimitMiddleware:
    """Answer 413 to a body over DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it.

    Django refuses such a body only when something reads it (the CSRF check, a form, a
    parser), with RequestDataTooBig: an HTML "Bad Request (400)" whatever the client,
    and a traceback in the log for every one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or _content_length(request) <= limit:
            return self.get_response(request)
        detail = f"The request body is larger than the {_megabytes(limit)} this site accepts."
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse({"detail": detail, "code": "too_large"}, status=TOO_LARGE)
        return render(request, "413.html", {"limit": _megabytes(limit)}, status=TOO_LARGE)


class RequestIdMiddleware:
    """Take X-Request-ID from the request, or make one; return it, and carry it with every
    internal call and published event made while handling the request, with the request's
    W3C trace context, if it came with one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = requestcontext.accepted_request_id(request.headers.get("X-Request-ID"))
        token = requestcontext.set_request_id(request_id)
        trace = requestcontext.set_trace_context(
            requestcontext.accepted_trace_context(request.headers)
        )
        try:
            response = self.get_response(request)
        finally:
            requestcontext.reset_trace_context(trace)
            requestcontext.reset_request_id(token)
        response[requestcontext.REQUEST_ID_HEADER] = request_id
        return response


# What a view's django-csp decorators leave on its response (csp.decorators).
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_DEBUG_EXEMPT = (HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.NOT_FOUND)


@cache
def _policies() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """The headers the settings' policies make: (header, value, exempting attribute,
    excluded path prefixes) for the policy and the report-only one."""
    policies = []
    for header, report_only, exempt, name in (
        (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
        (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
    ):
        value = build_policy(report_only=report_only)
        prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        if value:
            policies.append((header, value, exempt, tuple(prefixes)))
    return tuple(policies)


def _forget_policies(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _policies.cache_clear()


setting_changed.connect(_forget_policies, dispatch_uid="blog_project.middleware.csp")


class CSPMiddleware(LibraryCSPMiddleware):
    """django-csp's middleware, the settings' policies built once rather than for every
    response (30 us each time, as much as the rest of a trivial view: issue 15).

    A response whose view changed its policy (csp.decorators), or whose request used a
    nonce, goes through django-csp as it is; every other one gets the headers django-csp
    would write, in the same cases.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        for header, value, exempt, prefixes in _policies():
            if (
                getattr(response, exempt, False) is False
                and header not in response
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = value
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
