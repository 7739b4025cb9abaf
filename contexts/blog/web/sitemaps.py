"""The sitemap of the public pages: the home page, the blogs with entries, every entry.

django.contrib.sitemaps pages a section past Sitemap.limit (50,000) URLs, and
/sitemap.xml is the index that lists every page of every section.
"""

# WithAnnotations[...] is for the type checker: not evaluated at run time.
from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django_stubs_ext import WithAnnotations

from contexts.blog import domain, selectors
from contexts.blog.models import Blog, Entry

# An entry changed last at its last edit, or at its publication if that came later.
_CHANGED = Greatest("published_at", Coalesce("edited_at", "published_at"))


class _Newest(TypedDict):
    newest: datetime | None


class _Changed(TypedDict):
    changed: datetime


def _published():
    return Entry.objects.filter(published_at__isnull=False)


class HomeSitemap(Sitemap):
    changefreq = "hourly"

    def items(self) -> list[str]:
        return ["blog_web:home"]

    def location(self, name: str) -> str:
        return reverse(name)


class BlogSitemap(Sitemap):
    """Blogs with at least one published entry, changed when their newest one was."""

    def items(self):
        return (
            selectors.blog_list_with_entries()
            .select_related(None)
            .annotate(newest=Max("entries__published_at"))
            .only("id", "path")
            .order_by("id")
        )

    def location(self, blog: Blog) -> str:
        return domain.blog_url_path(blog.path)

    def lastmod(self, blog: WithAnnotations[Blog, _Newest]):
        return blog.newest

    def get_latest_lastmod(self):
        # One aggregate, rather than Django's default: every item's lastmod in Python.
        return _published().aggregate(latest=Max("published_at"))["latest"]


class EntrySitemap(Sitemap):
    """Every published entry, changed at its last edit (or its publication)."""

    def items(self):
        return (
            _published()
            .select_related("blog")
            .annotate(changed=_CHANGED)
            .only("id", "blog__path")
            .order_by("id")
        )

    def location(self, entry: Entry) -> str:
        return domain.entry_url_path(entry.blog.path, entry.public_id)

    def lastmod(self, entry: WithAnnotations[Entry, _Changed]):
        return entry.changed

    def get_latest_lastmod(self):
        return _published().aggregate(latest=Max(_CHANGED))["latest"]


SITEMAPS = {"home": HomeSitemap, "blogs": BlogSitemap, "entries": EntrySitemap}
