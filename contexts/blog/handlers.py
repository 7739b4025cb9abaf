"""Reactions of the blog context to other contexts' events (subscribed in blog_project)."""

import contextlib

from contexts.accounts import api as accounts_api
from contexts.blog import domain, services
from contexts.fetcher import api as fetcher_api


def on_account_registered(event: accounts_api.AccountRegistered) -> None:
    """Create the new account's author record (sign-in creates it too if this is late)."""
    # Deleted before this arrived (events are not ordered): the deletion is final.
    with contextlib.suppress(domain.AccountGone):
        services.author_ensure(account_id=event.account_id, name=event.name)


def on_account_deleted(event: accounts_api.AccountDeleted) -> None:
    """Delete the account's author, blogs and entries, and refuse its tokens from now on."""
    services.account_content_delete(account_id=event.account_id)


def on_entry_render_pending(event: domain.EntryRenderPending) -> None:
    """Render an entry saved without HTML; raising makes the delivery retry with backoff."""
    services.entry_render(entry_id=event.entry_id)


def on_link_metadata_fetched(event: fetcher_api.LinkMetadataFetched) -> None:
    """Render again the entries that show the title or card of a page whose metadata changed."""
    services.entry_links_rerender(url=event.url)
