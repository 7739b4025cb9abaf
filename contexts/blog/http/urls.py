"""URL patterns of this adapter."""

urlpatterns: list = []
