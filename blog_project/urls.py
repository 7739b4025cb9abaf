"""URL configuration: mounts every context's web pages and REST endpoints."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from blog_project import ops
from blog_project.docs import api_docs

urlpatterns = [
    path("server/health", ops.health, name="health"),
    path("server/ready", ops.ready, name="ready"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="docs"),
    path("api/v1/", include("contexts.accounts.http.urls")),
    path("api/v1/", include("contexts.renderer.http.urls")),
    path("api/v1/", include("contexts.blog.http.urls")),
    path("", include("contexts.blog.web.urls")),
]
