"""Which transport serves which context: the composition root binds every api seam.

A context whose `<CONTEXT>_URL` is set is called over HTTP, through its internal
endpoints; any other runs in this process, and this process serves its internal
endpoints to the others. The contexts' own code never chooses.
"""

from types import ModuleType, SimpleNamespace
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

from contexts.accounts import api as accounts_api
from contexts.accounts import services as accounts_services
from contexts.blog import api as blog_api
from contexts.blog import selectors as blog_selectors
from contexts.fetcher import api as fetcher_api
from contexts.fetcher import selectors as fetcher_selectors
from contexts.fetcher import services as fetcher_services
from contexts.kernel.seams.client import API_VERSION, RemoteApi, RemoteConfig, errors_of
from contexts.kernel.seams.server import urlpatterns as internal_urlpatterns
from contexts.renderer import api as renderer_api
from contexts.renderer import services as renderer_services

# context -> (its api module, its own code that implements the api: a module whose
# functions are the operations, or the operations gathered from several)
SEAMS: dict[str, tuple[ModuleType, Any]] = {
    "accounts": (accounts_api, accounts_services),
    "blog": (blog_api, blog_selectors),
    "fetcher": (
        fetcher_api,
        SimpleNamespace(
            link_metadata=fetcher_selectors.link_metadata,
            link_fetch_request=fetcher_services.link_fetch_request,
        ),
    ),
    "renderer": (renderer_api, renderer_services),
}

_remotes: dict[str, RemoteApi] = {}


def remote_url(context: str) -> str:
    """Return the URL a context is called at, or "" when it runs in this process."""
    return settings.CONTEXT_URLS.get(context, "")


def bind_all() -> None:
    """Bind every api seam: in-process, or to its service when `<CONTEXT>_URL` is set."""
    for context, (api, local) in SEAMS.items():
        url = remote_url(context)
        old = _remotes.pop(context, None)
        if old is not None:
            old.close()
        if not url:
            api.seam.bind(local, transport="inprocess")
            continue
        options: dict[str, Any] = settings.CONTEXT_REMOTE_OPTIONS[context]
        config = RemoteConfig(base_url=url, caller=settings.PROCESS_ROLE, **options)
        remote = RemoteApi(context, api.seam.protocol, config, errors_of(api))
        _remotes[context] = remote
        api.seam.bind(remote.implementation(), transport="http")


def remote(context: str) -> RemoteApi | None:
    """Return the client of a remote context (its circuit breaker), or None if in-process."""
    return _remotes.get(context)


def served_here() -> list[str]:
    """Return the contexts whose internal endpoints this process serves."""
    return [
        context
        for context in SEAMS
        if not remote_url(context) and context in settings.SERVED_CONTEXTS
    ]


def internal_urls() -> list[URLPattern | URLResolver]:
    """Return the internal endpoints of every context this process serves."""
    return [
        path(
            f"internal/{API_VERSION}/{context}/",
            include(internal_urlpatterns(context, SEAMS[context][0].seam.protocol, local)),
        )
        for context in served_here()
        for local in [SEAMS[context][1]]
    ]
