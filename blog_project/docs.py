"""The interactive API docs (Swagger UI) at /api/docs/, under a policy of their own."""

from urllib.parse import urlsplit

from csp.constants import SELF
from csp.decorators import csp_update
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.views import SpectacularSwaggerSplitView


def _swagger_origins() -> list[str]:
    """Return where Swagger UI's files come from besides this site (its dist, its favicon)."""
    origins = []
    for url in (spectacular_settings.SWAGGER_UI_DIST, spectacular_settings.SWAGGER_UI_FAVICON_HREF):
        parts = urlsplit(str(url))
        if parts.scheme in {"http", "https"} and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


# The split view serves its start-up script as a file of its own (?script), so scripts
# stay "self" (plus wherever Swagger UI itself is served from). Swagger UI styles its
# page with a <style> element and style attributes, and draws icons as data: images:
# on this page only, styles may be inline and images data: URLs.
api_docs = csp_update(
    {
        "script-src": _swagger_origins(),
        "style-src": [*_swagger_origins(), "'unsafe-inline'"],
        "img-src": [SELF, "data:", *_swagger_origins()],
    }
)(SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/docs.html"))
