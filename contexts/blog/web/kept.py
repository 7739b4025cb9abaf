"""Texts kept for a writer whose session ended while writing, until they sign in again.

An editor form posted without a signed-in session is not lost: its title and body are
kept in the (anonymous) session, keyed by the editor's path, which names the blog (and
the entry). Signing in keeps them (web.auth), and the editor gives them back, only to
the blog's owner, for the writer to save. Signing out keeps them too, so that signing
in as the wrong account first loses nothing.
"""

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

SESSION_KEY = "blog_kept_texts"
# A session keeps the texts of a few editors, the most recent ones.
MAX_KEPT = 5


def keep(session: SessionBase, *, editor_path: str, title: str, body: str) -> None:
    """Keep the text posted to the editor at `editor_path` (replacing an older one)."""
    texts = dict(session.get(SESSION_KEY) or {})
    texts.pop(editor_path, None)
    texts[editor_path] = {"title": title, "body": body, "kept_at": timezone.now().isoformat()}
    while len(texts) > MAX_KEPT:
        texts.pop(next(iter(texts)))
    session[SESSION_KEY] = texts


def has(session: SessionBase, editor_path: str) -> bool:
    """Tell whether a text is kept for the editor at `editor_path`."""
    return editor_path in (session.get(SESSION_KEY) or {})


def take(session: SessionBase, editor_path: str) -> dict | None:
    """Return and forget the text kept for the editor at `editor_path` (title, body)."""
    texts = dict(session.get(SESSION_KEY) or {})
    text = texts.pop(editor_path, None)
    if text is None:
        return None
    if texts:
        session[SESSION_KEY] = texts
    else:
        del session[SESSION_KEY]
    return text


def all_kept(session: SessionBase) -> dict:
    """Return every kept text by editor path (to carry them into a new session)."""
    return dict(session.get(SESSION_KEY) or {})


def put_back(session: SessionBase, texts: dict) -> None:
    """Keep `texts` (from all_kept) in `session`."""
    if texts:
        session[SESSION_KEY] = texts
