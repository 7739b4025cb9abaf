"""Search: a full-text index of published entries, fed only by the blog's events."""
