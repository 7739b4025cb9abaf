"""The search endpoint: GET /api/v1/search?q=... (api-v1.md, "Search")."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contexts.kernel.http.pagination import PAGE_PARAMETERS, PagePagination
from contexts.kernel.http.schema import invalid_response
from contexts.search import api as search_api
from contexts.search.http.serializers import (
    SearchPageSerializer,
    SearchQuerySerializer,
    SearchResultSerializer,
)


class _Hits:
    """The results of one query, sliced as the paginator asks: one search per page."""

    def __init__(self, q: str):
        self.q = q

    def __getitem__(self, window: slice) -> list[search_api.SearchHit]:
        return search_api.search(q=self.q, offset=window.start, limit=window.stop - window.start)


class SearchView(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        operation_id="search",
        summary="Search published entries",
        description="Published entries whose title or text holds every word of `q`, best "
        "match first (a match in the title counts more), a page at a time. An entry "
        "unpublished or deleted disappears from the results within seconds.",
        tags=["search"],
        parameters=[SearchQuerySerializer, *PAGE_PARAMETERS],
        responses={
            200: SearchPageSerializer,
            400: invalid_response(
                '`q` missing, blank or over 200 characters (`{"q": [...]}`), or a malformed '
                'page or page size (`{"page": [...]}`).'
            ),
        },
        auth=[],
    )
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = PagePagination()
        page = paginator.paginate_queryset(_Hits(query.validated_data["q"]), request, view=self)
        data = SearchResultSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)
