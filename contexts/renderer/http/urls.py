"""URL patterns of the renderer's REST endpoints (mounted under api/v1/)."""

from django.urls import path

from contexts.renderer.http.views import RenderView

urlpatterns = [
    path("render", RenderView.as_view(), name="renderer-render"),
]
