"""URL patterns of the blog REST endpoints (mounted under api/v1/)."""

from django.urls import path

from contexts.blog.http import views

app_name = "blog_api"

# Converters are plain strings: an odd path or a non-numeric entry id reaches the view
# and answers the API's 404 JSON instead of Django's HTML one.
urlpatterns = [
    path("blogs", views.BlogCollectionView.as_view(), name="blog-list"),
    path("blogs/<str:path>", views.BlogDetailView.as_view(), name="blog-detail"),
    path("blogs/<str:path>/entries", views.EntryCollectionView.as_view(), name="entry-list"),
    path(
        "blogs/<str:path>/entries/<str:entry_id>",
        views.EntryDetailView.as_view(),
        name="entry-detail",
    ),
]
