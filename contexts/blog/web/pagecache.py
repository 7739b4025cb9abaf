"""A cache of the blog's public pages and REST reads for anonymous readers, and conditional GET.

Every page a reader without a session or a token gets is the same for all of them, so
it is made once and kept, keyed by the public pages' version (models.PageVersion). Each
write that changes what readers see sets a new version in its own transaction
(services.pages_changed), so a page is never served once the write that changed it has
been answered: every request reads the version from the database before it looks in
the cache, in whatever process it runs. The pages themselves stay in each process's
memory (the "pages" cache): nothing stale can be found there under the current version,
and nothing is shared that needs Redis.

A HEAD is answered as the GET would be, headers and validators included (the server
sends no body); only a GET's answer is stored. What is never stored nor served from
here: requests other than GET and HEAD, requests with the session cookie or pending
messages (signed-in readers, forms, "You are signed out"), requests with an
Authorization header, and answers other than a 200 without cookies.

Answers carry an ETag (a hash of the content) and `Cache-Control: no-cache`, so that
browsers and proxies ask again each time and get `304 Not Modified` while nothing
changed; Last-Modified too, once the version is at least a second old (HTTP dates have
seconds only: two writes in one second must not look alike).
"""

import hashlib
import math
import re
import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from contexts.blog import selectors

CACHE_ALIAS = "pages"
# The views whose answer to an anonymous GET depends on nothing but the URL (and, for
# the REST endpoints, the Accept header): the blog's public pages, feeds and reads.
PUBLIC_VIEWS = frozenset(
    {
        "blog_web:home",
        "blog_web:blogs",
        "blog_web:blog",
        "blog_web:entry",
        "blog_web:author",
        "blog_web:feed",
        "blog_web:blog_feed",
        "blog_web:author_feed",
        "blog_api:blog-list",
        "blog_api:blog-detail",
        "blog_api:entry-list",
        "blog_api:entry-detail",
    }
)
# Where those views are: only these requests read the version (the views are checked
# before a page is stored).
PUBLIC_PATHS = re.compile(r"/(?:$|feed$|blogs|authors/|api/v1/blogs)")
# The query parameters those views read. A request with any other (/?utm_source=...),
# or with one twice, is answered but not kept: made-up query strings must not push the
# pages readers ask for out of the cache.
READ_PARAMETERS = frozenset({"page", "page_size", "status"})
API_PREFIX = "/api/"
# Set on a request answered from the cache, which Django never resolved: the URL pattern
# it was stored under, for whoever counts requests by route (the metrics middleware).
ROUTE_ATTRIBUTE = "cached_route"
# Django's cookie message storage (contrib.messages.storage.cookie.CookieStorage).
MESSAGES_COOKIE = "messages"
CACHE_CONTROL = "no-cache"
READ_METHODS = frozenset({"GET", "HEAD"})
# The request headers that get_conditional_response reads (RFC 9110's preconditions).
CONDITIONAL_HEADERS = frozenset(
    {"HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE"}
)


def _anonymous_read(request: HttpRequest) -> bool:
    return (
        request.method in READ_METHODS
        and PUBLIC_PATHS.match(request.path_info) is not None
        and all(
            name in READ_PARAMETERS and len(values) == 1 for name, values in request.GET.lists()
        )
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
    )


def _key(request: HttpRequest, version: str) -> str:
    # Pages hold absolute addresses (canonical, Open Graph): the scheme and host count.
    # The REST endpoints answer JSON or the browsable API by the Accept header.
    accept = request.META.get("HTTP_ACCEPT", "") if request.path.startswith(API_PREFIX) else ""
    parts = (request.scheme or "", request.get_host(), request.get_full_path(), accept)
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"page:{version}:{digest}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    match = getattr(request, "resolver_match", None)
    cache_control = response.get("Cache-Control", "")
    return (
        match is not None
        and match.view_name in PUBLIC_VIEWS
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _validated(
    request: HttpRequest, response: HttpResponse, etag: str, changed_at: datetime
) -> HttpResponse:
    """Add the validators to `response`; answer 304 instead when the client's copy is current."""
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    last_modified = None
    changed = changed_at.timestamp()
    if math.floor(time.time()) > math.floor(changed):
        # Any later write has a later second: a client's If-Modified-Since cannot match it.
        last_modified = math.floor(changed)
        response["Last-Modified"] = http_date(last_modified)
    if not CONDITIONAL_HEADERS.intersection(request.META):
        return response  # nothing to compare: most readers, every time
    answer = get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
    return response if answer is None else answer


class PageCacheMiddleware:
    """Serve anonymous GETs of public pages from the cache; keep what they are answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _anonymous_read(request):
            return self.get_response(request)
        try:
            current = selectors.page_version()
        except DatabaseError:  # the page itself will say what is wrong
            current = None
        if current is None:  # nor when there is no version (a table emptied by hand)
            return self.get_response(request)
        version, changed_at = current
        key = _key(request, version)
        cache = caches[CACHE_ALIAS]
        stored = cache.get(key)
        if stored is not None:
            status, headers, content, etag, route = stored
            setattr(request, ROUTE_ATTRIBUTE, route)
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return _validated(request, response, etag, changed_at)
        response = self.get_response(request)
        if not _storable(request, response):
            return response
        # A HEAD's answer holds the GET's content (the server drops it): validated by it,
        # and not stored, since only a GET's answer is sure to be the page.
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        if request.method == "GET":
            headers = [(name, value) for name, value in response.items()]
            match = request.resolver_match  # resolved: _storable says so
            route = match.route if match is not None else ""
            cache.set(key, (response.status_code, headers, response.content, etag, route))
        return _validated(request, response, etag, changed_at)
