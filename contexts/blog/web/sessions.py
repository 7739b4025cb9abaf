"""Server-side web sessions kept in the blog context's schema (SESSION_ENGINE)."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from contexts.blog.models import WebSession

# What a signed-in session holds (see web.auth).
SESSION_ACCOUNT_ID = "blog_account_id"
SESSION_ACCOUNT_NAME = "blog_account_name"
# The account's credentials generation at sign-in: a password change raises the
# account's, which ends every session holding an older one.
SESSION_CREDENTIALS_GENERATION = "blog_credentials_generation"


class SessionStore(DatabaseSessionStore):
    """Django's database session store, on the blog context's WebSession table."""

    @classmethod
    def get_model_class(cls) -> type[WebSession]:
        return WebSession

    def create_model_instance(self, data: dict) -> WebSession:
        """Copy who is signed in onto the row, where an account's sessions can be found."""
        session = super().create_model_instance(data)
        session.account_id = str(data.get(SESSION_ACCOUNT_ID) or "")
        session.credentials_generation = int(data.get(SESSION_CREDENTIALS_GENERATION) or 0)
        return session
