"""URL configuration: mounts every context's web pages and REST endpoints."""

from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from blog_project import ops

urlpatterns = [
    path("server/health", ops.health, name="health"),
    path("server/ready", ops.ready, name="ready"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
