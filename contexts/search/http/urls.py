"""URL patterns of the search REST endpoint (mounted under api/v1/)."""

from django.urls import path

from contexts.search.http.views import SearchView

app_name = "search_api"

urlpatterns = [path("search", SearchView.as_view(), name="search")]
