"""The site as `make serve` runs it, plus the benchmark's references: a trivial view, a
trivial write, and that write after the steps an entry's POST cannot skip.

bench/pages.py serves the project with DJANGO_SETTINGS_MODULE=bench.pages_site, so that
the references run in the same processes, with the same settings and middleware, as the
pages they are compared with. Nothing else imports this module.
"""

import json

from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from blog_project.settings_production import *  # noqa: F403

ROOT_URLCONF = "bench.pages_site"

# 2 KB, as the reference of issue 15: what Django costs with no query and no template.
TRIVIAL_BODY = b"<p>" + b"x" * 2041 + b"</p>"
TRIVIAL_PATH = "/bench/trivial"
TRIVIAL_WRITE_PATH = "/bench/trivial-write"
CHECKED_WRITE_PATH = "/bench/checked-write/"
RENDERED_WRITE_PATH = "/bench/rendered-write/"


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(TRIVIAL_BODY, content_type="text/html; charset=utf-8")


def _keep(body: str) -> HttpResponse:
    """Keep `body` as one row, in one transaction on the blog's database (BEGIN, INSERT,
    COMMIT); answer 201 with its id. bench/pages.py creates the table in the blog's schema."""
    with transaction.atomic(using="blog"), connections["blog"].cursor() as cursor:
        cursor.execute("INSERT INTO bench_write (body) VALUES (%s) RETURNING id", [body])
        (row_id,) = cursor.fetchone()
    return HttpResponse(b'{"id": %d}' % row_id, status=201, content_type="application/json")


def _owner_token_checked(request: HttpRequest, blog_path: str) -> HttpResponse | None:
    """Check the request's bearer token as the API checks it before a write to the blog
    at `blog_path` (verified with the accounts' published keys, then one query for its
    refusals, its author and the blog); answer 403 unless its account owns the blog."""
    from rest_framework.exceptions import AuthenticationFailed

    from contexts.blog.http.authentication import blog_token_author

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        if scheme != "Bearer":
            raise AuthenticationFailed()
        _principal, _author, blog = blog_token_author(token, blog_path=blog_path)
    except AuthenticationFailed:
        return HttpResponse(status=401)
    return None if blog is not None else HttpResponse(status=403)


@csrf_exempt
@require_POST
def trivial_write(request: HttpRequest) -> HttpResponse:
    """What any write costs at least: the body kept as one row, with no authentication,
    no validation, no rendering and no event."""
    return _keep(request.body.decode())


@csrf_exempt
@require_POST
def checked_write(request: HttpRequest, blog_path: str) -> HttpResponse:
    """The trivial write after the token check that every write to a blog makes first."""
    return _owner_token_checked(request, blog_path) or _keep(request.body.decode())


@csrf_exempt
@require_POST
def rendered_write(request: HttpRequest, blog_path: str) -> HttpResponse:
    """The token check, then the JSON body's Markdown rendered by the renderer's api (in
    this thread, with no time budget), then its HTML kept as the row: what an entry's POST
    must do at least before it writes the entry and announces it."""
    from contexts.renderer import api as renderer_api

    refused = _owner_token_checked(request, blog_path)
    if refused is not None:
        return refused
    return _keep(renderer_api.render(json.loads(request.body)["body"]).html)


def _urlpatterns() -> list:
    from blog_project.urls import urlpatterns as site

    return [
        path(TRIVIAL_PATH.lstrip("/"), trivial),
        path(TRIVIAL_WRITE_PATH.lstrip("/"), trivial_write),
        path(CHECKED_WRITE_PATH.lstrip("/") + "<str:blog_path>", checked_write),
        path(RENDERED_WRITE_PATH.lstrip("/") + "<str:blog_path>", rendered_write),
        *site,
    ]


def __getattr__(name: str):
    # The site's URLs import views, which need settings: built when Django asks for them.
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)
