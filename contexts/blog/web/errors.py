"""The web error mapping: context errors become 404/403 pages or form errors."""

from collections.abc import Callable, Mapping
from functools import wraps

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from contexts.kernel.errors import ContextError

HTTP_FORBIDDEN = 403
HTTP_NOT_FOUND = 404


def context_errors_as_pages(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn a not-found or permission error that escapes `view` into the friendly page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
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

    A not-found or permission error is no form error: it is raised again, for
    `context_errors_as_pages` to answer with the friendly page.
    """
    if exc.status in (HTTP_FORBIDDEN, HTTP_NOT_FOUND):
        raise exc
    if exc.fields:
        for field, messages in exc.fields.items():
            target = field if field in form.fields else None
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                form.add_error(target, str(message))
        return
    field = (field_for_code or {}).get(exc.code)
    form.add_error(field if field in form.fields else None, exc.detail)
