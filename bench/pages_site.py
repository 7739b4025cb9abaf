"""The site as `make serve` runs it, plus the benchmark's reference: a trivial view.

bench/pages.py serves the project with DJANGO_SETTINGS_MODULE=bench.pages_site, so that
the trivial view runs in the same processes, with the same settings and middleware, as
the pages it is compared with. Nothing else imports this module.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from blog_project.settings_production import *  # noqa: F403

ROOT_URLCONF = "bench.pages_site"

# 2 KB, as the reference of issue 15: what Django costs with no query and no template.
TRIVIAL_BODY = b"<p>" + b"x" * 2041 + b"</p>"
TRIVIAL_PATH = "/bench/trivial"


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(TRIVIAL_BODY, content_type="text/html; charset=utf-8")


def _urlpatterns() -> list:
    from blog_project.urls import urlpatterns as site

    return [path(TRIVIAL_PATH.lstrip("/"), trivial), *site]


def __getattr__(name: str):
    # The site's URLs import views, which need settings: built when Django asks for them.
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)
