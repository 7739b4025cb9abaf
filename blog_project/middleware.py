"""Middleware of the composition root: a request id for every request, and oversized bodies
refused up front (413 in JSON for the API, a page for people)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
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
