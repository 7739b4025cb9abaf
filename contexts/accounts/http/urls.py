"""URL patterns of the accounts REST endpoints (mounted under api/v1/)."""

from django.urls import path

from contexts.accounts.http import views

urlpatterns = [
    path("accounts", views.AccountCreateView.as_view(), name="accounts-create"),
    path("tokens", views.TokenCreateView.as_view(), name="tokens-create"),
    path("me", views.MeView.as_view(), name="accounts-me"),
]
