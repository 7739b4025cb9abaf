"""The JSON renderer of every endpoint, and how an endpoint picks its renderer."""

from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer


class _AsciiJSONRenderer(DRFJSONRenderer):
    ensure_ascii = True


class JSONRenderer(DRFJSONRenderer):
    """DRF's JSON renderer, which never fails on text that UTF-8 cannot hold.

    JSON lets a client send a lone surrogate ("\\ud800"), and an error message may quote
    what was sent (a choice's "is not a valid choice"). Such an answer is written with
    every non-ASCII character escaped: the same JSON, instead of a 500.
    """

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        try:
            rendered: bytes = super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            rendered = _AsciiJSONRenderer().render(data, accepted_media_type, renderer_context)
        return rendered


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that a `?format=` no renderer knows is ignored.

    DRF answers 404 to `/api/v1/blogs?format=xml`: an address that exists would look
    missing. api-v1 knows no such parameter; unknown parameters are ignored.
    """

    def filter_renderers(
        self, renderers: Iterable[BaseRenderer], format: str
    ) -> list[BaseRenderer]:
        candidates = list(renderers)
        return [r for r in candidates if r.format == format] or candidates
