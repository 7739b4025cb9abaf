"""URL configuration of a context service (PROCESS_ROLE=<context>): its internal endpoints,
the probes and, for accounts, the published token keys. No web pages, no public API."""

from django.urls import path

from blog_project import metrics, ops, seams
from contexts.accounts.http.views import jwks

urlpatterns = [
    path("server/health", ops.health, name="health"),
    path("server/ready", ops.ready, name="ready"),
    path("server/metrics", metrics.metrics, name="metrics"),
    *seams.internal_urls(),
]
if "accounts" in seams.served_here():
    urlpatterns.append(path(".well-known/jwks.json", jwks, name="jwks"))
