"""The site as `make serve` runs it, plus the benchmark's references: a trivial view, and
a trivial write.

bench/pages.py serves the project with DJANGO_SETTINGS_MODULE=bench.pages_site, so that
the references run in the same processes, with the same settings and middleware, as the
pages they are compared with. Nothing else imports this module.
"""

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


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(TRIVIAL_BODY, content_type="text/html; charset=utf-8")


@csrf_exempt
@require_POST
def trivial_write(request: HttpRequest) -> HttpResponse:
    """What any write costs at least: the body kept as one row, in one transaction on the
    blog's database (BEGIN, INSERT, COMMIT), with no authentication, no validation, no
    rendering and no event. bench/pages.py creates the table in the blog's schema."""
    with transaction.atomic(using="blog"), connections["blog"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_write (body) VALUES (%s) RETURNING id", [request.body.decode()]
        )
        (row_id,) = cursor.fetchone()
    return HttpResponse(b'{"id": %d}' % row_id, status=201, content_type="application/json")


def _urlpatterns() -> list:
    from blog_project.urls import urlpatterns as site

    return [
        path(TRIVIAL_PATH.lstrip("/"), trivial),
        path(TRIVIAL_WRITE_PATH.lstrip("/"), trivial_write),
        *site,
    ]


def __getattr__(name: str):
    # The site's URLs import views, which need settings: built when Django asks for them.
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)
