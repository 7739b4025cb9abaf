"""Which handler subscribes to which event: the one table of cross-context reactions.

Keys are event types, taken from the producer's api; values list the handlers, which
live in the consuming context's handlers.py. blog_project.apps hands this table to the
kernel at start-up, which checks every handler and its context's inbox then.
"""

from collections.abc import Callable, Iterable

from contexts.accounts import api as accounts_api
from contexts.blog import api as blog_api
from contexts.blog import handlers as blog_handlers
from contexts.fetcher import api as fetcher_api
from contexts.search import handlers as search_handlers

SUBSCRIPTIONS: dict[str | type, Iterable[Callable | str]] = {
    accounts_api.AccountRegistered: [blog_handlers.on_account_registered],
    accounts_api.AccountDeleted: [blog_handlers.on_account_deleted],
    accounts_api.PasswordChanged: [blog_handlers.on_password_changed],
    blog_api.EntryRenderPending: [blog_handlers.on_entry_render_pending],
    fetcher_api.LinkMetadataFetched: [blog_handlers.on_link_metadata_fetched],
    # The search index is a projection of the blog's entries, fed by these alone.
    blog_api.EntryPublished: [search_handlers.on_entry_published],
    blog_api.EntryChanged: [search_handlers.on_entry_changed],
    blog_api.EntryUnpublished: [search_handlers.on_entry_unpublished],
    blog_api.EntryDeleted: [search_handlers.on_entry_deleted],
    blog_api.BlogChanged: [search_handlers.on_blog_changed],
    blog_api.BlogDeleted: [search_handlers.on_blog_deleted],
    blog_api.AccountContentDeleted: [search_handlers.on_account_content_deleted],
}
