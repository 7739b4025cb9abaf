"""Page-number pagination with the shape and rules of api-v1.md."""

from collections.abc import Iterable
from typing import Any, Protocol

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

MAX_PAGE_SIZE = 100
# Past this many rows every page is empty anyway; an offset beyond it would overflow
# the database's integer types (a 500) instead of answering an empty page.
MAX_OFFSET = 10**9
DEFAULT_PAGE_SIZE = 10

# The query parameters of every list endpoint, as OpenAPI documents them.
PAGE_PARAMETERS = [
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1},
        OpenApiParameter.QUERY,
        description="1-based page number (default 1).",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        OpenApiParameter.QUERY,
        description=f"Items per page, 1-{MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
    ),
]


class Rows(Protocol):
    """What a page is sliced from: a QuerySet, or anything that answers a slice."""

    def __getitem__(self, window: slice, /) -> Iterable[Any]: ...


class _DigitsField(serializers.IntegerField):
    """A number written in ASCII digits: not "+1", " 1", "1_0" or a full-width "１",
    which int() would all take, giving one page several addresses."""

    def to_internal_value(self, data: Any) -> int:
        if not (isinstance(data, str) and data.isascii() and data.isdigit()):
            self.fail("invalid")
        value: int = super().to_internal_value(data)
        return value


class _PageQuery(serializers.Serializer[Any]):
    page = _DigitsField(min_value=1, default=1)
    page_size = _DigitsField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)


# Longer numbers, even valid ones ("0001"), go through the serializer.
_PLAIN_DIGITS = 9


def _plain_numbers(parameters: dict[str, Any]) -> dict[str, int] | None:
    """The page numbers _PageQuery validates them to, when each is absent or a short
    number in its range; None for anything else, which the serializer answers (its
    errors are the contract's). Binding the serializer cost a tenth of an API list."""
    numbers = {"page": 1}
    for name, highest in (("page", None), ("page_size", MAX_PAGE_SIZE)):
        text = parameters.get(name)
        if text is None:
            continue
        plain = isinstance(text, str) and text.isascii() and text.isdigit()
        if not plain or len(text) > _PLAIN_DIGITS:
            return None
        number = int(text)
        if number < 1 or (highest is not None and number > highest):
            return None
        numbers[name] = number
    return numbers


class PagePagination(PageNumberPagination):
    """`?page=N&page_size=M`; a page past the end is empty, a malformed one is 400.

    Pages are sliced in the database: one COUNT-free query per page (we fetch one
    row more than the page size to know whether there is a next page).
    """

    page_size = DEFAULT_PAGE_SIZE
    # Set by paginate_queryset, before any link is asked for.
    request: Request
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(
        self, queryset: Rows, request: Request, view: APIView | None = None
    ) -> list[Any]:
        # A plain dict: from a QueryDict DRF would take an empty `page=` for no page at all.
        parameters = request.query_params.dict()
        numbers = _plain_numbers(parameters)
        if numbers is None:
            query = _PageQuery(data=parameters)
            query.is_valid(raise_exception=True)
            numbers = query.validated_data
        self.request = request
        self.number = numbers["page"]
        size = numbers.get("page_size", self.page_size)
        start = (self.number - 1) * size
        rows = list(queryset[start : start + size + 1]) if start <= MAX_OFFSET else []
        self.has_next = len(rows) > size
        self.size = size
        return rows[:size]

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"results": data, "next": self.get_next_link(), "previous": self.get_previous_link()}
        )

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next", "previous"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
            },
        }
