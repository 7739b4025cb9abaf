"""Reactions of the search context to the blog's events (subscribed in blog_project).

The index is a projection of these events alone: search never reads the blog's tables
nor calls it. Each handler decides on the index as it is, so a late or repeated event
changes nothing it should not (see services).
"""

from dataclasses import fields

from contexts.blog import api as blog_api
from contexts.kernel.events.subscriptions import applied_together_by
from contexts.search import domain, services

_DOCUMENT_FIELDS = tuple(field.name for field in fields(domain.EntryDocument))


def _document(event: blog_api.EntryPublished | blog_api.EntryChanged) -> domain.EntryDocument:
    return domain.EntryDocument(**{name: getattr(event, name) for name in _DOCUMENT_FIELDS})


def _index_together(events: list[blog_api.EntryPublished | blog_api.EntryChanged]) -> None:
    # One pass of the index's statements for a worker's whole batch: documents_index
    # decides on each entry as it would for one (its newest revision wins).
    services.documents_index(documents=[_document(event) for event in events])


@applied_together_by(_index_together)
def on_entry_published(event: blog_api.EntryPublished) -> None:
    """Make a newly published entry findable."""
    services.documents_index(documents=[_document(event)])


@applied_together_by(_index_together)
def on_entry_changed(event: blog_api.EntryChanged) -> None:
    """Index a published entry's new title or text."""
    services.documents_index(documents=[_document(event)])


def on_entry_unpublished(event: blog_api.EntryUnpublished) -> None:
    """Take an entry returned to draft out of the results."""
    services.document_hide(entry_id=event.entry_id, revision=event.revision, blog_id=event.blog_id)


def on_entry_deleted(event: blog_api.EntryDeleted) -> None:
    """Take a deleted entry out of the results for good."""
    services.document_delete(
        entry_id=event.entry_id, revision=event.revision, blog_id=event.blog_id
    )


def on_blog_changed(event: blog_api.BlogChanged) -> None:
    """Show a blog's new title in the results."""
    services.blog_refresh(
        blog_id=event.blog_id,
        path=event.path,
        title=event.title,
        url_path=event.url_path,
        account_id=event.account_id,
        updated_at=event.updated_at,
    )


def on_blog_deleted(event: blog_api.BlogDeleted) -> None:
    """Take a deleted blog's entries out of the results for good."""
    services.blog_forget(blog_id=event.blog_id)


def on_account_content_deleted(event: blog_api.AccountContentDeleted) -> None:
    """Take everything of a deleted account out of the results for good."""
    services.account_forget(account_id=event.account_id)
