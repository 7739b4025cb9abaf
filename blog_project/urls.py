"""URL configuration: mounts every context's web pages and REST endpoints."""

from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView

from blog_project import metrics, ops, seams, site
from blog_project.docs import api_docs
from contexts.accounts.http.views import jwks
from contexts.blog.web.sitemaps import SITEMAPS
from contexts.kernel.http import errors as api_errors

API_PREFIX = "/api/"

urlpatterns = [
    path("server/health", ops.health, name="health"),
    path("server/ready", ops.ready, name="ready"),
    path("server/metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path(".well-known/jwks.json", jwks, name="jwks"),
    *seams.internal_urls(),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from the site's static files (drf-spectacular-sidecar), its script a
    # file of its own: no request leaves the site.
    path("api/docs/", api_docs, name="docs"),
    path("api/v1/", include("contexts.accounts.http.urls")),
    path("api/v1/", include("contexts.renderer.http.urls")),
    path("api/v1/", include("contexts.blog.http.urls")),
    path("api/v1/", include("contexts.search.http.urls")),
    # Anything else under the API's prefix is the API's 404 (JSON), never a page.
    re_path(r"^api/v1/", api_errors.endpoint_not_found),
    path("robots.txt", site.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemaps_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemaps_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("", include("contexts.search.web.urls")),
    path("", include("contexts.blog.web.urls")),
]


# Errors Django answers itself (DEBUG off): JSON under /api/, the site's pages elsewhere.
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return api_errors.bad_request(request, exception)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return api_errors.server_error(request)
    return defaults.server_error(request)


handler400 = bad_request
handler500 = server_error
