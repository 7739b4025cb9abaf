"""Server-side web sessions kept in the blog context's schema (SESSION_ENGINE)."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from contexts.blog.models import WebSession


class SessionStore(DatabaseSessionStore):
    """Django's database session store, on the blog context's WebSession table."""

    @classmethod
    def get_model_class(cls) -> type[WebSession]:
        return WebSession
