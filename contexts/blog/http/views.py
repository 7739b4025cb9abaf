"""REST endpoints of the blog context: blogs and their entries (api-v1.md)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contexts.accounts import api as accounts_api
from contexts.blog import domain, selectors, services
from contexts.blog.http.authentication import blog_token_author, request_principal
from contexts.blog.http.serializers import (
    BlogCreateInputSerializer,
    BlogOutputSerializer,
    BlogPageSerializer,
    BlogUpdateInputSerializer,
    EntryInputSerializer,
    EntryListQuerySerializer,
    EntryOutputSerializer,
    EntryPageSerializer,
    EntryUpdateInputSerializer,
    blog_api_url,
    entries_output,
    entry_api_url,
    plain_entry_input,
)
from contexts.blog.models import Author, Blog, Entry
from contexts.kernel.http.authentication import BearerAuthentication
from contexts.kernel.http.pagination import PAGE_PARAMETERS, PagePagination
from contexts.kernel.http.schema import (
    TOO_LARGE_BODY,
    WWW_AUTHENTICATE,
    error_response,
    invalid_response,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"

# --- OpenAPI building blocks ---------------------------------------------------------

BLOGS = ["blogs"]
ENTRIES = ["entries"]
PATH_PARAMETER = OpenApiParameter(
    "path", str, OpenApiParameter.PATH, description="The blog's path."
)
ENTRY_ID_PARAMETER = OpenApiParameter(
    "entry_id", str, OpenApiParameter.PATH, description="The entry's opaque id."
)
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[201],
    description="The absolute API URL of the new resource.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    # domain.IDEMPOTENCY_KEY_PATTERN as it reaches the server: HTTP drops the spaces
    # around a header's value.
    {
        "type": "string",
        "minLength": 1,
        "maxLength": domain.IDEMPOTENCY_KEY_MAX_LENGTH,
        "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$",
    },
    OpenApiParameter.HEADER,
    required=False,
    description=f"1-{domain.IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters. "
    "The same key from the same account "
    "within 24 hours returns the first response instead of publishing twice; the same "
    "key with a different body is a 409 (`idempotency_conflict`).",
)
STATUS_PARAMETER = OpenApiParameter(
    "status",
    str,
    OpenApiParameter.QUERY,
    enum=list(domain.ENTRY_LIST_STATUSES),
    description='"published" (the default) for everyone; "draft" or "all" for the owner '
    "only (401 without a token, 403 with another account's).",
)
REPLAYED = OpenApiParameter(
    REPLAYED_HEADER,
    str,
    OpenApiParameter.HEADER,
    response=[201],
    description='"true" when this is the replay of an earlier response to the same key.',
)


INVALID = invalid_response()
BAD_PAGE = invalid_response('A malformed page or page_size: `{"page": [...]}`.')
UNAUTHENTICATED = error_response("No valid access token (`WWW-Authenticate: Bearer`).")
# A read needs no token, but one that is sent is checked: its owner may see drafts.
BAD_TOKEN = error_response(
    "A token was sent and is malformed, expired or forged (`WWW-Authenticate: Bearer`); "
    "send none to read as anyone."
)
NOT_OWNER = error_response("Only the blog's owner may do this (`not_owner`).")
BLOG_NOT_FOUND = error_response("No such blog (`blog_not_found`).")
ENTRY_NOT_FOUND = error_response(
    "No such blog (`blog_not_found`) or no such entry in it (`entry_not_found`); a draft "
    "is not found by anyone but its owner."
)
TOO_LARGE = error_response(
    "The body is longer than 100,000 characters, or the request larger than the site "
    "accepts (`too_large`)."
)


# --- views --------------------------------------------------------------------------


def _is_owner(request: Request, blog: Blog) -> bool:
    """Tell whether the request's token speaks for the blog's owner (no write: a GET)."""
    principal = request_principal(request)
    return principal is not None and principal.account_id == blog.owner.account_id


def _listed_status(request: Request) -> str:
    """The `status` of a list as EntryListQuerySerializer validates it: a status named
    as it is needs no serializer (binding one cost a tenth of an API list); the
    serializer answers anything else, its errors being the contract's."""
    wanted = request.query_params.get("status")
    if wanted is None:
        return domain.PUBLISHED
    if wanted in domain.ENTRY_LIST_STATUSES:
        return wanted
    query = EntryListQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    validated: str = query.validated_data["status"]
    return validated


class BlogAPIView(APIView):
    """Base of the blog endpoints: bearer tokens, owner-only writes, JSON bodies."""

    authentication_classes = [BearerAuthentication]
    permission_classes = [IsAuthenticatedOrReadOnly]

    # What the token check found in its query: a write's actor, and the blog it writes
    # to when it is the actor's own.
    _token_author: Author | None = None
    _token_blog: Blog | None = None

    def get_authenticators(self) -> list:
        return [BearerAuthentication(self._token_principal)]

    def _token_principal(self, token: str) -> accounts_api.Principal:
        # self.request and self.kwargs are set by now: DRF authenticates in initial().
        path = None if self.request.method in SAFE_METHODS else self.kwargs.get("path")
        principal, self._token_author, self._token_blog = blog_token_author(token, blog_path=path)
        return principal

    def blog(self, path: str) -> Blog:
        """Return the blog at `path`, owner joined (selectors.blog_get), found with the
        token when the request writes to its own blog."""
        known = self._token_blog
        if known is not None and known.path == path:
            return known
        return selectors.blog_get(path=path)

    def actor(self, request: Request) -> Author:
        """Return the author of the signed-in account, created on its first write."""
        principal = request_principal(request)
        # IsAuthenticatedOrReadOnly lets a write through only with a principal.
        assert principal is not None
        known = self._token_author
        if (
            known is not None
            and known.account_id == principal.account_id
            and known.name == principal.name
        ):
            # The author exists under this name (so its account was not deleted: the
            # tombstone and the author's removal commit together): nothing to ensure.
            return known
        # A new or renamed author: the blog read with the old row would show the old name.
        self._token_blog = None
        return services.author_ensure(account_id=principal.account_id, name=principal.name)

    def context(self, request: Request) -> dict:
        return {"request": request}


def _refuse_large_body(data: object) -> None:
    # An oversized body is a 413 whatever else is wrong with the request.
    if isinstance(data, dict):
        body = data.get("body")
        if isinstance(body, str) and len(body) > domain.BODY_MAX_LENGTH:
            raise domain.BodyTooLarge()


class BlogCollectionView(BlogAPIView):
    """`/api/v1/blogs`: list blogs, create one."""

    @extend_schema(
        operation_id="blogs_list",
        summary="List blogs",
        description="Every blog, newest first, a page at a time.",
        tags=BLOGS,
        parameters=PAGE_PARAMETERS,
        responses={200: BlogPageSerializer, 400: BAD_PAGE, 401: BAD_TOKEN},
    )
    def get(self, request: Request) -> Response:
        paginator = PagePagination()
        page = paginator.paginate_queryset(selectors.blog_list(), request, view=self)
        data = BlogOutputSerializer(page, many=True, context=self.context(request)).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="blogs_create",
        summary="Create a blog",
        description="Create a blog owned by the signed-in account. Its path never changes.",
        tags=BLOGS,
        request=BlogCreateInputSerializer,
        parameters=[LOCATION, WWW_AUTHENTICATE],
        responses={
            201: BlogOutputSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            409: error_response("The path is taken (`path_taken`)."),
            413: TOO_LARGE_BODY,
        },
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = BlogCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        blog = services.blog_create(owner=actor, **data.validated_data)
        return Response(
            BlogOutputSerializer(blog, context=self.context(request)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": blog_api_url(request, blog)},
        )


class BlogDetailView(BlogAPIView):
    """`/api/v1/blogs/{path}`: read, change, delete a blog."""

    @extend_schema(
        operation_id="blogs_retrieve",
        summary="Get a blog",
        tags=BLOGS,
        parameters=[PATH_PARAMETER],
        responses={200: BlogOutputSerializer, 401: BAD_TOKEN, 404: BLOG_NOT_FOUND},
    )
    def get(self, request: Request, path: str) -> Response:
        blog = selectors.blog_get(path=path)
        return Response(BlogOutputSerializer(blog, context=self.context(request)).data)

    @extend_schema(
        operation_id="blogs_partial_update",
        summary="Change a blog",
        description="Change the title and/or description; only the owner may.",
        tags=BLOGS,
        parameters=[PATH_PARAMETER, WWW_AUTHENTICATE],
        request=BlogUpdateInputSerializer,
        responses={
            200: BlogOutputSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: NOT_OWNER,
            404: BLOG_NOT_FOUND,
            413: TOO_LARGE_BODY,
        },
    )
    def patch(self, request: Request, path: str) -> Response:
        actor = self.actor(request)
        blog = self.blog(path)
        services.blog_check_owner(blog=blog, actor=actor)
        data = BlogUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        blog = services.blog_update(blog=blog, actor=actor, **data.validated_data)
        return Response(BlogOutputSerializer(blog, context=self.context(request)).data)

    @extend_schema(
        operation_id="blogs_destroy",
        summary="Delete a blog",
        description="Delete a blog and all its entries; only the owner may.",
        tags=BLOGS,
        parameters=[PATH_PARAMETER, WWW_AUTHENTICATE],
        request=None,
        responses={
            204: OpenApiResponse(description="Deleted, with its entries."),
            401: UNAUTHENTICATED,
            403: NOT_OWNER,
            404: BLOG_NOT_FOUND,
        },
    )
    def delete(self, request: Request, path: str) -> Response:
        actor = self.actor(request)
        blog = self.blog(path)
        services.blog_delete(blog=blog, actor=actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EntryCollectionView(BlogAPIView):
    """`/api/v1/blogs/{path}/entries`: list a blog's entries, publish one."""

    @extend_schema(
        operation_id="entries_list",
        summary="List a blog's entries",
        description="The blog's published entries, newest published first, a page at a "
        "time. Its owner may ask for drafts (`?status=draft`, newest first) or for both "
        "(`?status=all`, drafts first).",
        tags=ENTRIES,
        parameters=[PATH_PARAMETER, STATUS_PARAMETER, *PAGE_PARAMETERS, WWW_AUTHENTICATE],
        responses={
            200: EntryPageSerializer,
            400: BAD_PAGE,
            401: error_response(
                "Drafts asked for without a token, or a token sent that is malformed, "
                "expired or forged."
            ),
            403: error_response("Drafts asked for by another account than the owner's."),
            404: BLOG_NOT_FOUND,
        },
    )
    def get(self, request: Request, path: str) -> Response:
        blog = selectors.blog_get(path=path)
        wanted = _listed_status(request)
        if wanted != domain.PUBLISHED and not _is_owner(request, blog):
            if request.user is None:
                raise exceptions.NotAuthenticated("Only the blog's owner may list its drafts.")
            raise domain.NotOwner("Only the blog's owner may list its drafts.")
        paginator = PagePagination()
        entries = selectors.entry_window(blog=blog, status=wanted)
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(entries_output(request, page))

    @extend_schema(
        operation_id="entries_create",
        summary="Publish an entry, or save a draft",
        description="Publish an entry in the blog, or save it as a draft with "
        '`"status": "draft"`; only the owner may. A blank body cannot be published. The '
        "body is rendered to HTML now; if the renderer fails or is slow the entry is still "
        "saved, `body_html` holds the escaped body until a background render replaces it.",
        tags=ENTRIES,
        parameters=[PATH_PARAMETER, IDEMPOTENCY_KEY, LOCATION, REPLAYED, WWW_AUTHENTICATE],
        request=EntryInputSerializer,
        responses={
            201: EntryOutputSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: NOT_OWNER,
            404: BLOG_NOT_FOUND,
            409: error_response(
                "The Idempotency-Key was used with another body (`idempotency_conflict`)."
            ),
            413: TOO_LARGE,
        },
    )
    def post(self, request: Request, path: str) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is not None and not domain.is_valid_idempotency_key(key):
            raise domain.InvalidBlogInput(
                fields={IDEMPOTENCY_HEADER: [domain.IDEMPOTENCY_KEY_MESSAGE]}
            )
        actor = self.actor(request)
        blog = self.blog(path)
        services.blog_check_owner(blog=blog, actor=actor)
        _refuse_large_body(request.data)
        fields = plain_entry_input(request.data)
        if fields is None:
            data = EntryInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            fields = data.validated_data
        if key is None:
            entry = services.entry_create(blog=blog, actor=actor, **fields)
            return Response(
                entries_output(request, [entry])[0],
                status=status.HTTP_201_CREATED,
                headers={"Location": entry_api_url(request, entry)},
            )

        def respond(entry: Entry) -> tuple[int, dict, str]:
            body = entries_output(request, [entry])[0]
            return status.HTTP_201_CREATED, body, entry_api_url(request, entry)

        stored = services.entry_publish_idempotent(
            blog=blog,
            actor=actor,
            key=key,
            fingerprint=domain.request_fingerprint(path=request.path, payload=request.data),
            respond=respond,
            **fields,
        )
        headers = {"Location": stored.location}
        if stored.replayed:
            headers[REPLAYED_HEADER] = "true"
        return Response(stored.body, status=stored.status, headers=headers)


class EntryDetailView(BlogAPIView):
    """`/api/v1/blogs/{path}/entries/{id}`: read, edit, unpublish an entry."""

    @extend_schema(
        operation_id="entries_retrieve",
        summary="Get an entry",
        tags=ENTRIES,
        parameters=[PATH_PARAMETER, ENTRY_ID_PARAMETER],
        responses={200: EntryOutputSerializer, 401: BAD_TOKEN, 404: ENTRY_NOT_FOUND},
    )
    def get(self, request: Request, path: str, entry_id: str) -> Response:
        entry = selectors.entry_get_at(path=path, entry_id=entry_id)
        if entry.is_draft and not _is_owner(request, entry.blog):
            raise domain.EntryNotFound()
        return Response(entries_output(request, [entry])[0])

    @extend_schema(
        operation_id="entries_partial_update",
        summary="Change an entry, publish or unpublish it",
        description="Change the title and/or body (a changed body is rendered again), "
        'and/or the status: `"published"` publishes a draft, `"draft"` unpublishes. Only '
        "the owner may. A published entry keeps a body that is not blank.",
        tags=ENTRIES,
        parameters=[PATH_PARAMETER, ENTRY_ID_PARAMETER, WWW_AUTHENTICATE],
        request=EntryUpdateInputSerializer,
        responses={
            200: EntryOutputSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: NOT_OWNER,
            404: ENTRY_NOT_FOUND,
            413: TOO_LARGE,
        },
    )
    def patch(self, request: Request, path: str, entry_id: str) -> Response:
        actor = self.actor(request)
        blog = self.blog(path)
        entry = selectors.entry_get(
            blog=blog, entry_id=entry_id, include_drafts=_is_owner(request, blog)
        )
        services.blog_check_owner(blog=blog, actor=actor)
        _refuse_large_body(request.data)
        data = EntryUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.entry_edit(entry=entry, actor=actor, **data.validated_data)
        return Response(EntryOutputSerializer(entry, context=self.context(request)).data)

    @extend_schema(
        operation_id="entries_destroy",
        summary="Unpublish an entry",
        description="Return the entry to draft: readers no longer find it (404), its owner "
        "still does and may publish it again. Only the owner may; a draft stays a draft.",
        tags=ENTRIES,
        parameters=[PATH_PARAMETER, ENTRY_ID_PARAMETER, WWW_AUTHENTICATE],
        request=None,
        responses={
            204: OpenApiResponse(description="Unpublished: the entry is a draft."),
            401: UNAUTHENTICATED,
            403: NOT_OWNER,
            404: ENTRY_NOT_FOUND,
        },
    )
    def delete(self, request: Request, path: str, entry_id: str) -> Response:
        actor = self.actor(request)
        blog = self.blog(path)
        entry = selectors.entry_get(
            blog=blog, entry_id=entry_id, include_drafts=_is_owner(request, blog)
        )
        services.entry_unpublish(entry=entry, actor=actor)
        return Response(status=status.HTTP_204_NO_CONTENT)
