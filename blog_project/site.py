"""Site-wide files that speak for every context: robots.txt."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

# Pages that are nobody's to index: private pages, the admin, the API and search results.
DISALLOWED = ("/my/", "/admin/", "/api/", "/search")


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """robots.txt: what crawlers may skip, and where the sitemap is (an absolute URL)."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
