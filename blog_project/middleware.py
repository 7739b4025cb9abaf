"""Middleware of the composition root: every request gets an id, returned and carried on."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from contexts.kernel import requestcontext


class RequestIdMiddleware:
    """Take X-Request-ID from the request, or make one; return it, and carry it with every
    internal call and published event made while handling the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = requestcontext.accepted_request_id(request.headers.get("X-Request-ID"))
        token = requestcontext.set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            requestcontext.reset_request_id(token)
        response[requestcontext.REQUEST_ID_HEADER] = request_id
        return response
