"""Links of the rows of a list (`entry_url`, `blog_url`, `author_url`), made without reverse().

A list page links each of its rows to an entry, a blog and an author: reversing each link
through the URL resolver cost more than the rest of the row (issue 15's profile). The
paths are the ones domain builds for events and canonical addresses; a test checks that
they are what the URL configuration reverses to.
"""

from django import template

from contexts.blog import domain

register = template.Library()


@register.filter
def entry_url(entry) -> str:
    """The public page of an entry (its blog loaded)."""
    return domain.entry_url_path(entry.blog.path, entry.pk)


@register.filter
def blog_url(path: str) -> str:
    """The public page of the blog at `path`."""
    return domain.blog_url_path(path)


@register.filter
def author_url(name: str) -> str:
    """The public page of the author `name`."""
    return domain.author_url_path(name)
