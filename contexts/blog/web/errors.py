"""The web error mapping: context errors become 404/403 pages or form errors."""

from collections.abc import Callable, Mapping
from functools import wraps

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from contexts.kernel.errors import ContextError, Unavailable

HTTP_FORBIDDEN = 403
HTTP_NOT_FOUND = 404
HTTP_UNAVAILABLE = 503


def unavailable_page(request: HttpRequest, exc: Unavailable) -> HttpResponse:
    """The friendly page for a context that cannot answer now, with Retry-After."""
    response = render(request, "503.html", status=HTTP_UNAVAILABLE)
    response["Retry-After"] = str(exc.retry_after)
    return response


def context_errors_as_pages(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn a not-found, permission or unavailable error that escapes `view` into the
    friendly page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Unavailable as exc:
            return unavailable_page(request, exc)
        except ContextError as exc:
            if exc.status == HTTP_NOT_FOUND:
                raise Http404(exc.detail) from exc
            if exc.status == HTTP_FORBIDDEN:
                raise PermissionDenied(exc.detail) from exc
            raise

    return wrapper


def add_context_error(
    form: forms.Form, exc: ContextError, *, field_for_code: Mapping[str, str] | None = None
) -> None:
    """Show `exc` on the form: field messages next to their fields, else by its code.

    A not-found, permission or unavailable error is no form error: it is raised again,
    for `context_errors_as_pages` to answer with the friendly page.
    """
    if exc.status in (HTTP_FORBIDDEN, HTTP_NOT_FOUND) or isinstance(exc, Unavailable):
        raise exc
    if exc.fields:
        for field, messages in exc.fields.items():
            target = field if field in form.fields else None
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                form.add_error(target, str(message))
        return
    named = (field_for_code or {}).get(exc.code)
    form.add_error(named if named in form.fields else None, exc.detail)
