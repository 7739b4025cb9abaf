"""Atom feeds of published entries: the site's, a blog's and an author's.

Django's syndication framework makes them; each entry carries its full HTML (the
renderer's sanitized HTML, as the entry page shows it) in <content type="html">, its
excerpt as the summary, its publication and last change times, and its page's address
as its id, which never changes (a blog's path and an entry's id are for good).
"""

import re
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from contexts.blog import domain, selectors
from contexts.blog.models import Author, Blog, Entry

FEED_ENTRIES = 20
SITE_NAME = "Blogs"
# XML 1.0 cannot carry these at all (Django refuses to write them): a title or body that
# holds one must still give a feed a reader can parse.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Return `value` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", value)


class AtomWithContent(Atom1Feed):
    """Atom 1.0 whose entries carry their full HTML in <content type="html">."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        if item.get("content_html") is not None:
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class EntriesFeed(Feed):
    """The newest published entries of the whole site; subclasses narrow them down."""

    feed_type = AtomWithContent
    # Set by view(): each request gets a feed object of its own.
    request: HttpRequest

    # Django passes each of these the feed's object (None for the site's feed).
    def title(self, obj: Any) -> str:
        return f"{SITE_NAME}: the newest entries"

    def link(self, obj: Any) -> str:
        return reverse("blog_web:home")

    def subtitle(self, obj: Any) -> str:
        return "Entries newly published on every blog of the site."

    def entries(self, obj) -> QuerySet[Entry]:
        return selectors.entry_list_published()

    def items(self, obj=None) -> list[Entry]:
        # The list leaves bodies out; a feed needs the HTML (not the Markdown source).
        return list(self.entries(obj).defer(None).defer("body")[:FEED_ENTRIES])

    def item_title(self, entry: Entry) -> str:
        return xml_text(entry.title)

    def item_link(self, entry: Entry) -> str:
        return domain.entry_url_path(entry.blog.path, entry.public_id)

    def item_description(self, entry: Entry) -> str:
        # The summary is HTML in Atom: the plain-text excerpt, escaped.
        return xml_text(escape(entry.excerpt))

    def item_extra_kwargs(self, entry: Entry) -> dict:
        return {"content_html": xml_text(entry.body_html)}

    def item_pubdate(self, entry: Entry):
        return entry.published_at

    def item_updateddate(self, entry: Entry):
        # Drafts may be edited before they are published: the later time is the update.
        return max(filter(None, (entry.published_at, entry.edited_at)))

    def item_author_name(self, entry: Entry) -> str:
        return entry.blog.owner.name

    def item_author_link(self, entry: Entry) -> str:
        return self.request.build_absolute_uri(
            reverse("blog_web:author", args=[entry.blog.owner.name])
        )

    @classmethod
    def view(cls):
        """Return a view that answers each request with a feed object of its own (it keeps
        the request, which a feed shared by concurrent requests could not)."""

        def answer(request: HttpRequest, **kwargs):
            feed = cls()
            feed.request = request
            return feed(request, **kwargs)

        return answer


class BlogFeed(EntriesFeed):
    """A blog's newest published entries."""

    def get_object(self, request: HttpRequest, path: str) -> Blog:
        try:
            return selectors.blog_get(path=path)
        except domain.BlogNotFound as exc:
            raise Http404(exc.detail) from exc

    def title(self, blog: Blog) -> str:
        return xml_text(blog.title)

    def link(self, blog: Blog) -> str:
        return domain.blog_url_path(blog.path)

    def subtitle(self, blog: Blog) -> str:
        return xml_text(blog.description) or f"Entries of {xml_text(blog.title)}"

    def author_name(self, blog: Blog) -> str:
        return blog.owner.name

    def entries(self, blog: Blog) -> QuerySet[Entry]:
        return selectors.entry_list_published().filter(blog=blog)


class AuthorFeed(EntriesFeed):
    """An author's newest published entries, from all their blogs."""

    def get_object(self, request: HttpRequest, name: str) -> Author:
        try:
            return selectors.author_get_by_name(name=name)
        except domain.AuthorNotFound as exc:
            raise Http404(exc.detail) from exc

    def title(self, author: Author) -> str:
        return f"Entries by {author.name}"

    def link(self, author: Author) -> str:
        return reverse("blog_web:author", args=[author.name])

    def subtitle(self, author: Author) -> str:
        return f"The newest entries of every blog by {author.name}."

    def author_name(self, author: Author) -> str:
        return author.name

    def entries(self, author: Author) -> QuerySet[Entry]:
        return selectors.entry_list_published(author=author)
