"""URL patterns of the search page."""

from django.urls import path

from contexts.search.web import views

app_name = "search_web"

urlpatterns = [path("search", views.search, name="search")]
