"""The published interface of the blog context: the only module other contexts import.

Other contexts use nothing of the blog but the events it publishes (and the composition
root, which subscribes the blog's own handlers to them).
"""

from contexts.blog.domain import EntryRenderPending

__all__ = ["EntryRenderPending"]
