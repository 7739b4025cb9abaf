"""Server-side web sessions kept in the blog context's schema (SESSION_ENGINE)."""

from contexts.blog.models import (
    SESSION_ACCOUNT_ID,
    SESSION_ACCOUNT_NAME,
    SESSION_CREDENTIALS_GENERATION,
    WebSessionStore,
)

__all__ = [
    "SESSION_ACCOUNT_ID",
    "SESSION_ACCOUNT_NAME",
    "SESSION_CREDENTIALS_GENERATION",
    "SessionStore",
]

# Django loads `SessionStore` from the SESSION_ENGINE module; the class lives with its
# model, which needs it too (WebSession.get_session_store_class).
SessionStore = WebSessionStore
