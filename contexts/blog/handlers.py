"""Reactions of the blog context to other contexts' events (subscribed in blog_project)."""

import contextlib

from contexts.accounts import api as accounts_api
from contexts.blog import domain, services
from contexts.fetcher import api as fetcher_api
from contexts.kernel.events.subscriptions import prepared_by


def on_account_registered(event: accounts_api.AccountRegistered) -> None:
    """Create the new account's author record (sign-in creates it too if this is late)."""
    # Deleted before this arrived (events are not ordered): the deletion is final.
    with contextlib.suppress(domain.AccountGone):
        services.author_ensure(account_id=event.account_id, name=event.name)


def on_account_deleted(event: accounts_api.AccountDeleted) -> None:
    """Delete the account's author, blogs and entries, and refuse its tokens from now on."""
    services.account_content_delete(account_id=event.account_id)


def on_password_changed(event: accounts_api.PasswordChanged) -> None:
    """Refuse the account's older tokens and end its web sessions made before the change."""
    services.author_credentials_renew(
        account_id=event.account_id,
        name=event.name,
        credentials_generation=event.credentials_generation,
    )


def render_pending_entry(event: domain.EntryRenderPending) -> domain.RenderedBody | None:
    """Render the entry outside the transaction: rendering may take seconds, and holding a
    write transaction that long would stall every writer on SQLite."""
    return services.entry_render_prepare(entry_id=event.entry_id)


@prepared_by(render_pending_entry)
def on_entry_render_pending(
    event: domain.EntryRenderPending, rendered: domain.RenderedBody | None
) -> None:
    """Store the entry's HTML; raising makes the delivery retry with backoff."""
    services.entry_render_store(rendered=rendered)


def rerender_linking_entries(event: fetcher_api.LinkMetadataFetched) -> list:
    """Render the entries showing the page's title or card outside the transaction."""
    return services.entry_links_rerender_prepare(url=event.url)


@prepared_by(rerender_linking_entries)
def on_link_metadata_fetched(event: fetcher_api.LinkMetadataFetched, rendered: list) -> None:
    """Store the entries that show the title or card of a page whose metadata changed."""
    services.entry_links_rerender_store(rendered=rendered)
