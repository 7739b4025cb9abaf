"""Server-side web sessions kept in the blog context's schema (SESSION_ENGINE)."""

from contexts.blog.models import WebSessionStore

# Django loads `SessionStore` from the SESSION_ENGINE module; the class lives with its
# model, which needs it too (WebSession.get_session_store_class).
SessionStore = WebSessionStore
