"""The search page: /search?q=... with the results, a page at a time (works without JS)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from contexts.search import api as search_api

RESULTS_PER_PAGE = 10
HTTP_BAD_REQUEST = 400
# Past this page every page is empty anyway (and the offset stays a small number).
LAST_PAGE = 1000


def _page_number(request: HttpRequest) -> int:
    """Return ?page= as a page number; anything else than 1-1000 is the first page."""
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= LAST_PAGE else 1


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """The results of ?q=, best first; without q, just the search form."""
    q = request.GET.get("q", "")
    number = _page_number(request)
    context = {
        "search_q": q,
        "query_max_length": search_api.QUERY_MAX_LENGTH,
        "hits": [],
        "error": None,
        "number": number,
        "first": (number - 1) * RESULTS_PER_PAGE + 1,
        "has_next": False,
    }
    status = 200
    if q.strip():
        try:
            # One more than a page tells whether there is a next one, without counting.
            hits = search_api.search(
                q=q, offset=(number - 1) * RESULTS_PER_PAGE, limit=RESULTS_PER_PAGE + 1
            )
        except search_api.InvalidQuery as exc:
            context["error"] = exc.fields["q"][0]
            status = HTTP_BAD_REQUEST
        else:
            context["hits"] = hits[:RESULTS_PER_PAGE]
            context["has_next"] = len(hits) > RESULTS_PER_PAGE
    return render(request, "search/results.html", context, status=status)
